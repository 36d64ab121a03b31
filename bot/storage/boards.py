"""Leaderboards and the totals `/profile` shows, over ranked results only (practice and review never count).

A board is one server's (`guild_id`) or every server's (`guild_id=None`, the global board, which leaves out members
who asked to be hidden); all time (`since=None`) or since a moment; every pack or one (`pack_id`).

Where the numbers come from (migration 0007), so each board is read without adding up a million results:

- all-time boards read `board_totals`, one row per board and member, kept by triggers on `results`;
- boards since a moment add up `results` through covering indexes: `results_board_guild` for a server,
  `results_board_all` for every server (the pack is checked in the index too);
- `/profile`'s chart reads `results_member_days`.

Each page is one statement, so its rows, its rank numbers and the board's size always agree, even while results
are being written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from bot.storage._base import StoreBase
from bot.storage.engine import Dialect
from bot.storage.records import BoardRow, LeaderboardPage, ProfileStats

BoardOrder = Literal["points", "accuracy"]

GLOBAL_BOARD = 0
"""`board_totals.guild_id` of the global board."""
EVERY_PACK = ""
"""`board_totals.pack_id` of a board over every pack."""

_ORDER_BY: dict[str, str] = {
    # Points: more points, then more correct answers, then fewer answers, then the smaller user id.
    "points": "points DESC, correct DESC, answered ASC, user_id ASC",
    # Accuracy: the higher share of correct answers, then more answers, then the smaller user id.
    "accuracy": "CAST(correct AS DOUBLE PRECISION) / answered DESC, answered DESC, user_id ASC",
}
# "Member b stands above member m", as a row-value comparison in the same order as `_ORDER_BY`.
_AHEAD: dict[str, str] = {
    "points": "(b.points, b.correct, -b.answered, -b.user_id) > (m.points, m.correct, -m.answered, -m.user_id)",
    "accuracy": "(CAST(b.correct AS DOUBLE PRECISION) / b.answered, b.answered, -b.user_id)"
    " > (CAST(m.correct AS DOUBLE PRECISION) / m.answered, m.answered, -m.user_id)",
}
LARGEST_PAGE = 2**31 - 1
"""Page numbers are clamped to this before they reach SQL (PostgreSQL types the parameter as a 4-byte integer);
"the last page" may be asked for with any larger number."""
_NOT_HIDDEN = "user_id NOT IN (SELECT user_id FROM hidden_members)"


@dataclass(frozen=True)
class BoardQuery:
    """Which board: the filters every leaderboard call takes."""

    guild_id: int | None
    since: float | None
    pack_id: str | None
    order: BoardOrder = "points"
    min_answers: int = 0

    def __post_init__(self) -> None:
        if self.order not in _ORDER_BY:
            raise ValueError(f"a board is ordered by points or accuracy, not {self.order!r}")
        if self.min_answers < 0:
            raise ValueError(f"min_answers cannot be negative ({self.min_answers})")

    def source(self) -> tuple[str, dict[str, Any]]:
        """SQL giving one row per member on the board — (user_id, points, correct, answered) — and its
        parameters."""
        params: dict[str, Any] = {"min_answers": self.min_answers}
        if self.since is None:
            params["scope"] = GLOBAL_BOARD if self.guild_id is None else self.guild_id
            params["pack"] = self.pack_id if self.pack_id is not None else EVERY_PACK
            where = ["guild_id = :scope", "pack_id = :pack"]
            if self.min_answers:
                where.append("answered >= :min_answers")
            if self.guild_id is None:
                where.append(_NOT_HIDDEN)
            return (
                f"SELECT user_id, points, correct, answered FROM board_totals WHERE {' AND '.join(where)}",
                params,
            )
        params["since"] = self.since
        where = ["ranked = 1", "created_at >= :since"]
        having: list[str] = []
        if self.guild_id is not None:
            where.insert(0, "guild_id = :guild")
            params["guild"] = self.guild_id
        else:
            having.append(_NOT_HIDDEN)  # once per member rather than once per result
        if self.pack_id is not None:
            where.append("pack_id = :pack")
            params["pack"] = self.pack_id
        if self.min_answers:
            having.append("COUNT(*) >= :min_answers")
        return (
            "SELECT user_id, SUM(points) AS points, SUM(correct) AS correct, COUNT(*) AS answered FROM results"
            f" WHERE {' AND '.join(where)} GROUP BY user_id" + (f" HAVING {' AND '.join(having)}" if having else ""),
            params,
        )

    def page_sql(self, dialect: Dialect) -> tuple[str, dict[str, Any]]:
        """One page, as rows of (user_id, points, correct, answered, members); the page number is clamped into
        1..pages inside the statement (`:page`, `:per_page`)."""
        source, params = self.source()
        least, greatest = dialect.least, dialect.greatest
        return (
            f"WITH board AS MATERIALIZED ({source}), size AS (SELECT COUNT(*) AS members FROM board)"
            " SELECT user_id, points, correct, answered, members FROM board, size"
            f" ORDER BY {_ORDER_BY[self.order]} LIMIT :per_page"
            f" OFFSET (SELECT :per_page * ({least}({greatest}(:page, 1),"
            f" {greatest}((members + :per_page - 1) / :per_page, 1)) - 1)"
            " FROM size)",
            params,
        )

    def position_sql(self) -> tuple[str, dict[str, Any]]:
        """The rank of `:user` (no row when they are not on the board)."""
        source, params = self.source()
        return (
            f"WITH board AS MATERIALIZED ({source}), me AS (SELECT * FROM board WHERE user_id = :user)"
            f" SELECT 1 + (SELECT COUNT(*) FROM board AS b, me AS m WHERE {_AHEAD[self.order]}) FROM me",
            params,
        )


def pages_for(members: int, per_page: int) -> int:
    return max(1, math.ceil(members / per_page))


def _check_per_page(per_page: int) -> None:
    if per_page < 1:
        raise ValueError(f"a page holds at least one member, not {per_page}")


class BoardRecords(StoreBase):
    async def leaderboard(
        self,
        *,
        guild_id: int | None,
        since: float | None,
        pack_id: str | None,
        page: int,
        per_page: int = 10,
        order: BoardOrder = "points",
        min_answers: int = 0,
    ) -> LeaderboardPage:
        """One page of a board (see the module docstring for the filters), `page` counting from 1 and clamped
        into range. Members with fewer than `min_answers` ranked answers are left out (meant for accuracy)."""
        _check_per_page(per_page)
        page = min(max(page, 1), LARGEST_PAGE)
        sql, params = BoardQuery(guild_id, since, pack_id, order, min_answers).page_sql(self._db.dialect)
        found = await self._db.fetchall(sql, {**params, "page": page, "per_page": per_page})
        members = int(found[0][4]) if found else 0
        pages = pages_for(members, per_page)
        shown = min(max(page, 1), pages)
        first = (shown - 1) * per_page + 1
        rows = tuple(
            BoardRow(first + index, int(user), int(points), int(correct), int(answered))
            for index, (user, points, correct, answered, _) in enumerate(found)
        )
        return LeaderboardPage(rows=rows, page=shown, pages=pages, members=members)

    async def board_position(
        self,
        user_id: int,
        *,
        guild_id: int | None,
        since: float | None,
        pack_id: str | None,
        per_page: int = 10,
        order: BoardOrder = "points",
        min_answers: int = 0,
    ) -> tuple[int, int] | None:
        """The member's rank on the board and the page it is on ("me"); None when they are not on it (no ranked
        result in range, fewer than `min_answers` answers, or hidden from the global board)."""
        _check_per_page(per_page)
        sql, params = BoardQuery(guild_id, since, pack_id, order, min_answers).position_sql()
        row = await self._db.fetchone(sql, {**params, "user": user_id})
        if row is None:
            return None
        rank = int(row[0])
        return rank, (rank - 1) // per_page + 1

    async def profile_stats(self, user_id: int, guild_id: int | None) -> ProfileStats:
        """The member's all-time points, answers and correct answers over ranked results, in one server or (None)
        everywhere; zeros when they have none."""
        row = await self._db.fetchone(
            "SELECT points, answered, correct FROM board_totals WHERE guild_id = ? AND pack_id = ? AND user_id = ?",
            (GLOBAL_BOARD if guild_id is None else guild_id, EVERY_PACK, user_id),
        )
        if row is None:
            return ProfileStats(points=0, answered=0, correct=0)
        return ProfileStats(points=int(row[0]), answered=int(row[1]), correct=int(row[2]))

    async def points_per_day(
        self, user_id: int, guild_id: int | None, since: float, tz_offset_seconds: int = 0
    ) -> list[tuple[str, int]]:
        """The member's ranked points per day since `since`, as ('YYYY-MM-DD', points), oldest first; days are
        shifted by `tz_offset_seconds` from UTC. Days without a ranked result are left out (the chart fills them)."""
        day = self._db.dialect.day_of("created_at + :offset")
        sql = (
            f"SELECT {day} AS day, SUM(points) FROM results"
            " WHERE user_id = :user AND ranked = 1 AND created_at >= :since"
        )
        params: dict[str, Any] = {"offset": tz_offset_seconds, "user": user_id, "since": since}
        if guild_id is not None:
            sql += " AND guild_id = :guild"
            params["guild"] = guild_id
        rows = await self._db.fetchall(sql + " GROUP BY day ORDER BY day", params)
        return [(str(row[0]), int(row[1])) for row in rows]
