"""Reading back a daily question's play after a restart: its round, every member's attempts and hints, and who
already has a result.

A daily play is one round (`<play id>-0`) that every member of the server answers, so unlike a private play its
snapshot holds all members' clicks. Writes go through the shared methods (`open_round`, `record_attempt`,
`record_hint`, `close_round`, `finish_play`); this part only reads.
"""

from __future__ import annotations

from bot.storage._base import StoreBase
from bot.storage.daily import post_from_row
from bot.storage.records import DailyPost, RoundRow


class DailyPlayRecords(StoreBase):
    async def open_daily_posts(self) -> list[DailyPost]:
        """Daily posts whose play is not done, oldest day first: the round is not closed (or was never stored,
        when a shutdown came between the claim and the round), or the play has not ended."""
        rows = await self._db.fetchall(
            "SELECT d.guild_id, d.day, d.pack_id, d.question_id, d.play_id, d.channel_id, d.message_id, d.posted_at"
            " FROM daily_posts d JOIN plays p ON p.id = d.play_id"
            " LEFT JOIN rounds r ON r.play_id = d.play_id"
            " WHERE r.closed_at IS NULL OR p.ended_at IS NULL ORDER BY d.day, d.guild_id"
        )
        return [post_from_row(tuple(row)) for row in rows]

    async def play_round(self, play_id: str) -> RoundRow | None:
        """The first round of a play (a daily play has only that one)."""
        rounds = await self.rounds_of(play_id)
        return rounds[0] if rounds else None

    async def round_attempts(self, round_id: str) -> list[tuple[int, str, bool, float]]:
        """Every member's stored attempts on a round, as (member, choice, correct, time), in the order made."""
        rows = await self._db.fetchall(
            "SELECT user_id, choice, correct, created_at FROM attempts WHERE round_id = ?"
            " ORDER BY created_at, user_id, attempt",
            (round_id,),
        )
        return [(int(r[0]), str(r[1]), bool(r[2]), float(r[3])) for r in rows]

    async def round_hints(self, round_id: str) -> list[tuple[int, float]]:
        """Every member's stored (charged) hint on a round, as (member, time), in the order taken."""
        rows = await self._db.fetchall(
            "SELECT user_id, created_at FROM hints WHERE round_id = ? ORDER BY created_at, user_id", (round_id,)
        )
        return [(int(r[0]), float(r[1])) for r in rows]

    async def round_result_members(self, round_id: str) -> set[int]:
        """The members whose final outcome of this round is stored."""
        rows = await self._db.fetchall("SELECT user_id FROM results WHERE round_id = ?", (round_id,))
        return {int(r[0]) for r in rows}
