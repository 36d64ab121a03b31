"""Operator tools on the database file: an online backup, and a server's results as rows to export.

Both work while the bot runs. A backup is SQLite's `VACUUM INTO` on a connection of its own: one read transaction,
so the copy is one consistent state of the database (WAL mode lets the bot keep writing meanwhile), compacted,
written beside the target under a temporary name, flushed to disk, and only then given its name; an existing file is
never overwritten. The command line opens the database with `open_existing`, which neither creates a file nor
applies migrations, so an operator's tool never changes the schema under a running bot.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import aiosqlite

from bot.storage._base import StoreBase
from bot.storage.database import schema_version
from bot.storage.engine import Engine

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
"""The first schema whose results say whether they are ranked (an older database must be migrated first)."""


class BackupExistsError(FileExistsError):
    """The backup's target already exists; nothing was written."""


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
        connection is never busy copying); see `backup_database`."""
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
