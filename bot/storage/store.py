"""The typed storage facade: every read and write TorchQuiz makes, as parameterised SQL behind narrow methods.

`Store` gathers the parts (plays, members, servers, live sessions, private plays, review cards, the daily
question, leaderboards, privacy, backups) over one engine: SQLite (embedded, the default) or PostgreSQL (see
`engine.py`). Writes that belong together run in one transaction; single-row writes from clicks share transactions
through group commit. Inserts that a repeated click
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
from bot.storage.engine import EngineInfo
from bot.storage.guilds import GuildRecords
from bot.storage.live import LiveRecords
from bot.storage.members import MemberRecords
from bot.storage.plays import PlayRecords
from bot.storage.privacy import PrivacyRecords
from bot.storage.private import PrivateRecords
from bot.storage.target import open_engine


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
    async def open(cls, target: Path | str) -> AsyncIterator[Store]:
        """Open the database `target` names (a SQLite path, or a `postgresql://` URL), migrated and ready."""
        engine = await open_engine(target)
        try:
            yield cls(engine)
        finally:
            await engine.close()

    @property
    def engine_name(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self._db.name

    async def schema_version(self) -> int:
        return await self._db.schema_version()

    async def engine_info(self) -> EngineInfo:
        return await self._db.info()
