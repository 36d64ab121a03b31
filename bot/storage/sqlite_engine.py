"""The embedded engine: one aiosqlite connection shared by every coroutine of the bot.

SQLite has one writer at a time and no nested transactions, so write transactions take a lock and `BEGIN
IMMEDIATE`; reads run on the same connection between them. Opening applies the numbered migrations of
`database.py`.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.database import connect, schema_version
from bot.storage.engine import Dialect, DuplicateKey, EngineInfo, Params, RefusedWrite, Row
from bot.storage.group_commit import GroupCommit

SQLITE = Dialect(
    greatest="MAX",
    least="MIN",
    utc_day="strftime('%Y-%m-%d', {seconds}, 'unixepoch')",
    for_update="",
    row_order="rowid",
)

_UNIQUE = re.compile(r"^UNIQUE constraint failed: (.+)$")


@contextmanager
def _refused_writes() -> Iterator[None]:
    """SQLite's "UNIQUE constraint failed: plays.owner_id" as `DuplicateKey('plays', ('owner_id',))`; any other
    broken rule as `RefusedWrite`."""
    try:
        yield
    except sqlite3.IntegrityError as error:
        match = _UNIQUE.match(str(error))
        if match is None:
            raise RefusedWrite(str(error)) from error
        qualified = [name.strip() for name in match.group(1).split(",")]
        table = qualified[0].split(".", 1)[0]
        columns = tuple(name.split(".", 1)[-1] for name in qualified)
        raise DuplicateKey(table, columns, str(error)) from error


class SqliteExecutor:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    async def execute(self, sql: str, params: Params = ()) -> int:
        with _refused_writes():
            cursor = await self._db.execute(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        with _refused_writes():
            await self._db.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self._db.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return None if row is None else tuple(row)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._db.execute(sql, params) as cursor:
            return [tuple(row) for row in await cursor.fetchall()]

    async def fetch_named(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        async with self._db.execute(sql, params) as cursor:
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, tuple(row), strict=True)) for row in await cursor.fetchall()]


class SqliteEngine(SqliteExecutor):
    name = "sqlite"
    dialect = SQLITE

    def __init__(self, db: aiosqlite.Connection, path: Path | str) -> None:
        super().__init__(db)
        self.path = path
        self._lock = asyncio.Lock()
        self._group = GroupCommit(self.transaction)

    @classmethod
    async def open(cls, path: Path | str) -> SqliteEngine:
        """Open (creating and migrating when needed) the database file at `path`."""
        return cls(await connect(path), path)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteExecutor]:
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                await self._db.rollback()
                raise
            await self._db.commit()

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[SqliteExecutor]:
        """A read transaction under the write lock: no write of this bot lands in between."""
        async with self._lock:
            await self._db.execute("BEGIN")
            try:
                yield self
            finally:
                await self._db.commit()

    async def stream(self, sql: str, params: Params = (), *, batch: int = 2000) -> AsyncIterator[Row]:
        async with self._db.execute(sql, params) as cursor:
            while rows := await cursor.fetchmany(batch):
                for row in rows:
                    yield tuple(row)

    async def group_execute(self, sql: str, params: Params) -> int:
        return await self._group.execute(sql, params)

    async def schema_version(self) -> int:
        return await schema_version(self._db)

    async def info(self) -> EngineInfo:
        return EngineInfo("SQLite", sqlite3.sqlite_version, str(self.path), "one connection")

    async def close(self) -> None:
        await self._group.drain()
        await self._db.close()
