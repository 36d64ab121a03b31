"""The storage benchmark's PostgreSQL side: a server to run on, and the benchmark's data copied into it.

`postgres_database` gives the database to fill: the one `--postgres URL` names, or a fresh database on a throwaway
server started with the test harness (`tests/servers/postgres.py`: its own folder and port, fsync off), or None
when this machine has no PostgreSQL server binaries. `load` copies the SQLite database `bench/storage_data.py`
built (after migration 0007 set `results.ranked`, and with its hidden members) into it, row for row:

- `Store.open(url)` applies the PostgreSQL migrations, so the schema is the bot's own, indexes and triggers included;
- every table the generator wrote is copied with `COPY` (asyncpg's `copy_records_to_table`) in one transaction,
  while the row triggers that keep `board_totals` are off (`DISABLE TRIGGER USER`) and the copied tables' foreign
  keys are dropped, to be added back (and so checked, in one pass each) before it commits;
- `board_totals` is then filled by the very `INSERT … SELECT … GROUP BY` statements migration 0007 backfills it
  with on SQLite, and `VACUUM ANALYZE` gives the planner its statistics and the visibility map that index-only
  scans need (what autovacuum would have done on a server that had been running); a `CHECKPOINT` then writes the
  load back before any query is timed;
- every copied table, and `board_totals` (rows, points, answers), must count the same on both engines.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from bench.storage_data import split_statements
from bot.storage import Store
from bot.storage.database import migrations
from bot.storage.target import describe_url

COPIED = ("plays", "rounds", "results", "result_tags", "participants", "members", "hidden_members")
"""The tables the benchmark's data live in, in an order that keeps foreign keys satisfied."""
BATCH = 100_000
"""Rows read from SQLite and sent per COPY."""
TOTALS_MIGRATION = 7
"""The SQLite migration whose backfill of `board_totals` the load repeats."""
FOREIGN_KEYS = """
SELECT quote_ident(c.relname) AS table, quote_ident(k.conname) AS name, pg_get_constraintdef(k.oid) AS definition
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
WHERE k.contype = 'f' AND c.relname = ANY($1::text[]) AND pg_table_is_visible(c.oid)
"""
"""The foreign keys of the copied tables, as ALTER TABLE … ADD CONSTRAINT spells them."""
TOTALS_CHECK = "SELECT COUNT(*), SUM(points), SUM(correct), SUM(answered) FROM board_totals"


class NotEmpty(RuntimeError):
    """The PostgreSQL database given already holds TorchQuiz rows; the benchmark fills only an empty one."""


@dataclass(frozen=True)
class Target:
    url: str
    description: str
    durable: bool = True
    """False on the throwaway server (fsync off): its writes' figures leave out flushing the commit."""


@contextmanager
def postgres_database(url: str | None) -> Iterator[Target | None]:
    """The database to fill: `url`'s, or a new one on a throwaway server (stopped afterwards); None without
    PostgreSQL."""
    if url is not None:
        yield Target(url, f"the server at {describe_url(url)}")
        return
    from tests.servers.postgres import PostgresNotFound, PostgresServer

    try:
        server = PostgresServer()
    except PostgresNotFound as error:
        print(f"no PostgreSQL server binaries ({error}): SQLite only; pass --postgres URL to use a running server")
        yield None
        return
    with server:
        description = (
            f"a throwaway server ({server.bin_dir}, started in {server.start_seconds:.1f} s) with fsync off, which"
            " the query figures do not depend on: they are reads on a warm cache"
        )
        yield Target(server.create_database(), description, durable=False)


@dataclass
class Loaded:
    version: str = ""
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    """Seconds per step: 'migrations', 'copy', 'board_totals', 'vacuum analyze', 'checkpoint'."""

    def summary(self) -> str:
        steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in self.seconds.items())
        return f"PostgreSQL {self.version} loaded in {sum(self.seconds.values()):.1f} s ({steps})"


def totals_backfill() -> list[str]:
    """Migration 0007's `INSERT INTO board_totals … SELECT … GROUP BY` statements, as it runs them on SQLite."""
    migration = migrations()[TOTALS_MIGRATION - 1]
    return [s for s in split_statements(migration.sql) if s.strip().startswith("INSERT INTO board_totals")]


def _columns(source: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in source.execute(f"PRAGMA table_info({table})")]


def _batches(source: sqlite3.Connection, table: str, columns: Sequence[str]) -> Iterator[list[tuple[Any, ...]]]:
    cursor = source.execute(f"SELECT {', '.join(columns)} FROM {table}")
    while rows := cursor.fetchmany(BATCH):
        yield rows


async def _check_empty(conn: asyncpg.Connection) -> None:
    for table in (*COPIED, "board_totals"):
        if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):
            raise NotEmpty(f"the PostgreSQL database is not empty ({table} has rows): give the benchmark a new one")


async def _copy(conn: asyncpg.Connection, source: sqlite3.Connection) -> dict[str, int]:
    """Every benchmark table from SQLite, in one transaction; the rows copied per table.

    `results`' row triggers are off meanwhile (`board_totals` is filled afterwards in one pass), and so are the
    foreign keys of the copied tables: checked row by row they take most of the copy's time, so they are dropped
    and added back afterwards, which checks every row again in one pass per key (an error rolls everything back).
    """
    copied: dict[str, int] = {}
    async with conn.transaction():
        keys = await conn.fetch(FOREIGN_KEYS, list(COPIED))
        for key in keys:
            await conn.execute(f"ALTER TABLE {key['table']} DROP CONSTRAINT {key['name']}")
        await conn.execute("ALTER TABLE results DISABLE TRIGGER USER")
        for table in COPIED:
            columns = _columns(source, table)
            copied[table] = 0
            for rows in _batches(source, table, columns):
                await conn.copy_records_to_table(table, records=rows, columns=columns)
                copied[table] += len(rows)
        await conn.execute("ALTER TABLE results ENABLE TRIGGER USER")
        for key in keys:
            await conn.execute(f"ALTER TABLE {key['table']} ADD CONSTRAINT {key['name']} {key['definition']}")
    return copied


async def _compare(conn: asyncpg.Connection, source: sqlite3.Connection, copied: dict[str, int]) -> None:
    """Raise unless every table, and board_totals' sums, count the same on both engines."""
    for table in COPIED:
        (expected,) = source.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
        found = int(await conn.fetchval(f"SELECT COUNT(*) FROM {table}"))
        if not expected == found == copied[table]:
            raise RuntimeError(f"{table}: {expected:,} rows in SQLite, {found:,} in PostgreSQL")
    expected_totals = tuple(source.execute(TOTALS_CHECK).fetchone())
    found_totals = tuple(int(value) for value in await conn.fetchrow(TOTALS_CHECK))
    if expected_totals != found_totals:
        raise RuntimeError(f"board_totals (rows, points, correct, answered): {expected_totals} != {found_totals}")
    copied["board_totals"] = found_totals[0]


async def _checkpoint(conn: asyncpg.Connection) -> None:
    """Write the load back now rather than while queries are timed (skipped where the role may not)."""
    with suppress(asyncpg.InsufficientPrivilegeError):
        await conn.execute("CHECKPOINT")


async def prepare(url: str) -> Loaded:
    """Apply TorchQuiz's PostgreSQL migrations to the database at `url` and make sure it holds no rows yet (before
    the SQLite side spends time filling); raises `NotEmpty` otherwise."""
    loaded = Loaded()
    began = time.perf_counter()
    async with Store.open(url):
        pass
    loaded.seconds["migrations"] = time.perf_counter() - began
    conn = await asyncpg.connect(url)
    try:
        loaded.version = str(await conn.fetchval("SHOW server_version"))
        await _check_empty(conn)
    finally:
        await conn.close()
    return loaded


async def load(sqlite_path: Path, url: str, loaded: Loaded) -> Loaded:
    """Copy the benchmark's SQLite database at `sqlite_path` into the PostgreSQL database `prepare` readied."""
    source = sqlite3.connect(sqlite_path)
    conn = await asyncpg.connect(url)
    try:
        began = time.perf_counter()
        loaded.rows = await _copy(conn, source)
        loaded.seconds["copy"] = time.perf_counter() - began
        began = time.perf_counter()
        async with conn.transaction():
            for statement in totals_backfill():
                await conn.execute(statement)
        loaded.seconds["board_totals"] = time.perf_counter() - began
        began = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        loaded.seconds["vacuum analyze"] = time.perf_counter() - began
        began = time.perf_counter()
        await _checkpoint(conn)
        loaded.seconds["checkpoint"] = time.perf_counter() - began
        await _compare(conn, source, loaded.rows)
    finally:
        await conn.close()
        source.close()
    return loaded
