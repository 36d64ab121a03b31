"""Private plays as they run: their question list, and snapshots to replay and resume them after a restart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.plays import PlayMode
from bot.storage._base import StoreBase
from bot.storage.records import RoundRow

PRIVATE_MODES = (PlayMode.CHALLENGE.value, PlayMode.PRACTICE.value, PlayMode.REVIEW.value)
"""Modes played privately by one member; live quizzes and the daily question are delivered in a channel."""


@dataclass(frozen=True)
class PrivateSnapshot:
    """Everything stored about a private play: enough to rebuild it through the engine."""

    play_id: str
    mode: PlayMode
    guild_id: int | None
    channel_id: int | None
    owner_id: int
    pack_id: str
    started_at: float
    items: tuple[tuple[str, str], ...]  # (pack id, question id) in play order
    rounds: tuple[RoundRow, ...] = ()
    attempts: tuple[tuple[str, str, bool, float], ...] = ()  # round, choice, correct, time
    hints: tuple[tuple[str, float], ...] = ()  # round, time


class PrivateRecords(StoreBase):
    async def set_play_items(self, play_id: str, items: Sequence[tuple[str, str]]) -> None:
        async with self._db.transaction() as db:
            await db.executemany(
                "INSERT INTO play_items (play_id, position, pack_id, question_id) VALUES (?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [(play_id, position, pack_id, question_id) for position, (pack_id, question_id) in enumerate(items)],
            )

    async def play_mode(self, play_id: str) -> PlayMode | None:
        """The mode a play was stored with (how a click on a play that is gone gets the right words)."""
        row = await self._db.fetchone("SELECT mode FROM plays WHERE id = ?", (play_id,))
        if row is None:
            return None
        try:
            return PlayMode(str(row[0]))
        except ValueError:
            return None

    async def running_private_plays(self) -> list[PrivateSnapshot]:
        """Every private play a shutdown interrupted, oldest first."""
        marks = ",".join("?" * len(PRIVATE_MODES))
        heads = await self._db.fetchall(
            "SELECT id, mode, guild_id, channel_id, owner_id, pack_id, started_at FROM plays"
            f" WHERE ended_at IS NULL AND mode IN ({marks}) ORDER BY started_at",
            PRIVATE_MODES,
        )
        return [await self._private_snapshot(tuple(head)) for head in heads]

    async def _private_snapshot(self, head: tuple[object, ...]) -> PrivateSnapshot:
        play_id, owner = str(head[0]), int(str(head[4]))
        listed = await self._db.fetchall(
            "SELECT pack_id, question_id FROM play_items WHERE play_id = ? ORDER BY position", (play_id,)
        )
        items = tuple((str(r[0]), str(r[1])) for r in listed)
        rounds = await self.rounds_of(play_id)
        round_ids = [r.round_id for r in rounds]
        attempts: tuple[tuple[str, str, bool, float], ...] = ()
        hints: tuple[tuple[str, float], ...] = ()
        if round_ids:
            marks = ",".join("?" * len(round_ids))
            clicks = await self._db.fetchall(
                f"SELECT round_id, choice, correct, created_at FROM attempts WHERE round_id IN ({marks})"
                " AND user_id = ? ORDER BY created_at, attempt",
                (*round_ids, owner),
            )
            attempts = tuple((str(r[0]), str(r[1]), bool(r[2]), float(r[3])) for r in clicks)
            taken = await self._db.fetchall(
                f"SELECT round_id, created_at FROM hints WHERE round_id IN ({marks}) AND user_id = ?"
                " ORDER BY created_at",
                (*round_ids, owner),
            )
            hints = tuple((str(r[0]), float(r[1])) for r in taken)
        return PrivateSnapshot(
            play_id=play_id,
            mode=PlayMode(str(head[1])),
            guild_id=None if head[2] is None else int(str(head[2])),
            channel_id=None if head[3] is None else int(str(head[3])),
            owner_id=owner,
            pack_id=str(head[5]),
            started_at=float(str(head[6])),
            items=items,
            rounds=rounds,
            attempts=attempts,
            hints=hints,
        )
