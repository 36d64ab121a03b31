"""Persistence: SQLite through aiosqlite behind the `Store` facade."""

from bot.storage.database import MigrationError, connect, migrate, schema_version
from bot.storage.records import (
    BadgeRecord,
    DailyPost,
    DailyStreak,
    GuildSettings,
    LiveSnapshot,
    Profile,
    ResultRecord,
    RoundRow,
)
from bot.storage.store import Store

__all__ = [
    "BadgeRecord",
    "DailyPost",
    "DailyStreak",
    "GuildSettings",
    "LiveSnapshot",
    "MigrationError",
    "Profile",
    "ResultRecord",
    "RoundRow",
    "Store",
    "connect",
    "migrate",
    "schema_version",
]
