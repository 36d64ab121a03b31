"""What a leaderboard shows: which board (`BoardSpec`), reading one page of it, and the embed.

Nothing here answers an interaction, so the command and the routed page buttons share it without either importing
the other. Everything a board needs to be drawn again after a restart is in `BoardSpec`, which round-trips through
the buttons' custom_ids (`cogs.leaderboard._buttons`); the server comes from the interaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import discord

from bot.engine.errors import QuizError
from bot.storage import LeaderboardPage
from bot.ui.format import clip, fit_lines, plain_line, plural

if TYPE_CHECKING:
    from bot.client import TorchQuizBot
    from bot.storage import BoardRow

Scope = Literal["server", "global"]
Period = Literal["week", "month", "all"]
Sort = Literal["points", "accuracy"]

PER_PAGE = 10
ACCURACY_MIN_ANSWERS = 5
"""Members with fewer ranked answers than this are left off boards ordered by accuracy (one lucky answer is 100%)."""
DAY = 24 * 3600
PERIOD_SECONDS: dict[Period, int | None] = {"week": 7 * DAY, "month": 30 * DAY, "all": None}
PERIOD_LABELS: dict[Period, str] = {"week": "last 7 days", "month": "last 30 days", "all": "all time"}

# One letter each in custom_ids, which hold at most 100 characters.
SCOPE_CODES: dict[Scope, str] = {"server": "s", "global": "g"}
PERIOD_CODES: dict[Period, str] = {"week": "w", "month": "m", "all": "a"}
SORT_CODES: dict[Sort, str] = {"points": "p", "accuracy": "a"}
SCOPE_BY_CODE: dict[str, Scope] = {code: name for name, code in SCOPE_CODES.items()}
PERIOD_BY_CODE: dict[str, Period] = {code: name for name, code in PERIOD_CODES.items()}
SORT_BY_CODE: dict[str, Sort] = {code: name for name, code in SORT_CODES.items()}
NO_PACK = "-"
"""The custom_id's pack field for a board over every pack (a pack id never starts with a dash)."""

MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
MARK = "➜"
HIDE_HINT = "Members can hide from global boards with /privacy hide"
DESCRIPTION_LIMIT = 4096
EARNING_MODES = "Points come from /challenge, live quizzes and the daily question; practice and review earn none."


class BoardNeedsServer(QuizError):
    """A server board asked for outside a server."""

    def __init__(self) -> None:
        super().__init__("A server board needs a server: run this in one, or choose scope: global.")


@dataclass(frozen=True)
class BoardSpec:
    """Which board, and whose: the owner is the member who ran /leaderboard and the only one who may page it."""

    owner_id: int
    scope: Scope = "server"
    period: Period = "all"
    sort: Sort = "points"
    pack_id: str | None = None

    @property
    def is_global(self) -> bool:
        return self.scope == "global"

    @property
    def min_answers(self) -> int:
        return ACCURACY_MIN_ANSWERS if self.sort == "accuracy" else 0

    def since(self, now: float) -> float | None:
        seconds = PERIOD_SECONDS[self.period]
        return None if seconds is None else now - seconds

    def board_guild(self, guild_id: int | None) -> int | None:
        """The `guild_id` filter of the storage call: None for the global board; a server board needs a server."""
        if self.is_global:
            return None
        if guild_id is None:
            raise BoardNeedsServer()
        return guild_id

    def custom_id(self, page: int, action: str) -> str:
        """``lb:<owner>:<s|g>:<w|m|a>:<p|a>:<pack or ->:<page>:<action>`` (see `cogs.leaderboard._buttons`)."""
        codes = f"{SCOPE_CODES[self.scope]}:{PERIOD_CODES[self.period]}:{SORT_CODES[self.sort]}"
        return f"lb:{self.owner_id}:{codes}:{self.pack_id or NO_PACK}:{page}:{action}"

    @classmethod
    def from_codes(cls, owner: str, scope: str, period: str, sort: str, pack: str) -> BoardSpec:
        """The board named by a custom_id's fields (the button's regex has already checked their shape)."""
        return cls(
            owner_id=int(owner),
            scope=SCOPE_BY_CODE[scope],
            period=PERIOD_BY_CODE[period],
            sort=SORT_BY_CODE[sort],
            pack_id=None if pack == NO_PACK else pack,
        )


@dataclass(frozen=True)
class Board:
    """One page of a board as its owner sees it."""

    spec: BoardSpec
    page: LeaderboardPage
    position: tuple[int, int] | None
    """The owner's rank and page, None when they are not on the board."""
    owner_hidden: bool
    """Whether the owner hid from global boards (only looked up for a global board they are not on)."""
    pack_title: str | None


async def board_position(bot: TorchQuizBot, spec: BoardSpec, guild_id: int | None) -> tuple[int, int] | None:
    """The owner's (rank, page) on the board, or None when they are not on it."""
    return await bot.store.board_position(
        spec.owner_id,
        guild_id=spec.board_guild(guild_id),
        since=spec.since(bot.clock()),
        pack_id=spec.pack_id,
        per_page=PER_PAGE,
        order=spec.sort,
        min_answers=spec.min_answers,
    )


async def load_board(bot: TorchQuizBot, spec: BoardSpec, guild_id: int | None, page: int) -> Board:
    """Page `page` (from 1; the store clamps it into range) of the board in server `guild_id`."""
    found = await bot.store.leaderboard(
        guild_id=spec.board_guild(guild_id),
        since=spec.since(bot.clock()),
        pack_id=spec.pack_id,
        page=page,
        per_page=PER_PAGE,
        order=spec.sort,
        min_answers=spec.min_answers,
    )
    position = await board_position(bot, spec, guild_id)
    hidden = spec.is_global and position is None and await bot.store.is_hidden(spec.owner_id)
    pack = bot.packs.get(spec.pack_id, guild_id) if spec.pack_id is not None else None
    title = pack.title if pack is not None else spec.pack_id
    return Board(spec, found, position, hidden, title)


def row_line(row: BoardRow, *, mine: bool) -> str:
    """``🥇 <@id> · 1,234 pts · 87% · 15 answers``; the owner's row is bold and marked with ➜."""
    rank = MEDALS.get(row.rank, f"`#{row.rank}`")
    figures = f"{row.points:,} pts · {row.accuracy:.0%} · {plural(row.answered, 'answer')}"
    if mine:
        return f"{MARK} **{rank} <@{row.user_id}> · {figures}**"
    return f"{rank} <@{row.user_id}> · {figures}"


def board_title(board: Board) -> str:
    where = "Global leaderboard" if board.spec.is_global else "Server leaderboard"
    emoji = "🌍" if board.spec.is_global else "🏆"
    return clip(f"{emoji} {where}", 256)


def board_subtitle(board: Board) -> str:
    """*Last 7 days · Autograd Basics · by points*: the filters, on one line (a pack title is escaped)."""
    spec = board.spec
    pack = plain_line(board.pack_title, 100) if board.pack_title else "every pack"
    order = "by accuracy" if spec.sort == "accuracy" else "by points"
    return f"*{PERIOD_LABELS[spec.period].capitalize()} · {pack} · {order}*"


def owner_line(board: Board) -> str | None:
    """Where the owner stands when their row is not on this page."""
    spec, page = board.spec, board.page
    if board.position is not None:
        rank, on_page = board.position
        if on_page == page.page:
            return None
        return f"{MARK} You're #{rank}, on page {on_page}: press **Me** to jump there."
    if board.owner_hidden:
        return f"{MARK} You're hidden from global boards: /privacy show to appear again."
    if spec.sort == "accuracy":
        return f"{MARK} You're not on this board: it needs {ACCURACY_MIN_ANSWERS} ranked answers in this period."
    return f"{MARK} You're not on this board yet: no ranked answers in this period."


def board_footer(board: Board) -> str:
    page = board.page
    parts = [f"Page {page.page}/{page.pages}", plural(page.members, "member")]
    if board.spec.sort == "accuracy":
        parts.append(f"ranked by accuracy with at least {ACCURACY_MIN_ANSWERS} answers")
    if board.spec.is_global:
        parts.append(HIDE_HINT)
    return clip(" · ".join(parts), 2048)


def board_embed(board: Board) -> discord.Embed:
    """The board's page: ten rows at most, the owner's marked; every mention is inert (allowed mentions none)."""
    lines = [board_subtitle(board), ""]
    if board.page.rows:
        lines += [row_line(row, mine=row.user_id == board.spec.owner_id) for row in board.page.rows]
    else:
        lines.append("Nobody is on this board yet.")
        if board.spec.sort == "accuracy":
            lines.append(f"Boards by accuracy count members with at least {ACCURACY_MIN_ANSWERS} ranked answers.")
        lines.append(EARNING_MODES)
    mine = owner_line(board)
    if mine is not None:
        lines += ["", mine]
    colour = discord.Colour.blurple() if board.spec.is_global else discord.Colour.gold()
    embed = discord.Embed(title=board_title(board), description=fit_lines(lines, DESCRIPTION_LIMIT), colour=colour)
    embed.set_footer(text=board_footer(board))
    return embed
