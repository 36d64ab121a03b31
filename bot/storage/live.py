"""Live sessions as they run: their question list, joins, the message of each round, and snapshots to replay."""

from __future__ import annotations

import json

from bot.storage._base import StoreBase
from bot.storage.engine import DuplicateKey
from bot.storage.plays import conflict_of
from bot.storage.records import LiveSnapshot


class LiveRecords(StoreBase):
    async def start_live(
        self,
        play_id: str,
        *,
        guild_id: int | None,
        channel_id: int,
        owner_id: int,
        pack_id: str,
        started_at: float,
        question_ids: list[str],
        time_limit: int,
    ) -> None:
        """Store a new live quiz; `PlayConflict` when one is already running in the channel (any process)."""
        try:
            async with self._db.transaction() as db:
                await db.execute(
                    "INSERT INTO plays (id, mode, guild_id, channel_id, owner_id, pack_id, started_at)"
                    " VALUES (?, 'live', ?, ?, ?, ?, ?)",
                    (play_id, guild_id, channel_id, owner_id, pack_id, started_at),
                )
                await db.execute(
                    "INSERT INTO live_sessions (play_id, question_ids, time_limit) VALUES (?, ?, ?)",
                    (play_id, json.dumps(question_ids), time_limit),
                )
        except DuplicateKey as error:
            raise conflict_of(error) or error from None

    async def set_lobby_message(self, play_id: str, message_id: int) -> None:
        async with self._db.transaction() as db:
            await db.execute("UPDATE live_sessions SET lobby_message_id = ? WHERE play_id = ?", (message_id, play_id))

    async def set_round_message(self, round_id: str, message_id: int) -> None:
        async with self._db.transaction() as db:
            await db.execute("UPDATE rounds SET message_id = ? WHERE id = ?", (message_id, round_id))

    async def add_participant(self, play_id: str, user_id: int, *, joined_at: float) -> bool:
        stored = await self._db.group_execute(
            "INSERT INTO participants (play_id, user_id, joined_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (play_id, user_id, joined_at),
        )
        return stored == 1

    async def running_live_sessions(self) -> list[LiveSnapshot]:
        """Every live session a shutdown interrupted, with all it stored, oldest first."""
        heads = await self._db.fetchall(
            "SELECT p.id, p.guild_id, p.channel_id, p.owner_id, p.pack_id, p.started_at,"
            " l.question_ids, l.time_limit, l.lobby_message_id"
            " FROM plays p JOIN live_sessions l ON l.play_id = p.id"
            " WHERE p.mode = 'live' AND p.ended_at IS NULL ORDER BY p.started_at"
        )
        return [await self._snapshot(tuple(head)) for head in heads]

    async def _snapshot(self, head: tuple[object, ...]) -> LiveSnapshot:
        play_id = str(head[0])
        joined = await self._db.fetchall(
            "SELECT user_id, joined_at FROM participants WHERE play_id = ? ORDER BY joined_at", (play_id,)
        )
        participants = tuple((int(r[0]), float(r[1])) for r in joined)
        rounds = await self.rounds_of(play_id)
        round_ids = [r.round_id for r in rounds]
        marks = ",".join("?" * len(round_ids))
        attempts: tuple[tuple[str, int, str, float], ...] = ()
        hints: tuple[tuple[str, int, float], ...] = ()
        if round_ids:
            clicks = await self._db.fetchall(
                f"SELECT round_id, user_id, choice, created_at FROM attempts WHERE round_id IN ({marks})"
                " ORDER BY created_at, attempt",
                round_ids,
            )
            attempts = tuple((str(r[0]), int(r[1]), str(r[2]), float(r[3])) for r in clicks)
            taken = await self._db.fetchall(
                f"SELECT round_id, user_id, created_at FROM hints WHERE round_id IN ({marks}) ORDER BY created_at",
                round_ids,
            )
            hints = tuple((str(r[0]), int(r[1]), float(r[2])) for r in taken)
        return LiveSnapshot(
            play_id=play_id,
            guild_id=None if head[1] is None else int(str(head[1])),
            channel_id=None if head[2] is None else int(str(head[2])),
            owner_id=int(str(head[3])),
            pack_id=str(head[4]),
            started_at=float(str(head[5])),
            question_ids=tuple(json.loads(str(head[6]))),
            time_limit=int(str(head[7])),
            lobby_message_id=None if head[8] is None else int(str(head[8])),
            participants=participants,
            rounds=rounds,
            attempts=attempts,
            hints=hints,
        )
