"""`python -m bot db ACTION`: the operator's tools on the database, SQLite or PostgreSQL.

    python -m bot db backup PATH
    python -m bot db export --guild ID [--format csv|json] [--output FILE]
    python -m bot db migrate --from URL --to URL

`backup` writes an online copy of `TORCHQUIZ_DATABASE` to PATH, never overwriting one: SQLite's `VACUUM INTO` (one
consistent state, checked with `PRAGMA quick_check`), or PostgreSQL's `pg_dump --format=custom` (restore it with
`pg_restore`). `export` writes one server's results, oldest first, as CSV (with a header) or a JSON array, to stdout
or FILE, in the columns `bot.storage.backup.EXPORT_COLUMNS`. Both are safe while the bot runs, and neither creates
nor migrates a database.

`migrate` copies every row of the database at `--from` into a new, empty one at `--to` (a SQLite path,
`sqlite:///path`, or `postgresql://user@host:port/db`; SQLite → PostgreSQL is the usual move). Stop the bot first.
The source is never migrated (start the bot once on it when it is behind); the target is created (a SQLite file)
and migrated, refused if any table holds a row, and filled in one transaction (`bot.storage.copy`) that commits only
when every table has as many rows as the source's. It prints one line per table and a total.

Exit status: 0 done (the summary on stderr for `export`, whose data may be on stdout; on stdout otherwise); 1 with
one line on stderr when a database is missing or unreachable, the backup's PATH exists, a file cannot be written,
or a migration is refused; 2 with one line on stderr for a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

import asyncpg

from bot.storage.backup import (
    EXPORT_COLUMNS,
    RESULTS_SINCE,
    BackupExistsError,
    DumpError,
    backup_database,
    backup_postgres,
    iter_guild_results,
    open_as_is,
    open_existing,
)
from bot.storage.copy import CopyRefused, NotCurrent, NotEmpty, check_current, check_empty, copy_database, rows_of
from bot.storage.database import MigrationError
from bot.storage.engine import Engine, RefusedWrite
from bot.storage.target import describe_url, is_postgres, open_engine

if TYPE_CHECKING:
    from bot.settings import Settings

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2
FORMATS = ("csv", "json")
ACTIONS = ("backup", "export", "migrate")
CHOOSE = "backup PATH, export --guild ID, or migrate --from URL --to URL"
SQLITE_URL = "sqlite:///"
# What opening or reading a database raises that an operator can act on (OSError: refused connections, time-outs).
DATABASE_ERRORS = (OSError, sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError, MigrationError)


class OneLineErrors(argparse.ArgumentParser):
    """Usage errors as one line on stderr and status 2 (scripts read that line)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


class Problem(Exception):
    """Something an operator can fix; the message is meant for one line."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `db` command's actions to its parser (`python -m bot db ACTION`)."""
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", parser_class=OneLineErrors)
    backup = actions.add_parser("backup", help="copy the database to PATH while the bot runs (never overwrites)")
    backup.add_argument("path", type=Path, metavar="PATH", help="the new file to write")
    export = actions.add_parser("export", help="write one server's results as CSV or JSON")
    export.add_argument("--guild", type=_server_id, required=True, metavar="ID", help="the server's id")
    export.add_argument("--format", choices=FORMATS, default="csv", help="csv (default) or json")
    export.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    migrate = actions.add_parser("migrate", help="copy every row into a new, empty database (e.g. to PostgreSQL)")
    where = "a SQLite path, sqlite:///path, or postgresql://user@host:port/db"
    migrate.add_argument("--from", dest="source", type=_database, required=True, metavar="URL", help=f"copy: {where}")
    migrate.add_argument("--to", dest="target", type=_database, required=True, metavar="URL", help="into (empty)")


def _server_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a server id is a whole number, not {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"a server id is a positive number, not {value}")
    return value


def _database(text: str) -> Path | str:
    """A PostgreSQL URL as it is; `sqlite:///path` or a plain path as an absolute path (as `TORCHQUIZ_DATABASE`)."""
    if is_postgres(text):
        return text
    path = text[len(SQLITE_URL) :] if text.startswith(SQLITE_URL) else text
    if "://" in path or not path.strip():
        raise argparse.ArgumentTypeError(f"give a SQLite path, sqlite:///path or postgresql://..., not {text!r}")
    return Path(path).expanduser().resolve()


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run `db ACTION` against `settings.database` (`migrate`: its own two); the exit status as documented above."""
    command = getattr(args, "db_command", None)
    if command not in ACTIONS:
        print(f"python -m bot db: choose an action: {CHOOSE}", file=sys.stderr)
        return EXIT_USAGE
    database = settings.database
    try:
        if command == "migrate":
            print("\n".join(_migrate_new(args.source, args.target)))
            return EXIT_OK
        if isinstance(database, Path) and not database.is_file():
            raise Problem(f"no database at {database} (set TORCHQUIZ_DATABASE)")
        if command == "backup":
            target = Path(args.path)
            if target.exists() or target.is_symlink():
                raise Problem(f"{target} already exists; a backup never overwrites a file, choose a new name")
            print(f"torchquiz: {asyncio.run(_backup(database, target))}")
        else:
            message = asyncio.run(_export(database, args.guild, args.format, args.output))
            print(f"torchquiz: {message}", file=sys.stderr)
    except Problem as exc:
        print(f"torchquiz: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    return EXIT_OK


def main(argv: Sequence[str], settings: Settings) -> int:
    """`db` on its own, as `python -m bot db ...` runs it (for tests and scripts)."""
    parser = OneLineErrors(prog="python -m bot db")
    add_arguments(parser)
    return run(parser.parse_args(list(argv)), settings)


def _where(database: Path | str) -> str:
    return describe_url(database) if isinstance(database, str) else str(database)


async def _open(database: Path | str, *, migrate: bool = False) -> Engine:
    """The database's engine, as it is (or created and migrated, with `migrate`); Problem in one line if it cannot
    be opened or reached."""
    try:
        return await (open_engine(database) if migrate else open_as_is(database))
    except DATABASE_ERRORS as exc:
        raise Problem(f"cannot open {_where(database)}: {exc}") from None


async def _backup(database: Path | str, target: Path) -> str:
    if isinstance(database, str):
        return await _backup_postgres(database, target)
    try:
        db = await open_existing(database)
    except (OSError, sqlite3.Error) as exc:
        raise Problem(f"cannot open {database}: {exc}") from None
    try:
        report = await backup_database(db, target)
    except BackupExistsError:
        raise Problem(f"{target} already exists; a backup never overwrites a file, choose a new name") from None
    except (OSError, sqlite3.Error) as exc:
        raise Problem(f"cannot back up to {target}: {exc}") from None
    finally:
        await db.close()
    if report.check != "ok":
        raise Problem(f"the copy at {target} failed its check: {report.check}")
    return f"backed up {database} to {target} ({report.size / 2**20:.1f} MiB, schema {report.schema_version}, check ok)"


async def _backup_postgres(url: str, target: Path) -> str:
    engine = await _open(url)
    try:
        version = await engine.schema_version()
    finally:
        await engine.close()
    try:
        report = await backup_postgres(url, target, schema_version=version)
    except BackupExistsError:
        raise Problem(f"{target} already exists; a backup never overwrites a file, choose a new name") from None
    except DumpError as exc:
        raise Problem(str(exc)) from None
    except OSError as exc:
        raise Problem(f"cannot back up to {target}: {exc}") from None
    return (
        f"backed up {describe_url(url)} to {target}: {report.size / 2**20:.1f} MiB, schema {version}, read back"
        f" {report.check} (pg_dump custom format; restore with pg_restore)"
    )


async def _export(database: Path | str, guild_id: int, output_format: str, output: Path | None) -> str:
    engine = await _open(database)
    try:
        version = await engine.schema_version()
        if version < RESULTS_SINCE[engine.name]:
            raise Problem(
                f"the database is at schema {version}; start the bot once so it migrates to"
                f" {RESULTS_SINCE[engine.name]} or later, then export"
            )
        try:
            stream: TextIO = sys.stdout if output is None else output.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise Problem(f"cannot write {output}: {exc.strerror or exc}") from None
        try:
            count = await _write_rows(engine, guild_id, output_format, stream)
        except OSError as exc:
            raise Problem(f"cannot write {output or 'stdout'}: {exc.strerror or exc}") from None
        except DATABASE_ERRORS as exc:
            raise Problem(f"cannot read {_where(database)}: {exc}") from None
        finally:
            if stream is not sys.stdout:
                stream.close()
    finally:
        await engine.close()
    where = "stdout" if output is None else str(output)
    return f"exported {count} result{'' if count == 1 else 's'} of server {guild_id} to {where} as {output_format}"


def _migrate_new(source: Path | str, target: Path | str) -> list[str]:
    """`_migrate`, removing the SQLite file it made if the copy fails."""
    if source == target:
        raise Problem("--from and --to name the same database; migrate into a new one")
    if isinstance(source, Path) and not source.is_file():
        raise Problem(f"no database at {source}")
    created = isinstance(target, Path) and not target.exists()
    try:
        return asyncio.run(_migrate(source, target, check_target=not created))
    except BaseException:
        if created and isinstance(target, Path):
            for leftover in (target, *(target.with_name(target.name + end) for end in ("-wal", "-shm"))):
                leftover.unlink(missing_ok=True)
        raise


async def _migrate(source: Path | str, target: Path | str, *, check_target: bool) -> list[str]:
    """Copy `source` into the new database `target`; the summary lines (see `bot.storage.copy`)."""
    reader = await _open(source)
    try:
        try:
            await check_current(reader, "source")
        except NotCurrent as exc:
            todo = "update TorchQuiz" if exc.version > exc.latest else "start the bot once on it so it migrates"
            raise Problem(f"{_where(source)} is at schema {exc.version}, not {exc.latest}: {todo}") from None
        if check_target:  # an existing target is refused before its schema is touched
            engine = await _open(target)
            try:
                await check_empty(engine, engine.name)
            finally:
                await engine.close()
        writer = await _open(target, migrate=True)
        try:
            report = await copy_database(reader, writer)
        finally:
            await writer.close()
    except NotEmpty as exc:
        raise Problem(
            f"{_where(target)} is not empty (table {exc.table} has {rows_of(exc.rows)}); migrate into a new database"
        ) from None
    except CopyRefused as exc:
        raise Problem(f"cannot migrate: {exc}") from None
    except (RefusedWrite, *DATABASE_ERRORS) as exc:
        raise Problem(f"copying into {_where(target)} failed, nothing was written: {exc}") from None
    finally:
        await reader.close()
    width = max(len(table.table) for table in report.tables)
    lines = [f"torchquiz: migrated {_where(source)} to {_where(target)} in {report.seconds:.1f} s"]
    for table in report.tables:
        rebuilt = " (rebuilt by the target from results; equal to the source's)" if table.rebuilt else ""
        lines.append(f"  {table.table:<{width}}  {table.rows:>12,} row{'' if table.rows == 1 else 's'}{rebuilt}")
    copied = sum(not table.rebuilt for table in report.tables)
    lines.append(f"torchquiz: copied {rows_of(report.copied)} in {copied} tables; each has as many rows as the source")
    return lines


async def _write_rows(db: Engine, guild_id: int, output_format: str, stream: TextIO) -> int:
    count = 0
    if output_format == "csv":
        writer = csv.DictWriter(stream, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        async for row in iter_guild_results(db, guild_id):
            writer.writerow({key: _csv_value(value) for key, value in row.items()})
            count += 1
        stream.flush()
        return count
    stream.write("[")
    async for row in iter_guild_results(db, guild_id):
        stream.write(("," if count else "") + "\n  " + json.dumps(row, ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    stream.flush()
    return count


def _csv_value(value: object) -> object:
    """Booleans as 1 and 0, absent values as an empty cell."""
    if isinstance(value, bool):
        return int(value)
    return "" if value is None else value
