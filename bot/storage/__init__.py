"""Persistence: SQLite through aiosqlite behind the `Store` facade."""

from bot.storage.database import MigrationError, connect, migrate, schema_version
from bot.storage.store import BadgeRecord, GuildSettings, Profile, ResultRecord, Store

__all__ = [
    "BadgeRecord",
    "GuildSettings",
    "MigrationError",
    "Profile",
    "ResultRecord",
    "Store",
    "connect",
    "migrate",
    "schema_version",
]
