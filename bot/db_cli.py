"""`python -m bot db ACTION`: the operator's tools on the database, safe while the bot runs.

    python -m bot db backup PATH
    python -m bot db export --guild ID [--format csv|json] [--output FILE]

`backup` writes an online copy of the database to PATH (SQLite's `VACUUM INTO`: one consistent state, compacted,
checked with `PRAGMA quick_check`), and never overwrites: an existing PATH is refused. `export` writes one server's
results, oldest first, as CSV (with a header) or as a JSON array, to stdout or FILE; the columns are
`bot.storage.backup.EXPORT_COLUMNS` (time in ISO 8601 UTC, the member id, pack, question, correct, points, attempts,
hints, whether it counts on leaderboards, the mode). Neither creates a database nor migrates one.

The lead wires `add_arguments` into the `db` sub-parser and calls `run(args, settings)`. Exit status: 0 done (the
summary line on stderr for `export`, whose data may be on stdout; on stdout for `backup`); 1 with one line on stderr
when there is no database, the backup's PATH exists, a file cannot be written, or the database cannot be read; 2
with one line on stderr for a usage error.
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

from bot.storage.backup import (
    EXPORT_COLUMNS,
    RESULTS_SINCE_VERSION,
    BackupExistsError,
    backup_database,
    iter_guild_results,
    open_existing,
)
from bot.storage.database import schema_version
from bot.storage.engine import Engine
from bot.storage.sqlite_engine import SqliteEngine

if TYPE_CHECKING:
    from bot.settings import Settings

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2
FORMATS = ("csv", "json")


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


def _server_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a server id is a whole number, not {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"a server id is a positive number, not {value}")
    return value


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run `db ACTION` against `settings.database`; the exit status as documented above."""
    command = getattr(args, "db_command", None)
    if command not in {"backup", "export"}:
        print("python -m bot db: choose an action: backup PATH, or export --guild ID", file=sys.stderr)
        return EXIT_USAGE
    database = Path(settings.database)
    try:
        if not database.is_file():
            raise Problem(f"no database at {database} (set TORCHQUIZ_DATABASE)")
        if command == "backup":
            target = Path(args.path)
            if target.exists() or target.is_symlink():
                raise Problem(f"{target} already exists; a backup never overwrites a file, choose a new name")
            message = asyncio.run(_backup(database, target))
            print(f"torchquiz: {message}")
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


async def _backup(database: Path, target: Path) -> str:
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


async def _export(database: Path, guild_id: int, output_format: str, output: Path | None) -> str:
    try:
        db = await open_existing(database)
    except (OSError, sqlite3.Error) as exc:
        raise Problem(f"cannot open {database}: {exc}") from None
    try:
        version = await schema_version(db)
        if version < RESULTS_SINCE_VERSION:
            raise Problem(
                f"the database is at schema {version}; start the bot once so it migrates to"
                f" {RESULTS_SINCE_VERSION} or later, then export"
            )
        try:
            stream: TextIO = sys.stdout if output is None else output.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise Problem(f"cannot write {output}: {exc.strerror or exc}") from None
        try:
            count = await _write_rows(SqliteEngine(db, database), guild_id, output_format, stream)
        except OSError as exc:
            raise Problem(f"cannot write {output or 'stdout'}: {exc.strerror or exc}") from None
        except sqlite3.Error as exc:
            raise Problem(f"cannot read {database}: {exc}") from None
        finally:
            if stream is not sys.stdout:
                stream.close()
    finally:
        await db.close()
    where = "stdout" if output is None else str(output)
    return f"exported {count} result{'' if count == 1 else 's'} of server {guild_id} to {where} as {output_format}"


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
