"""The typed storage facade: every read and write TorchQuiz makes, as parameterised SQL behind narrow methods.

`Store` gathers the parts (plays, members, servers, live sessions, private plays, review cards, the daily
question, leaderboards, privacy, backups) over one connection. Writes that belong together run in one transaction
under a lock, because one aiosqlite connection is shared by every coroutine of the bot and SQLite has no nested
transactions; single-row writes from clicks share transactions through group commit. Inserts that a repeated click
could repeat use `ON CONFLICT ... DO NOTHING` against a primary key (not `OR IGNORE`, which would also swallow CHECK
failures) and report whether they stored anything.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.storage.backup import BackupRecords
from bot.storage.boards import BoardRecords
from bot.storage.cards import ReviewRecords
from bot.storage.daily import DailyRecords
from bot.storage.daily_plays import DailyPlayRecords
from bot.storage.database import connect, schema_version
from bot.storage.guilds import GuildRecords
from bot.storage.live import LiveRecords
from bot.storage.members import MemberRecords
from bot.storage.plays import PlayRecords
from bot.storage.privacy import PrivacyRecords
from bot.storage.private import PrivateRecords


class Store(
    PlayRecords,
    MemberRecords,
    GuildRecords,
    LiveRecords,
    PrivateRecords,
    ReviewRecords,
    DailyRecords,
    DailyPlayRecords,
    BoardRecords,
    PrivacyRecords,
    BackupRecords,
):
    """All persistence behind narrow, typed methods (so another database can stand behind the same calls)."""

    @classmethod
    @asynccontextmanager
    async def open(cls, path: Path | str) -> AsyncIterator[Store]:
        db = await connect(path)
        store = cls(db)
        try:
            yield store
        finally:
            await store._group.drain()
            await db.close()

    async def schema_version(self) -> int:
        return await schema_version(self._db)
