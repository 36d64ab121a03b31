"""Opening the SQLite database: WAL mode, foreign keys, and numbered migrations applied in one transaction
(and finding either engine's migrations).

Migrations are the files `migrations/NNNN_name.sql`; the number of the last one applied is kept in
`PRAGMA user_version`, so the schema version travels with the database file itself.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


class MigrationError(RuntimeError):
    """The database is newer than this code, or a migration failed; nothing was changed."""


def migrations(engine: str = "sqlite") -> list[Migration]:
    """The bundled migrations of one engine, in order; numbering must be 1, 2, 3… without gaps.

    SQLite's are `migrations/NNNN_*.sql`, PostgreSQL's `migrations/postgresql/NNNN_*.sql`; each engine keeps its
    own numbering (PostgreSQL's first file builds the schema SQLite reached at its 8th)."""
    folder = resources.files("bot.storage").joinpath("migrations")
    if engine != "sqlite":
        folder = folder.joinpath(engine)
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise MigrationError(f"migration {migration.name} is out of sequence (expected {expected:04d})")
    return found


async def schema_version(db: aiosqlite.Connection) -> int:
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(db: aiosqlite.Connection) -> int:
    """Apply pending migrations in a single transaction; returns the resulting schema version.

    Foreign keys are switched off while migrations run, because a migration may rebuild a table that others
    reference (SQLite cannot add a CHECK to an existing column) and `PRAGMA foreign_keys` cannot change inside a
    transaction. Before committing, `PRAGMA foreign_key_check` must find no broken reference, or everything is
    rolled back; foreign keys are on again afterwards, whatever happened.
    """
    current = await schema_version(db)
    available = migrations()
    latest = available[-1].version if available else 0
    if current > latest:
        raise MigrationError(f"database schema {current} is newer than this TorchQuiz ({latest})")
    pending = [m for m in available if m.version > current]
    if not pending:
        return current
    script = "BEGIN IMMEDIATE;\n"
    for migration in pending:
        log.info("applying migration %s", migration.name)
        script += migration.sql + "\n"
    script += f"PRAGMA user_version = {latest};\n"
    await db.execute("PRAGMA foreign_keys = OFF")
    failed = f"migration failed, database left at version {current}"
    try:
        try:
            await db.executescript(script)
            broken = await _broken_references(db)
        except Exception as exc:
            await db.rollback()
            raise MigrationError(f"{failed}: {exc}") from exc
        if broken:
            await db.rollback()
            raise MigrationError(f"{failed}: it would leave rows pointing at nothing: {broken}")
        await db.commit()
    finally:
        await db.execute("PRAGMA foreign_keys = ON")
    return latest


async def _broken_references(db: aiosqlite.Connection, shown: int = 5) -> str:
    """The first rows `PRAGMA foreign_key_check` reports, as "table rowid -> parent" text; empty when none."""
    async with db.execute("PRAGMA foreign_key_check") as cursor:
        rows = list(await cursor.fetchall())
    described = [f"{row[0]} row {row[1]} -> {row[2]}" for row in rows[:shown]]
    if len(rows) > shown:
        described.append(f"and {len(rows) - shown} more")
    return "; ".join(described)


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open the database ready for use: WAL journal, foreign keys on, schema up to date."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        db.row_factory = aiosqlite.Row
        await db.execute("PRAGMA journal_mode = WAL")
        await db.execute("PRAGMA foreign_keys = ON")
        await db.execute("PRAGMA busy_timeout = 5000")
        await db.execute("PRAGMA synchronous = NORMAL")
        await migrate(db)
    except BaseException:
        await db.close()
        raise
    return db
