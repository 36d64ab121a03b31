"""Which engine a database setting names: a SQLite file (a path, or `sqlite:///path`) or a PostgreSQL server
(`postgresql://user@host:port/db`)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bot.storage.engine import Engine

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: Path | str) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


async def open_engine(target: Path | str) -> Engine:
    """Open the database `target` names, bringing its schema up to date."""
    if is_postgres(target):
        from bot.storage.postgres_engine import PostgresEngine

        return await PostgresEngine.open(str(target))
    from bot.storage.sqlite_engine import SqliteEngine

    return await SqliteEngine.open(target)


def describe_url(url: str) -> str:
    """`user@host:port/database`, leaving out any password."""
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{user}{parts.hostname or 'localhost'}{port}{parts.path or '/'}"
