"""The engine past one machine: PostgreSQL through an asyncpg connection pool.

Reads run on any pooled connection; a transaction holds one connection for its length. Opening applies the
numbered migrations in `migrations/postgresql/` in one transaction, under an advisory lock so that two bot
processes starting together migrate once. The version is kept in the database (`torchquiz_schema`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg

from bot.storage.database import MigrationError, migrations
from bot.storage.engine import Dialect, DuplicateKey, EngineInfo, Params, RefusedWrite, Row
from bot.storage.group_commit import GroupCommit
from bot.storage.placeholders import bind, numbered
from bot.storage.target import describe_url

POSTGRESQL = Dialect(
    greatest="GREATEST",
    least="LEAST",
    utc_day="to_char(to_timestamp({seconds}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    for_update=" FOR UPDATE",
    row_order="ctid",
)
MIGRATION_LOCK = 0x70C4_0001
"""The advisory lock key held while migrating (any constant; it only has to be the same in every process)."""

_KEY = re.compile(r"^Key \((.+?)\)=")


@contextmanager
def _refused_writes() -> Iterator[None]:
    try:
        yield
    except asyncpg.UniqueViolationError as error:
        match = _KEY.match(str(getattr(error, "detail", "") or ""))
        columns = tuple(name.strip() for name in match.group(1).split(",")) if match else ()
        raise DuplicateKey(str(getattr(error, "table_name", "") or ""), columns, str(error)) from error
    except asyncpg.IntegrityConstraintViolationError as error:
        raise RefusedWrite(str(error)) from error


def _rowcount(status: str) -> int:
    """The row count in a command tag: 'INSERT 0 1' → 1, 'UPDATE 3' → 3, 'CREATE TABLE' → 0."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresExecutor:
    def __init__(self, conn: asyncpg.Pool | asyncpg.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        text, names = numbered(sql)
        with _refused_writes():
            return _rowcount(await self._conn.execute(text, *bind(names, params)))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        text, names = numbered(sql)
        arguments = [bind(names, row) for row in rows]
        if arguments:
            with _refused_writes():
                await self._conn.executemany(text, arguments)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        text, names = numbered(sql)
        record = await self._conn.fetchrow(text, *bind(names, params))
        return None if record is None else tuple(record)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        text, names = numbered(sql)
        return [tuple(record) for record in await self._conn.fetch(text, *bind(names, params))]

    async def fetch_named(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        text, names = numbered(sql)
        return [dict(record.items()) for record in await self._conn.fetch(text, *bind(names, params))]


class PostgresEngine(PostgresExecutor):
    name = "postgresql"
    dialect = POSTGRESQL

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        super().__init__(pool)
        self._pool = pool
        self.url = url
        self._group = GroupCommit(self.transaction)

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True, max_size: int = 10) -> PostgresEngine:
        """Connect a pool to the database at `url` and (unless `migrate` is False) bring its schema up to date."""
        pool = await asyncpg.create_pool(url, min_size=1, max_size=max_size)
        try:
            if migrate:
                async with pool.acquire() as conn:
                    await migrate_postgres(conn)
        except BaseException:
            await pool.close()
            raise
        return cls(pool, url)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresExecutor]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield PostgresExecutor(conn)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[PostgresExecutor]:
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            yield PostgresExecutor(conn)

    async def stream(self, sql: str, params: Params = (), *, batch: int = 2000) -> AsyncIterator[Row]:
        text, names = numbered(sql)
        async with self._pool.acquire() as conn, conn.transaction(readonly=True):
            async for record in conn.cursor(text, *bind(names, params), prefetch=batch):
                yield tuple(record)

    async def group_execute(self, sql: str, params: Params) -> int:
        return await self._group.execute(sql, params)

    async def schema_version(self) -> int:
        async with self._pool.acquire() as conn:
            return await stored_version(conn)

    async def info(self) -> EngineInfo:
        version = str(await self._pool.fetchval("SHOW server_version"))
        pool = f"pool of {self._pool.get_size()} (max {self._pool.get_max_size()}), {self._pool.get_idle_size()} idle"
        return EngineInfo("PostgreSQL", version, describe_url(self.url), pool)

    async def close(self) -> None:
        await self._group.drain()
        await self._pool.close()


async def stored_version(conn: asyncpg.Connection) -> int:
    """The schema version recorded in the database; 0 for a database TorchQuiz never migrated."""
    exists = await conn.fetchval("SELECT to_regclass('torchquiz_schema') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM torchquiz_schema"))


async def migrate_postgres(conn: asyncpg.Connection) -> int:
    """Apply pending migrations in one transaction; returns the resulting version. Nothing changes on failure."""
    available = migrations("postgresql")
    latest = available[-1].version if available else 0
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute("CREATE TABLE IF NOT EXISTS torchquiz_schema (version INTEGER NOT NULL)")
        current = await stored_version(conn)
        if current > latest:
            raise MigrationError(f"database schema {current} is newer than this TorchQuiz ({latest})")
        pending = [m for m in available if m.version > current]
        for migration in pending:
            try:
                await conn.execute(migration.sql)
            except asyncpg.PostgresError as exc:
                raise MigrationError(f"migration {migration.name} failed, database left at {current}: {exc}") from exc
        if pending:
            await conn.execute("DELETE FROM torchquiz_schema")
            await conn.execute("INSERT INTO torchquiz_schema (version) VALUES ($1)", latest)
    return max(current, latest)
