"""What every part of the storage facade shares: the connection, the write lock and group commit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite

from bot.storage.group_commit import GroupCommit
from bot.storage.records import RoundRow

ROUND_COLUMNS = "id, position, question_id, opened_at, deadline, closed_at, message_id"


class StoreBase:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        self._lock = asyncio.Lock()
        self._group = GroupCommit(db, self._lock)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction at a time: one aiosqlite connection serves every coroutine of the bot."""
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.rollback()
                raise
            await self._db.commit()

    async def rounds_of(self, play_id: str) -> tuple[RoundRow, ...]:
        """Every round of a play, in play order (what replaying a play after a restart starts from)."""
        async with self._db.execute(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE play_id = ? ORDER BY position", (play_id,)
        ) as cursor:
            return tuple(RoundRow(*row) for row in await cursor.fetchall())
