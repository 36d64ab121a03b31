"""Operator tools on the database: an online backup, and a server's results as rows to export.

Both work while the bot runs. On SQLite a backup is `VACUUM INTO` on a connection of its own: one read transaction,
so the copy is one consistent state of the database (WAL mode lets the bot keep writing meanwhile), compacted,
written beside the target under a temporary name, flushed to disk, and only then given its name; an existing file is
never overwritten. On PostgreSQL it is `pg_dump --format=custom` (one consistent snapshot too; restore it with
`pg_restore`), written and named by the same rules, and read back with `pg_restore --list` as its check. The
command line opens the database with `open_as_is`, which neither creates a database nor applies migrations, so an
operator's tool never changes the schema under a running bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import aiosqlite

from bot.storage._base import StoreBase
from bot.storage.database import schema_version
from bot.storage.engine import Engine
from bot.storage.target import is_postgres

EXPORT_COLUMNS = (
    "time",
    "created_at",
    "user_id",
    "guild_id",
    "mode",
    "pack_id",
    "question_id",
    "round_id",
    "correct",
    "points",
    "attempts",
    "hints",
    "ranked",
)
"""The columns of an exported result: `time` is ISO 8601 in UTC, `created_at` the same moment in unix seconds."""

RESULTS_SINCE_VERSION = 7
"""The first SQLite schema whose results say whether they are ranked (an older database must be migrated first)."""
RESULTS_SINCE = {"sqlite": RESULTS_SINCE_VERSION, "postgresql": 1}
"""The same, per engine (PostgreSQL's first schema already has them)."""

DEBIAN_POSTGRES = Path("/usr/lib/postgresql")
"""Debian keeps each major version's client tools in `<this>/<version>/bin`."""
PG_DUMP_MISSING = "pg_dump not found: install postgresql-client (the server's major version or newer)"


class BackupExistsError(FileExistsError):
    """The backup's target already exists; nothing was written."""


class DumpError(RuntimeError):
    """pg_dump is missing or failed; the message is one line (pg_dump's own last one when it failed)."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    schema_version: int
    check: str
    """`PRAGMA quick_check` on the copy: 'ok' when it is sound."""


async def open_existing(path: Path) -> aiosqlite.Connection:
    """Open an existing database as it is: no migration, and no empty file made when it is missing
    (FileNotFoundError)."""
    db = await aiosqlite.connect(_existing_uri(path, "rw"), uri=True, isolation_level=None)
    try:
        async with db.execute("PRAGMA busy_timeout = 5000"):
            pass
    except BaseException:
        await db.close()
        raise
    return db


async def backup_database(db: aiosqlite.Connection, target: Path) -> BackupReport:
    """Copy the database `db` is connected to into `target`, online (see the module docstring).

    BackupExistsError when `target` exists, before anything is written and if another file takes the name while
    the copy is made; OSError when its folder is missing or not writable."""
    partial = _partial_beside(Path(target))
    try:
        async with db.execute("VACUUM INTO ?", (str(partial),)):
            pass
        size = _claim(partial, target)
    finally:
        _discard(partial)
    async with aiosqlite.connect(_existing_uri(target, "ro"), uri=True) as copy:
        version = await schema_version(copy)
        async with copy.execute("PRAGMA quick_check") as cursor:
            check = "; ".join(str(row[0]) for row in await cursor.fetchall())
    return BackupReport(path=target, size=size, schema_version=version, check=check)


async def open_as_is(target: Path | str) -> Engine:
    """Open an existing database on its engine without migrating it (nor creating it): `open_existing` for a SQLite
    file, a pool with `migrate=False` for a PostgreSQL URL (whose connection errors are asyncpg's or OSError)."""
    if is_postgres(target):
        from bot.storage.postgres_engine import PostgresEngine

        return await PostgresEngine.open(str(target), migrate=False, max_size=2)
    from bot.storage.sqlite_engine import SqliteEngine

    return SqliteEngine(await open_existing(Path(target)), target)


def find_pg_tool(name: str, *, path: str | None = None) -> Path | None:
    """A PostgreSQL client program (`pg_dump`, `pg_restore`): on `path` (default PATH), else in Debian's newest
    version folder."""
    found = shutil.which(name, path=path)
    if found is not None:
        return Path(found)
    debian_root = DEBIAN_POSTGRES
    if debian_root.is_dir():
        versions = [(int(child.name), child) for child in debian_root.iterdir() if re.fullmatch(r"\d+", child.name)]
        for _, child in sorted(versions, reverse=True):
            if os.access(child / "bin" / name, os.X_OK):
                return child / "bin" / name
    return None


async def backup_postgres(url: str, target: Path, *, schema_version: int) -> BackupReport:
    """`pg_dump --format=custom` of the database at `url` into `target`, never overwriting (see the module
    docstring); `check` is 'ok' once `pg_restore --list` reads the archive back.

    BackupExistsError as for SQLite; DumpError when pg_dump is missing or fails; OSError for the folder."""
    pg_dump = find_pg_tool("pg_dump")
    if pg_dump is None:
        raise DumpError(PG_DUMP_MISSING)
    partial = _partial_beside(Path(target))
    try:
        dsn, env = _password_apart(url)
        await _run_tool(pg_dump, "--format=custom", f"--file={partial}", f"--dbname={dsn}", env=env)
        pg_restore = find_pg_tool("pg_restore", path=str(pg_dump.parent)) or find_pg_tool("pg_restore")
        check = "not read back (no pg_restore)"
        if pg_restore is not None:
            await _run_tool(pg_restore, "--list", str(partial))
            check = "ok"
        size = _claim(partial, target)
    finally:
        _discard(partial)
    return BackupReport(path=target, size=size, schema_version=schema_version, check=check)


def _password_apart(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and an environment that hands the password to the tool (a command line is
    visible to every user of the machine)."""
    env = dict(os.environ)
    parts = urlsplit(url)
    if parts.password is None:
        return url, env
    userinfo, _, host = parts.netloc.rpartition("@")
    env["PGPASSWORD"] = unquote(parts.password)
    netloc = f"{userinfo.split(':', 1)[0]}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), env


async def _run_tool(program: Path, *args: str, env: dict[str, str] | None = None) -> None:
    """Run a client program to its end; DumpError with its last line of output when it fails."""
    process = await asyncio.create_subprocess_exec(
        str(program),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    _, err = await process.communicate()
    if process.returncode != 0:
        lines = [line.strip() for line in err.decode(errors="replace").splitlines() if line.strip()]
        raise DumpError(f"{program.name} failed: {lines[-1] if lines else f'exit status {process.returncode}'}")


def _existing_uri(path: Path, mode: str) -> str:
    """A URI that opens `path` only if it exists (FileNotFoundError otherwise; SQLite would make an empty one)."""
    if not path.is_file():
        raise FileNotFoundError(f"no database at {path}")
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


def _partial_beside(target: Path) -> Path:
    """Where the copy is written before it takes `target`'s name; BackupExistsError when `target` exists."""
    if target.exists() or target.is_symlink():
        raise BackupExistsError(f"{target} already exists")
    if not target.parent.is_dir():
        raise FileNotFoundError(f"no folder {target.parent}")
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.partial")


def _claim(partial: Path, target: Path) -> int:
    """Flush the finished copy to disk and give it its name, never replacing a file that took the name meanwhile;
    returns its size."""
    _flush(partial)
    try:
        os.link(partial, target)
    except FileExistsError:
        raise BackupExistsError(f"{target} already exists") from None
    except OSError:  # a file system without hard links: check, then rename (a narrow race, but no link needed)
        if target.exists():
            raise BackupExistsError(f"{target} already exists") from None
        os.rename(partial, target)
    _flush_folder(target.parent)
    return target.stat().st_size


def _discard(partial: Path) -> None:
    partial.unlink(missing_ok=True)


def _flush(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _flush_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot sync a folder; the file itself is on disk
        _flush(folder)


async def iter_guild_results(engine: Engine, guild_id: int, *, batch: int = 2000) -> AsyncIterator[dict[str, object]]:
    """A server's results, oldest first, as rows with `EXPORT_COLUMNS` (correct and ranked as booleans)."""
    rows = engine.stream(
        "SELECT r.created_at, r.user_id, r.guild_id, p.mode, r.pack_id, r.question_id, r.round_id, r.correct,"
        " r.points, r.attempts, r.hints, r.ranked FROM results r"
        " LEFT JOIN rounds d ON d.id = r.round_id LEFT JOIN plays p ON p.id = d.play_id"
        " WHERE r.guild_id = ? ORDER BY r.created_at, r.round_id, r.user_id",
        (guild_id,),
        batch=batch,
    )
    async for row in rows:
        created_at, user, guild, mode, pack, question, round_id, correct, points, attempts, hints, ranked = row
        yield {
            "time": datetime.fromtimestamp(float(created_at), tz=UTC).isoformat(timespec="milliseconds"),
            "created_at": float(created_at),
            "user_id": int(user),
            "guild_id": int(guild),
            "mode": None if mode is None else str(mode),
            "pack_id": str(pack),
            "question_id": str(question),
            "round_id": str(round_id),
            "correct": bool(correct),
            "points": int(points),
            "attempts": int(attempts),
            "hints": int(hints),
            "ranked": bool(ranked),
        }


class BackupRecords(StoreBase):
    async def backup_to(self, target: Path) -> BackupReport:
        """Back the bot's database up into `target` from inside the bot (on a connection of its own, so the bot's
        connection is never busy copying); see `backup_database`, and `backup_postgres` on PostgreSQL."""
        url = getattr(self._db, "url", None)
        if self._db.name == "postgresql" and isinstance(url, str):
            return await backup_postgres(url, target, schema_version=await self._db.schema_version())
        files = {str(row[1]): str(row[2]) for row in await self._db.fetchall("PRAGMA database_list")}
        if not files.get("main"):
            raise ValueError("an in-memory database cannot be backed up to a file")
        db = await open_existing(Path(files["main"]))
        try:
            return await backup_database(db, target)
        finally:
            await db.close()

    async def guild_results(self, guild_id: int) -> AsyncIterator[dict[str, object]]:
        """The server's results, as `iter_guild_results` gives them."""
        async for row in iter_guild_results(self._db, guild_id):
            yield row
