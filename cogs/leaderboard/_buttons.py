"""The page buttons of a leaderboard, routed by custom_id alone so they keep working after a restart.

custom_id scheme (at most 100 characters: with a 20-digit owner, a 40-character pack and a 9-digit page, 86):

    lb:<owner>:<scope s|g>:<period w|m|a>:<sort p|a>:<pack id or ->:<page>:<first|prev|next|last|me>

`page` is the page the message shows; the action moves from it (the store clamps the target into range, so a board
that shrank since still pages sensibly). Only `owner`, who ran /leaderboard, may page it; anyone else is told so
privately. A page replaces the same message (`interaction.response.edit_message`). The server is the interaction's.
These buttons never import the cog: they read the store through the client.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.replies import send_private
from bot.ui.routed import RoutedButton
from cogs.leaderboard._board import (
    ACCURACY_MIN_ANSWERS,
    Board,
    BoardSpec,
    board_embed,
    board_position,
    load_board,
)

if TYPE_CHECKING:
    from bot.client import TorchQuizBot

NOT_YOURS = "This board belongs to someone else; run /leaderboard for your own."
LAST_PAGE = 2**31
"""Asked for by "last": the store clamps it to the board's last page."""

ACTIONS: dict[str, tuple[str, str]] = {
    # action: (label, emoji)
    "first": ("First", "⏮️"),
    "prev": ("Previous", "◀️"),
    "next": ("Next", "▶️"),
    "last": ("Last", "⏭️"),
    "me": ("Me", "📍"),
}
TEMPLATE = (
    r"lb:(?P<owner>\d{1,20}):(?P<scope>[sg]):(?P<period>[wma]):(?P<sort>[pa])"
    r":(?P<pack>-|[a-z0-9][a-z0-9_-]{0,39}):(?P<page>\d{1,9}):(?P<action>first|prev|next|last|me)"
)


def _bot(interaction: discord.Interaction) -> TorchQuizBot:
    return cast("TorchQuizBot", interaction.client)


class BoardButton(RoutedButton, template=TEMPLATE):
    def __init__(self, spec: BoardSpec, page: int, action: str, *, disabled: bool = False) -> None:
        label, emoji = ACTIONS[action]
        style = discord.ButtonStyle.primary if action == "me" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=label, emoji=emoji, style=style, custom_id=spec.custom_id(page, action), disabled=disabled
            )
        )
        self.spec, self.page, self.action = spec, page, action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> BoardButton:
        spec = BoardSpec.from_codes(match["owner"], match["scope"], match["period"], match["sort"], match["pack"])
        return cls(spec, int(match["page"]), match["action"])

    async def handle(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.spec.owner_id:
            await send_private(interaction, NOT_YOURS)
            return
        bot = _bot(interaction)
        target = await self._target(bot, interaction)
        if target is None:
            return
        board = await load_board(bot, self.spec, interaction.guild_id, target)
        await interaction.response.edit_message(
            embed=board_embed(board), view=board_view(board), allowed_mentions=discord.AllowedMentions.none()
        )

    async def _target(self, bot: TorchQuizBot, interaction: discord.Interaction) -> int | None:
        """The page to show, or None when the member was answered privately instead ("me" when not on it)."""
        if self.action == "first":
            return 1
        if self.action == "prev":
            return max(self.page - 1, 1)
        if self.action == "next":
            return self.page + 1
        if self.action == "last":
            return LAST_PAGE
        position = await board_position(bot, self.spec, interaction.guild_id)
        if position is None:
            await send_private(interaction, await not_on_board(bot, self.spec))
            return None
        return position[1]


async def not_on_board(bot: TorchQuizBot, spec: BoardSpec) -> str:
    """Why the owner has no row on this board, in one private sentence."""
    if spec.is_global and await bot.store.is_hidden(spec.owner_id):
        return "You're hidden from global boards, so you're not on this one. `/privacy show` brings you back."
    if spec.sort == "accuracy":
        return (
            f"You're not on this board: boards by accuracy count members with at least {ACCURACY_MIN_ANSWERS}"
            " ranked answers in the period."
        )
    return (
        "You're not on this board yet: it counts ranked answers (/challenge, live quizzes, the daily question)"
        " in the period and pack chosen."
    )


def board_view(board: Board) -> discord.ui.View | None:
    """First, previous, next, last and Me, each disabled where it would not move; None for an empty board."""
    if not board.page.members:
        return None
    page, pages = board.page.page, board.page.pages
    view = discord.ui.View(timeout=None)
    for action, disabled in (
        ("first", page <= 1),
        ("prev", page <= 1),
        ("next", page >= pages),
        ("last", page >= pages),
        ("me", False),
    ):
        view.add_item(BoardButton(board.spec, page, action, disabled=disabled))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (BoardButton,)
