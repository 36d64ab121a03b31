"""What `python -m bot db migrate` refuses, each with one line and nothing written: a source behind its schema, a
database it cannot open, bad usage, the same database twice, and a value the target would change."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from bot import db_cli
from bot.storage.database import migrations
from bot.storage.target import describe_url
from tests.servers.postgres import PostgresServer, free_port
from tests.unit.test_db_migrate import counts, fill, migrate, one_line, settings
from tests.unit.test_migration_0007 import database_at_version_6


async def test_a_source_behind_the_latest_schema_is_refused_untouched(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = tmp_path / "v6.db", tmp_path / "new.db"
    database_at_version_6(source)
    for destination in (target, postgres_url):
        assert await asyncio.to_thread(migrate, source, destination) == 1
        assert one_line(capsys.readouterr().err) == (
            f"torchquiz: {source} is at schema 6, not {migrations()[-1].version}: start the bot once on it so it"
            " migrates"
        )
    with sqlite3.connect(source) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 6
    assert not target.exists()
    conn = await asyncpg.connect(postgres_url)  # the PostgreSQL target was not even migrated
    try:
        assert await conn.fetch("SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'") == []
    finally:
        await conn.close()


def test_missing_source_and_unreachable_target_are_one_line(
    tmp_path: Path, postgres_server: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    source, missing = tmp_path / "t.db", tmp_path / "missing.db"
    assert migrate(missing, tmp_path / "new.db") == 1
    assert one_line(capsys.readouterr().err) == f"torchquiz: no database at {missing}"
    assert list(tmp_path.iterdir()) == []

    asyncio.run(fill(source))
    nobody = f"postgresql://postgres@127.0.0.1:{free_port()}/torchquiz"
    no_database = postgres_server.dsn("no_such_database")
    for target, reason in ((nobody, "Connect call failed"), (no_database, '"no_such_database" does not exist')):
        assert migrate(source, target) == 1
        line = one_line(capsys.readouterr().err)
        assert line.startswith(f"torchquiz: cannot open {describe_url(target)}: "), line
        assert reason in line

    assert migrate(source, f"sqlite:///{tmp_path}/new-folder/x.db") == 0  # its folder is made
    assert (tmp_path / "new-folder" / "x.db").is_file()


@pytest.mark.parametrize(
    "argv",
    [
        ["migrate"],
        ["migrate", "--from", "a.db"],
        ["migrate", "--to", "a.db"],
        ["migrate", "--from", "mysql://h/db", "--to", "b.db"],
        ["migrate", "--from", "sqlite:///", "--to", "b.db"],
    ],
)
def test_bad_usage_is_one_line_and_status_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        status = db_cli.main(argv, settings())
    except SystemExit as exited:
        status = int(str(exited.code))
    assert status == 2
    one_line(capsys.readouterr().err)


def test_the_same_database_twice_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "t.db"
    asyncio.run(fill(source))
    assert migrate(source, f"sqlite:///{source}") == 1
    assert one_line(capsys.readouterr().err) == (
        "torchquiz: --from and --to name the same database; migrate into a new one"
    )


async def test_a_fraction_in_an_integer_column_is_refused_and_nothing_is_written(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite keeps 2.5 in an INTEGER column as it is; PostgreSQL's driver would cut it to 2 without a word."""
    source, target = tmp_path / "t.db", tmp_path / "new.db"
    await fill(source)
    with sqlite3.connect(source) as raw:
        raw.execute("UPDATE attempts SET attempt = 2.5 WHERE rowid = (SELECT MIN(rowid) FROM attempts)")
    for destination in (postgres_url, target):
        assert await asyncio.to_thread(migrate, source, destination) == 1
        line = one_line(capsys.readouterr().err)
        assert (
            line
            == "torchquiz: cannot migrate: attempts.attempt holds 2.5 where a whole number belongs; nothing was written"
        )
    assert set((await counts(postgres_url)).values()) == {0}
    assert not target.exists()
