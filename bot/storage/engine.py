"""What the storage parts need from a database engine, whichever one stands behind them.

The parts of `Store` (`plays.py`, `boards.py`, …) write their SQL once, in the dialect both engines share:
placeholders are `?` (with a sequence) or `:name` (with a mapping), upserts are `ON CONFLICT … DO …`, and the few
spellings that differ (a scalar maximum, a calendar day from unix seconds, row locks) come from `Dialect`. An
`Engine` runs that SQL on SQLite (`sqlite_engine.py`, one aiosqlite connection) or on PostgreSQL
(`postgres_engine.py`, an asyncpg pool), and turns each driver's duplicate-key error into `DuplicateKey`, so the
rules the database keeps (one running challenge per member, …) read the same on both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

Params = Sequence[Any] | Mapping[str, Any]
Row = Sequence[Any]


class RefusedWrite(Exception):
    """The database refused a write that breaks one of its rules (a CHECK, NOT NULL, a foreign or unique key);
    the message is the database's own."""


class DuplicateKey(RefusedWrite):
    """A write broke a unique key or index: `table` and the `columns` of that key, as the database named them."""

    def __init__(self, table: str, columns: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.table = table
        self.columns = columns


@dataclass(frozen=True)
class Dialect:
    """The spellings that differ between the engines; everything else is written once."""

    greatest: str
    """The scalar maximum of its arguments: `MAX(a, b)` on SQLite, `GREATEST(a, b)` on PostgreSQL."""
    least: str
    utc_day: str
    """A template with `{seconds}`: the UTC calendar day 'YYYY-MM-DD' of that many unix seconds."""
    for_update: str
    """Appended to a SELECT inside a transaction to lock the rows it read ('' where writes are serialised)."""
    row_order: str
    """An expression that orders a table's rows by insertion, where the engine has one."""

    def day_of(self, seconds: str) -> str:
        return self.utc_day.format(seconds=seconds)


@dataclass(frozen=True)
class EngineInfo:
    """What `doctor` reports about the engine."""

    engine: str
    """'SQLite' or 'PostgreSQL'."""
    version: str
    where: str
    """The file, or the server and database (never a password)."""
    pool: str
    """How connections are held: 'one connection' or the pool's size, idle and in use."""


class Executor(Protocol):
    """Running SQL: on the engine itself (reads) or inside one of its transactions."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; how many rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetch_named(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        """Rows as column name → value (for exports)."""
        ...


class Engine(Executor, Protocol):
    name: str
    """'sqlite' or 'postgresql': the URL scheme that chose it."""
    dialect: Dialect

    def transaction(self) -> AbstractAsyncContextManager[Executor]:
        """One write transaction: committed when the block ends, rolled back when it raises."""
        ...

    def snapshot(self) -> AbstractAsyncContextManager[Executor]:
        """Reads that all see one state of the database."""
        ...

    def stream(self, sql: str, params: Params = (), *, batch: int = 2000) -> AsyncIterator[Row]:
        """Every row of a query, fetched `batch` at a time (for exports of any size)."""
        ...

    async def group_execute(self, sql: str, params: Params) -> int:
        """Run one single-row write in the next shared transaction (group commit); its row count once committed."""
        ...

    async def schema_version(self) -> int: ...

    async def info(self) -> EngineInfo: ...

    async def close(self) -> None: ...
