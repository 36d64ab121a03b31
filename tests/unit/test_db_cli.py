"""`python -m bot db backup|export`: an online backup that is one consistent state even while another connection
writes, never overwriting a file (SQLite's `VACUUM INTO`, PostgreSQL's `pg_dump`); a server's results as CSV or JSON
from either engine; one line and a status for every problem."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
import subprocess
import threading
from pathlib import Path

import asyncpg
import pytest
from pydantic import SecretStr

from bot import db_cli
from bot.settings import Settings
from bot.storage import ResultRecord, Store, backup
from bot.storage.backup import EXPORT_COLUMNS, PG_DUMP_MISSING, find_pg_tool
from bot.storage.copy import REBUILT, TABLES
from bot.storage.database import migrations
from bot.storage.target import describe_url
from tests.servers.postgres import PostgresServer, database_name, free_port
from tests.unit.test_board_totals_sqlite import totals_agree
from tests.unit.test_migration_0007 import database_at_version_6

G1, G2 = 111, 222
T0 = 1_750_000_000.0


def settings_for(database: Path | str) -> Settings:
    return Settings(token=SecretStr("offline"), database=database)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


async def store_results(path: Path | str) -> None:
    async with Store.open(path) as store:
        await store.start_play("c", mode="challenge", owner_id=7, pack_id="autograd-basics", started_at=T0, guild_id=G1)
        await store.start_play("p", mode="practice", owner_id=8, pack_id="data-loading", started_at=T0, guild_id=G1)
        await store.start_play("x", mode="challenge", owner_id=9, pack_id="autograd-basics", started_at=T0, guild_id=G2)
        rows = [("c", 7, G1, "autograd-basics", True, 120, True), ("p", 8, G1, "data-loading", False, 0, False)]
        rows.append(("x", 9, G2, "autograd-basics", True, 50, True))
        for number, (play, user, guild, pack, correct, points, ranked) in enumerate(rows):
            round_id = f"{play}-0"
            await store.open_round(round_id, play_id=play, position=0, question_id="q1", opened_at=T0, deadline=T0 + 60)
            await store.record_result(
                ResultRecord(
                    round_id, user, guild, pack, "q1", correct, points, 2, 1, ["autograd"], T0 + number, ranked
                )
            )


def bulk_fill(path: Path, results: int) -> None:
    """Enough rows that copying them takes a while (so the writer below really writes during the backup)."""
    with sqlite3.connect(path) as raw:
        raw.execute(
            "INSERT INTO plays (id, mode, guild_id, owner_id, pack_id, started_at)"
            " VALUES ('bulk', 'live', 1, 1, 'p', 0)"
        )
        raw.executemany(
            "INSERT INTO rounds (id, play_id, position, question_id, opened_at, deadline)"
            " VALUES (?, 'bulk', ?, 'q', 0, 1)",
            [(f"bulk-{n}", n) for n in range(results)],
        )
        raw.executemany(
            "INSERT INTO results (round_id, user_id, guild_id, pack_id, question_id, correct, points, attempts, hints,"
            " created_at) VALUES (?, ?, 1, 'p', 'q', 1, 10, 1, 0, ?)",
            [(f"bulk-{n}", n % 997, float(n)) for n in range(results)],
        )
        raw.executemany(
            "INSERT INTO result_tags (round_id, user_id, tag) VALUES (?, ?, ?)",
            [(f"bulk-{n}", n % 997, tag) for n in range(results) for tag in ("a", "b")],
        )


class Writer(threading.Thread):
    """Another connection storing one result (its round and two topics) per transaction, as fast as it can."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.committed = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            raw = sqlite3.connect(self.path, isolation_level=None, timeout=10)
            raw.execute("PRAGMA foreign_keys = ON")
            while not self.stop.is_set():
                n = self.committed
                raw.execute("BEGIN IMMEDIATE")
                raw.execute(
                    "INSERT INTO rounds (id, play_id, position, question_id, opened_at, deadline)"
                    " VALUES (?, 'bulk', ?, 'q', 0, 1)",
                    (f"live-{n}", 10_000_000 + n),
                )
                raw.execute(
                    "INSERT INTO results (round_id, user_id, guild_id, pack_id, question_id, correct, points,"
                    " attempts, hints, created_at) VALUES (?, 5, 1, 'p', 'q', 1, 10, 1, 0, 1.0)",
                    (f"live-{n}",),
                )
                raw.executemany(
                    "INSERT INTO result_tags (round_id, user_id, tag) VALUES (?, 5, ?)",
                    [(f"live-{n}", "a"), (f"live-{n}", "b")],
                )
                raw.execute("COMMIT")
                self.committed += 1
            raw.close()
        except BaseException as exc:  # reported by the test
            self.error = exc


def count(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as raw:
        return int(raw.execute(sql).fetchone()[0])


def test_backup_while_another_connection_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database, copy = tmp_path / "live.db", tmp_path / "backups" / "copy.db"
    copy.parent.mkdir()
    asyncio.run(store_results(database))
    bulk_fill(database, 60_000)
    writer = Writer(database)
    writer.start()
    try:
        while writer.committed < 20 and writer.error is None:
            threading.Event().wait(0.005)
        before = writer.committed
        status = db_cli.main(["backup", str(copy)], settings_for(database))
        during = writer.committed - before
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None
    assert status == 0
    assert during > 0, "the writer should have committed while the copy was made"
    out = one_line(capsys.readouterr().out)
    assert out.startswith(f"torchquiz: backed up {database} to {copy}") and "check ok" in out

    with sqlite3.connect(f"file:{copy}?mode=ro", uri=True) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        assert raw.execute("PRAGMA user_version").fetchone()[0] == migrations()[-1].version
        copied = raw.execute("SELECT COUNT(*) FROM results WHERE round_id LIKE 'live-%'").fetchone()[0]
        # One state of the database: each stored result with both its topics and its round, nothing half-written.
        assert raw.execute("SELECT COUNT(*) FROM result_tags WHERE round_id LIKE 'live-%'").fetchone()[0] == 2 * copied
        assert raw.execute("SELECT COUNT(*) FROM rounds WHERE id LIKE 'live-%'").fetchone()[0] == copied
        assert raw.execute("SELECT COUNT(*) FROM results WHERE round_id LIKE 'bulk-%'").fetchone()[0] == 60_000
        assert raw.execute("SELECT COUNT(*) FROM results WHERE round_id NOT LIKE 'bulk-%'").fetchone()[0] == 3 + copied
    assert before <= copied <= writer.committed
    assert totals_agree(copy)
    assert count(database, "SELECT COUNT(*) FROM results WHERE round_id LIKE 'live-%'") == writer.committed
    assert not list(copy.parent.glob(".*partial"))


def test_backup_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database, target = tmp_path / "t.db", tmp_path / "exists.db"
    asyncio.run(store_results(database))
    target.write_bytes(b"precious")
    assert db_cli.main(["backup", str(target)], settings_for(database)) == 1
    assert one_line(capsys.readouterr().err) == (
        f"torchquiz: {target} already exists; a backup never overwrites a file, choose a new name"
    )
    assert target.read_bytes() == b"precious"
    assert db_cli.main(["backup", str(tmp_path / "no-such-folder" / "b.db")], settings_for(database)) == 1
    assert "cannot back up" in one_line(capsys.readouterr().err)


def test_no_database_is_one_line_and_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.db"
    for argv in (["backup", str(tmp_path / "b.db")], ["export", "--guild", "1"]):
        assert db_cli.main(argv, settings_for(missing)) == 1
        assert one_line(capsys.readouterr().err) == f"torchquiz: no database at {missing} (set TORCHQUIZ_DATABASE)"
    assert list(tmp_path.iterdir()) == []


def test_export_csv_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "t.db"
    asyncio.run(store_results(database))
    assert db_cli.main(["export", "--guild", str(G1)], settings_for(database)) == 0
    captured = capsys.readouterr()
    assert one_line(captured.err) == f"torchquiz: exported 2 results of server {G1} to stdout as csv"
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert [(r["user_id"], r["mode"], r["pack_id"], r["points"], r["correct"], r["ranked"]) for r in rows] == [
        ("7", "challenge", "autograd-basics", "120", "1", "1"),
        ("8", "practice", "data-loading", "0", "0", "0"),
    ]
    assert rows[0]["time"] == "2025-06-15T15:06:40.000+00:00"
    assert (rows[0]["question_id"], rows[0]["attempts"], rows[0]["hints"]) == ("q1", "2", "1")


def test_export_json_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database, output = tmp_path / "t.db", tmp_path / "g2.json"
    asyncio.run(store_results(database))
    argv = ["export", "--guild", str(G2), "--format", "json", "--output", str(output)]
    assert db_cli.main(argv, settings_for(database)) == 0
    assert capsys.readouterr().out == ""
    rows = json.loads(output.read_text(encoding="utf-8"))
    assert rows == [
        {
            "time": "2025-06-15T15:06:42.000+00:00",
            "created_at": T0 + 2,
            "user_id": 9,
            "guild_id": G2,
            "mode": "challenge",
            "pack_id": "autograd-basics",
            "question_id": "q1",
            "round_id": "x-0",
            "correct": True,
            "points": 50,
            "attempts": 2,
            "hints": 1,
            "ranked": True,
        }
    ]
    assert db_cli.main(["export", "--guild", "999", "--format", "json"], settings_for(database)) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []
    assert one_line(captured.err) == "torchquiz: exported 0 results of server 999 to stdout as json"


def test_export_never_migrates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "v6.db"
    database_at_version_6(database)
    assert db_cli.main(["export", "--guild", str(G1)], settings_for(database)) == 1
    assert "start the bot once" in one_line(capsys.readouterr().err)
    assert count(database, "PRAGMA user_version") == 6


EXPORTED_G1 = [
    {
        "time": "2025-06-15T15:06:40.000+00:00",
        "created_at": T0,
        "user_id": 7,
        "guild_id": G1,
        "mode": "challenge",
        "pack_id": "autograd-basics",
        "question_id": "q1",
        "round_id": "c-0",
        "correct": True,
        "points": 120,
        "attempts": 2,
        "hints": 1,
        "ranked": True,
    },
    {
        "time": "2025-06-15T15:06:41.000+00:00",
        "created_at": T0 + 1,
        "user_id": 8,
        "guild_id": G1,
        "mode": "practice",
        "pack_id": "data-loading",
        "question_id": "q1",
        "round_id": "p-0",
        "correct": False,
        "points": 0,
        "attempts": 2,
        "hints": 1,
        "ranked": False,
    },
]


def test_export_gives_the_same_rows_on_both_engines(
    database: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(store_results(database))
    output = tmp_path / "g1.json"
    argv = ["export", "--guild", str(G1), "--format", "json", "--output", str(output)]
    assert db_cli.main(argv, settings_for(database)) == 0
    assert one_line(capsys.readouterr().err) == f"torchquiz: exported 2 results of server {G1} to {output} as json"
    assert json.loads(output.read_text(encoding="utf-8")) == EXPORTED_G1
    assert db_cli.main(["export", "--guild", str(G1)], settings_for(database)) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["round_id"], r["user_id"], r["created_at"], r["correct"], r["ranked"]) for r in rows] == [
        ("c-0", "7", str(T0), "1", "1"),
        ("p-0", "8", str(T0 + 1), "0", "0"),
    ]


def test_export_on_postgresql_never_migrates(postgres_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert db_cli.main(["export", "--guild", str(G1)], settings_for(postgres_url)) == 1
    assert one_line(capsys.readouterr().err) == (
        "torchquiz: the database is at schema 0; start the bot once so it migrates to 1 or later, then export"
    )
    assert asyncio.run(pg_tables(postgres_url)) == []
    nobody = f"postgresql://postgres@127.0.0.1:{free_port()}/torchquiz"
    assert db_cli.main(["export", "--guild", str(G1)], settings_for(nobody)) == 1
    assert one_line(capsys.readouterr().err).startswith(f"torchquiz: cannot open {describe_url(nobody)}: ")


async def pg_tables(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        return sorted(str(row[0]) for row in rows)
    finally:
        await conn.close()


async def pg_counts(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        return {
            table: int(await conn.fetchval(f"SELECT COUNT(*) FROM {table}"))
            for table in (*TABLES, *REBUILT, "torchquiz_schema")
        }
    finally:
        await conn.close()


def test_backup_on_postgresql_restores_with_pg_restore(
    postgres_server: PostgresServer, postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(store_results(postgres_url))
    copy = tmp_path / "torchquiz.dump"
    assert db_cli.main(["backup", str(copy)], settings_for(postgres_url)) == 0
    line = one_line(capsys.readouterr().out)
    assert line.startswith(f"torchquiz: backed up {describe_url(postgres_url)} to {copy}: ")
    assert line.endswith(", schema 1, read back ok (pg_dump custom format; restore with pg_restore)")
    assert copy.read_bytes().startswith(b"PGDMP")
    assert not list(tmp_path.glob(".*partial"))

    restored = postgres_server.create_database()
    try:
        pg_restore = find_pg_tool("pg_restore")
        assert pg_restore is not None
        subprocess.run([str(pg_restore), "--dbname", restored, str(copy)], check=True, capture_output=True, timeout=60)
        counts = asyncio.run(pg_counts(restored))
        assert counts == asyncio.run(pg_counts(postgres_url))
        assert counts["results"] == 3 and counts["board_totals"] > 0
    finally:
        postgres_server.drop_database(database_name(restored))

    before = copy.read_bytes()
    assert db_cli.main(["backup", str(copy)], settings_for(postgres_url)) == 1
    assert one_line(capsys.readouterr().err) == (
        f"torchquiz: {copy} already exists; a backup never overwrites a file, choose a new name"
    )
    assert copy.read_bytes() == before


def test_a_password_reaches_pg_dump_through_its_environment_not_its_command_line() -> None:
    url, env = backup._password_apart("postgresql://quiz:p%40ss:w@db.example:5433/torchquiz?sslmode=require")
    assert url == "postgresql://quiz@db.example:5433/torchquiz?sslmode=require"
    assert env["PGPASSWORD"] == "p@ss:w"
    assert (
        backup._password_apart("postgresql://quiz@db.example/torchquiz")[0] == "postgresql://quiz@db.example/torchquiz"
    )


def test_backup_on_postgresql_without_pg_dump_is_one_line(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(store_results(postgres_url))
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    monkeypatch.setattr(backup, "DEBIAN_POSTGRES", tmp_path / "no-postgresql")
    target = tmp_path / "b.dump"
    assert db_cli.main(["backup", str(target)], settings_for(postgres_url)) == 1
    assert one_line(capsys.readouterr().err) == f"torchquiz: {PG_DUMP_MISSING}"
    assert "install postgresql-client" in PG_DUMP_MISSING
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["restore"],
        ["backup"],
        ["export"],
        ["export", "--guild", "many"],
        ["export", "--guild", "0"],
        ["export", "--guild", "1", "--format", "xml"],
        ["migrate", "--from", "a.db"],
    ],
)
def test_bad_usage_is_one_line_and_status_2(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        status = db_cli.main(argv, settings_for(tmp_path / "t.db"))
    except SystemExit as exited:
        status = int(str(exited.code))
    assert status == 2
    line = one_line(capsys.readouterr().err)
    if not argv:
        assert "migrate --from URL --to URL" in line
