"""Copying a whole TorchQuiz database into a new, empty one on either engine (SQLite → PostgreSQL is the usual move).

Rules, in the order `copy_database` applies them:

- both databases are at the latest schema of their engine (the source is never migrated here: the bot migrates
  it when it starts), and both hold exactly the tables of `TABLES` and `REBUILT` (a table this module does not
  know is refused rather than left behind);
- the target holds no row in any table (`first_filled`); nothing is ever merged into existing data;
- the rows are read in one snapshot of the source, a page at a time in primary-key order (keyset pages, so
  memory stays flat however many results there are), and written with `executemany` in one transaction on the
  target, parents before the tables whose foreign keys point at them (the order of `TABLES`);
- `board_totals` (all-time leaderboard totals, kept by triggers on `results`) is not copied but rebuilt from the
  copied results, then checked against the source's (rows and sums), so a copy whose leaderboards would differ
  is rolled back. The triggers are paused while results are copied (SQLite: dropped and created again from their
  own SQL; PostgreSQL: `DISABLE TRIGGER USER`, when the role owns the table, else they run), all inside the
  transaction, and the totals are built by one `INSERT … SELECT` with the triggers' sums. Row by row, a million
  results would make four million upserts, and on PostgreSQL each update of a hot total in one transaction
  leaves a dead row version behind, so that path slows down as it goes (20,000 results took 6 s, 100,000 over a
  minute);
- every copied table's row count is checked on both sides before the transaction commits; on PostgreSQL, the
  identity behind `review_logs.id` is moved past the copied ids so the next review gets a fresh one.

Values are copied as they are, but for floats in the target's integer columns (SQLite keeps 2.5 in an INTEGER column
as it is): a whole one becomes its integer, a fraction is refused, as asyncpg would cut it to 2 without a word.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.storage.database import migrations
from bot.storage.engine import Engine, Executor, Row

BATCH = 5000
"""Rows read per page and written per `executemany`."""

TABLES: tuple[str, ...] = (
    "plays",
    "rounds",
    "attempts",
    "hints",
    "results",
    "result_tags",
    "members",
    "badges",
    "guild_settings",
    "live_sessions",
    "participants",
    "guild_packs",
    "cards",
    "review_logs",
    "daily_posts",
    "daily_streaks",
    "play_items",
    "hidden_members",
)
"""Every table whose rows are copied, each after the tables its foreign keys point at."""

REBUILT: dict[str, tuple[str, ...]] = {"board_totals": ("points", "correct", "answered")}
"""Tables the target's own triggers fill from copied rows: not copied, but compared with the source (the row
count and the sums of these columns)."""

BOARD_SOURCE = "results"
"""The table whose triggers keep `board_totals`."""
REBUILD_BOARD_TOTALS = (
    "WITH totals AS (SELECT guild_id, pack_id, user_id, SUM(points) AS points, SUM(correct) AS correct,"
    " COUNT(*) AS answered FROM results WHERE ranked = 1 GROUP BY guild_id, pack_id, user_id)"
    " INSERT INTO board_totals (guild_id, pack_id, user_id, points, correct, answered)"
    " SELECT guild_id, pack_id, user_id, SUM(points), SUM(correct), SUM(answered) FROM ("
    "  SELECT 0 AS guild_id, '' AS pack_id, user_id, points, correct, answered FROM totals"
    "  UNION ALL SELECT 0, pack_id, user_id, points, correct, answered FROM totals"
    "  UNION ALL SELECT guild_id, '', user_id, points, correct, answered FROM totals WHERE guild_id IS NOT NULL"
    "  UNION ALL SELECT guild_id, pack_id, user_id, points, correct, answered FROM totals WHERE guild_id IS NOT NULL"
    " ) AS boards GROUP BY guild_id, pack_id, user_id"
)
"""What the triggers add up, result by result: every ranked result on the global board (every pack, and its
pack) and, when it has a server, on that server's (every pack, and its pack)."""

BOOKKEEPING = frozenset({"torchquiz_schema"})
"""Tables that record the schema version, not data (PostgreSQL's; SQLite keeps it in `PRAGMA user_version`)."""


class CopyRefused(Exception):
    """The copy cannot be made (or did not come out equal); nothing was written. The message is one line."""


class NotEmpty(CopyRefused):
    def __init__(self, table: str, rows: int) -> None:
        super().__init__(f"the target is not empty (table {table} has {rows_of(rows)})")
        self.table = table
        self.rows = rows


class NotCurrent(CopyRefused):
    def __init__(self, role: str, version: int, latest: int) -> None:
        super().__init__(f"the {role} is at schema {version}, not {latest}, the latest of its engine")
        self.role = role
        self.version = version
        self.latest = latest


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    """Rows now in the target's table, equal to the source's."""
    rebuilt: bool = False
    """Filled by the target's triggers rather than copied (and found equal to the source's)."""


@dataclass(frozen=True)
class CopyReport:
    tables: tuple[TableCopy, ...]
    seconds: float

    @property
    def copied(self) -> int:
        """Rows written by the copy itself (rebuilt tables left out)."""
        return sum(table.rows for table in self.tables if not table.rebuilt)


@dataclass(frozen=True)
class _Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    whole: tuple[int, ...]
    """Positions (in `columns`) of the target's integer columns."""


def rows_of(count: int) -> str:
    """'1 row', '12,345 rows'."""
    return f"{count:,} row{'' if count == 1 else 's'}"


def latest_version(engine_name: str) -> int:
    """The schema version this TorchQuiz migrates an engine's database to."""
    available = migrations(engine_name)
    return available[-1].version if available else 0


async def check_current(engine: Engine, role: str) -> int:
    """The database's schema version; NotCurrent unless it is the latest of its engine."""
    version = await engine.schema_version()
    latest = latest_version(engine.name)
    if version != latest:
        raise NotCurrent(role, version, latest)
    return version


async def table_names(db: Executor, engine_name: str) -> list[str]:
    """The database's own tables (not the engine's internal ones, nor the schema bookkeeping), by name."""
    if engine_name == "postgresql":
        sql = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_type = 'BASE TABLE'"
        )
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    return sorted(str(row[0]) for row in await db.fetchall(sql) if str(row[0]) not in BOOKKEEPING)


async def first_filled(db: Executor, engine_name: str) -> tuple[str, int] | None:
    """The first table holding rows (in `TABLES` order, then any other) and how many; None when all are empty."""
    names = await table_names(db, engine_name)
    ordered = [name for name in (*TABLES, *REBUILT) if name in names] + [name for name in names if name not in TABLES]
    for name in dict.fromkeys(ordered):
        if await db.fetchone(f'SELECT 1 FROM "{name}" LIMIT 1') is not None:
            return name, await _count(db, name)
    return None


async def check_empty(db: Executor, engine_name: str) -> None:
    """NotEmpty when any table of the database holds a row."""
    filled = await first_filled(db, engine_name)
    if filled is not None:
        raise NotEmpty(*filled)


async def copy_database(source: Engine, target: Engine, *, batch: int = BATCH) -> CopyReport:
    """Copy every row of `source` into the empty `target` (see the module docstring); CopyRefused when a rule is
    not met or the copy does not come out equal, with nothing written."""
    began = time.perf_counter()
    await check_current(source, "source")
    await check_current(target, "target")
    expected = set(TABLES) | set(REBUILT)
    for role, engine in (("source", source), ("target", target)):
        found = set(await table_names(engine, engine.name))
        if found != expected:
            unknown, missing = sorted(found - expected), sorted(expected - found)
            raise CopyRefused(
                f"the {role}'s tables are not the ones TorchQuiz copies: {_differences(unknown, missing)}"
            )
    tables = [await _describe(source, target, name) for name in TABLES]
    report: list[TableCopy] = []
    async with source.snapshot() as reader, target.transaction() as writer:
        await check_empty(writer, target.name)
        paused = await _pause_triggers(writer, target.name)
        for table in tables:
            written = await _copy_rows(reader, writer, table, batch)
            counts = (await _count(reader, table.name), written, await _count(writer, table.name))
            if len(set(counts)) != 1:
                raise CopyRefused(
                    f"{table.name}: the source has {counts[0]} rows, {counts[1]} were copied, the target has"
                    f" {counts[2]}; nothing was written"
                )
            report.append(TableCopy(table.name, written))
        if paused is not None:
            await writer.execute(REBUILD_BOARD_TOTALS)
            await _resume_triggers(writer, target.name, paused)
        for name, summed in REBUILT.items():
            sums = ", ".join(f"COALESCE(SUM({column}), 0)" for column in summed)
            sql = f"SELECT COUNT(*), {sums} FROM {name}"
            theirs, ours = await reader.fetchone(sql), await writer.fetchone(sql)
            if theirs is None or ours is None or [int(v) for v in theirs] != [int(v) for v in ours]:
                labels = ("rows", *summed)
                raise CopyRefused(
                    f"{name} rebuilt from the copied results differs from the source's"
                    f" ({_pairs(labels, theirs, ours)}); nothing was written"
                )
            report.append(TableCopy(name, int(ours[0]), rebuilt=True))
        if target.name == "postgresql":
            await _advance_identities(writer)
    if target.name == "postgresql":
        await target.execute("ANALYZE")  # planner statistics for the new rows, before the bot's first query
    return CopyReport(tuple(report), time.perf_counter() - began)


async def _pause_triggers(db: Executor, engine_name: str) -> list[str] | None:
    """Switch off the triggers on `BOARD_SOURCE` for this transaction; what `_resume_triggers` needs to switch them
    on again, or None when they stay on (a PostgreSQL role that does not own the table may not pause them)."""
    if engine_name == "postgresql":
        owner = await db.fetchone(
            f"SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = '{BOARD_SOURCE}'::regclass"
        )
        if owner is None or not owner[0]:
            return None
        await db.execute(f"ALTER TABLE {BOARD_SOURCE} DISABLE TRIGGER USER")
        return []
    triggers = await db.fetchall(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name", (BOARD_SOURCE,)
    )
    for name, _ in triggers:
        await db.execute(f'DROP TRIGGER "{name}"')
    return [str(sql) for _, sql in triggers]


async def _resume_triggers(db: Executor, engine_name: str, paused: list[str]) -> None:
    if engine_name == "postgresql":
        await db.execute(f"ALTER TABLE {BOARD_SOURCE} ENABLE TRIGGER USER")
    for sql in paused:
        await db.execute(sql)


async def _describe(source: Engine, target: Engine, name: str) -> _Table:
    """A table's columns and primary key as the target has them; CopyRefused when the source's columns differ."""
    columns, kinds, key = await _columns(target, target.name, name)
    theirs, _, _ = await _columns(source, source.name, name)
    if set(theirs) != set(columns):
        unknown, missing = sorted(set(theirs) - set(columns)), sorted(set(columns) - set(theirs))
        raise CopyRefused(f"the columns of {name} differ between source and target: {_differences(unknown, missing)}")
    if not key:
        raise CopyRefused(f"{name} has no primary key to read it by")
    whole = tuple(position for position, kind in enumerate(kinds) if "int" in kind.lower())
    return _Table(name, columns, key, whole)


async def _columns(
    db: Executor, engine_name: str, table: str
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(column names in order, their declared types, the primary key's columns in key order)."""
    if engine_name == "postgresql":
        rows = await db.fetchall(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
        key = await db.fetchall(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
            " AND a.attnum = ANY (i.indkey) WHERE i.indrelid = ?::regclass AND i.indisprimary"
            " ORDER BY array_position(i.indkey::int2[], a.attnum)",
            (table,),
        )
        return tuple(str(r[0]) for r in rows), tuple(str(r[1]) for r in rows), tuple(str(r[0]) for r in key)
    info = await db.fetchall("SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid", (table,))
    key_order = sorted((int(r[2]), str(r[0])) for r in info if int(r[2]) > 0)
    return tuple(str(r[0]) for r in info), tuple(str(r[1]) for r in info), tuple(name for _, name in key_order)


async def _copy_rows(reader: Executor, writer: Executor, table: _Table, batch: int) -> int:
    """Copy one table a page at a time, in primary-key order; how many rows were written."""
    columns = ", ".join(table.columns)
    order = ", ".join(table.key)
    first = f"SELECT {columns} FROM {table.name} ORDER BY {order} LIMIT ?"
    after = f"({order}) > ({', '.join('?' for _ in table.key)})"
    following = f"SELECT {columns} FROM {table.name} WHERE {after} ORDER BY {order} LIMIT ?"
    insert = f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join('?' for _ in table.columns)})"
    positions = [table.columns.index(column) for column in table.key]
    convert = _whole_numbers(table)
    written = 0
    rows = await reader.fetchall(first, (batch,))
    while rows:
        await writer.executemany(insert, [convert(row) for row in rows])
        written += len(rows)
        if len(rows) < batch:
            break
        last = rows[-1]
        rows = await reader.fetchall(following, (*(last[p] for p in positions), batch))
    return written


def _whole_numbers(table: _Table) -> Callable[[Row], Sequence[Any]]:
    """A row with each float in an integer column turned into its integer; CopyRefused for a fraction there."""
    whole = table.whole

    def convert(row: Row) -> Sequence[Any]:
        if not any(type(row[p]) is float for p in whole):
            return row
        values = list(row)
        for p in whole:
            value = values[p]
            if type(value) is float:
                if not value.is_integer():
                    raise CopyRefused(
                        f"{table.name}.{table.columns[p]} holds {value!r} where a whole number belongs;"
                        " nothing was written"
                    )
                values[p] = int(value)
        return values

    return convert


async def _advance_identities(db: Executor) -> None:
    """Move each identity (or serial) column's sequence past the largest copied value, so the next row the bot
    inserts without an id does not collide with a copied one."""
    identities = await db.fetchall(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')"
    )
    for table, column in identities:
        await db.fetchone(
            f"SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX({column}), 1), MAX({column}) IS NOT NULL)"
            f" FROM {table}",
            (table, column),
        )


async def _count(db: Executor, table: str) -> int:
    row = await db.fetchone(f'SELECT COUNT(*) FROM "{table}"')
    return int(row[0]) if row else 0


def _differences(unknown: Sequence[str], missing: Sequence[str]) -> str:
    parts = ([f"unknown {', '.join(unknown)}"] if unknown else []) + (
        [f"missing {', '.join(missing)}"] if missing else []
    )
    return "; ".join(parts)


def _pairs(labels: Sequence[str], theirs: Row | None, ours: Row | None) -> str:
    theirs, ours = theirs or (), ours or ()
    return ", ".join(f"{label} {a} vs {b}" for label, a, b in zip(labels, theirs, ours, strict=False))
