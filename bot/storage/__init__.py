"""Persistence: SQLite through aiosqlite behind the `Store` facade."""

from bot.storage.backup import BackupExistsError, BackupReport
from bot.storage.boards import BoardOrder
from bot.storage.database import MigrationError, connect, migrate, schema_version
from bot.storage.engine import DuplicateKey, RefusedWrite
from bot.storage.plays import PlayConflict
from bot.storage.records import (
    BadgeRecord,
    BoardRow,
    DailyPost,
    DailyStreak,
    GuildSettings,
    LeaderboardPage,
    LiveSnapshot,
    Profile,
    ProfileStats,
    ResultRecord,
    RoundRow,
)
from bot.storage.store import Store

__all__ = [
    "BackupExistsError",
    "BackupReport",
    "BadgeRecord",
    "BoardOrder",
    "BoardRow",
    "DailyPost",
    "DailyStreak",
    "DuplicateKey",
    "GuildSettings",
    "LeaderboardPage",
    "LiveSnapshot",
    "MigrationError",
    "PlayConflict",
    "Profile",
    "ProfileStats",
    "RefusedWrite",
    "ResultRecord",
    "RoundRow",
    "Store",
    "connect",
    "migrate",
    "schema_version",
]
