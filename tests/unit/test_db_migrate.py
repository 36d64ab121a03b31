"""`python -m bot db migrate`: every row of a SQLite database into a new PostgreSQL one (and back), read the same
through `Store` afterwards, and never into a target that holds rows. What it refuses otherwise (a source behind its
schema, a database it cannot reach, bad usage, a value that would not survive) is in `test_db_migrate_refusals.py`."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import asyncpg
import fsrs
import pytest
from pydantic import SecretStr

from bot import db_cli
from bot.domain.plays import PlayMode
from bot.engine.review import ReviewScheduler
from bot.settings import Settings
from bot.storage import BoardOrder, ResultRecord, Store, copy
from bot.storage.copy import REBUILT, TABLES, table_names
from bot.storage.database import migrations
from bot.storage.engine import Executor
from bot.storage.target import describe_url, open_engine
from tests.unit.test_cli import run_bot
from tests.unit.test_privacy import G1, OTHER, T0, A, B, member_data, private_play, shared_data

G2 = 222
MEMBERS = (A, B, OTHER, 12)
SNOWFLAKE = 1_312_345_678_901_234_567
"""A Discord id past 2**53: it must survive both engines exactly."""

ORDERS: tuple[BoardOrder, ...] = ("points", "accuracy")

Counts = dict[str, int]


def settings() -> Settings:
    return Settings(token=SecretStr("offline"), database=Path("unused.db"))


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def migrate(source: Path | str, target: Path | str) -> int:
    return db_cli.main(["migrate", "--from", str(source), "--to", str(target)], settings())


async def fill(database: Path | str) -> None:
    """A row in every table, made the way the bot makes them."""
    async with Store.open(database) as store:
        await member_data(store, A)
        await member_data(store, B)
        await private_play(store, OTHER, PlayMode.CHALLENGE, points=30, ranked=True)
        await shared_data(store)
        await store.set_lobby_message("live-1", SNOWFLAKE)
        await store.set_round_message("live-1-0", SNOWFLAKE + 1)
        await store.close_round("live-1-0", closed_at=T0 + 30.25)
        await store.set_daily_message(G1, "2025-06-15", SNOWFLAKE + 2)
        await store.set_daily(G1, SNOWFLAKE + 3, 9 * 60 + 30, role_id=SNOWFLAKE + 4)
        await store.set_timezone(G1, "Europe/Paris")
        await store.update_guild_settings(G2, run_enabled=False)
        await store.save_guild_pack(G1, "our-pack", source="id: our-pack\n", uploaded_by=A, uploaded_at=T0 + 0.5)
        # A result in a direct message (no server), and one on a second server.
        await store.start_play("dm", mode="challenge", owner_id=12, pack_id="data-loading", started_at=T0)
        await store.finish_play("dm", ended_at=T0 + 5)
        await store.start_play("g2", mode="challenge", owner_id=12, pack_id="data-loading", started_at=T0, guild_id=G2)
        for play, guild in (("dm", None), ("g2", G2)):
            await store.open_round(f"{play}-0", play_id=play, position=0, question_id="d1", opened_at=T0, deadline=T0)
            await store.record_result(
                ResultRecord(f"{play}-0", 12, guild, "data-loading", "d1", True, 70, 1, 0, ["io"], T0 + 1 / 3)
            )


async def counts(database: Path | str) -> Counts:
    engine = await open_engine(database)
    try:
        found: Counts = {}
        for table in await table_names(engine, engine.name):
            row = await engine.fetchone(f"SELECT COUNT(*) FROM {table}")
            found[table] = int(row[0]) if row else 0
        return found
    finally:
        await engine.close()


async def readings(database: Path | str) -> dict[str, Any]:
    """What members and servers see, read through the store."""
    async with Store.open(database) as store:
        seen: dict[str, Any] = {}
        for guild in (G1, G2, None):
            for since in (None, T0 - 1):
                for pack in (None, "autograd-basics"):
                    for order in ORDERS:
                        seen[f"board {guild} {since} {pack} {order}"] = await store.leaderboard(
                            guild_id=guild,
                            since=since,
                            pack_id=pack,
                            page=1,
                            order=order,
                        )
        for member in MEMBERS:
            seen[f"profile {member}"] = await store.profile(member)
            seen[f"stats {member}"] = await store.profile_stats(member, G1)
            seen[f"export {member}"] = await store.export_member(member)
            seen[f"tags {member}"] = await store.accuracy_by_tag(member)
            seen[f"cards {member}"] = await store.cards_of(member)
        seen["review logs"] = await store.review_logs()
        seen["guild"] = (await store.guild_settings(G1), await store.guild_settings(G2))
        seen["packs"] = await store.guild_pack_sources()
        seen["live"] = await store.running_live_sessions()
        seen["daily"] = await store.recent_daily_posts(G1)
        seen["streak"] = await store.daily_streak(A, G1, "2025-06-15")
        seen["hidden"] = [await store.is_hidden(member) for member in MEMBERS]
        return seen


async def test_the_copy_order_names_every_table_after_the_tables_it_points_at(
    postgres_url: str, tmp_path: Path
) -> None:
    """A table added by a migration must be added to `TABLES` (or `REBUILT`), in an order foreign keys allow."""
    sqlite = tmp_path / "t.db"
    for database in (sqlite, postgres_url):
        engine = await open_engine(database)
        try:
            assert set(await table_names(engine, engine.name)) == set(TABLES) | set(REBUILT)
        finally:
            await engine.close()
    assert len(set(TABLES)) == len(TABLES) and not set(TABLES) & set(REBUILT)
    with sqlite3.connect(sqlite) as raw:
        for child in TABLES:
            for reference in raw.execute(f"PRAGMA foreign_key_list({child})").fetchall():
                parent = reference[2]
                assert TABLES.index(parent) < TABLES.index(child), f"{child} points at {parent}, copied later"
    async with Store.open(postgres_url) as store:
        references = await store._db.fetchall(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'"
        )
    assert references
    for child, parent in references:
        assert TABLES.index(parent) < TABLES.index(child), f"{child} points at {parent}, copied later"


async def test_sqlite_to_postgresql_copies_every_row_and_reads_the_same(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "torchquiz.db"
    await fill(source)
    before = await counts(source)
    assert set(before) == set(TABLES) | set(REBUILT)
    assert [table for table, rows in before.items() if rows == 0] == [], "every table should hold rows"
    seen = await readings(source)

    began = time.perf_counter()
    assert await asyncio.to_thread(migrate, f"sqlite:///{source}", postgres_url) == 0
    took = time.perf_counter() - began
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"torchquiz: migrated {source} to postgres@127.0.0.1:")
    assert out[-1] == (
        f"torchquiz: copied {sum(before[t] for t in TABLES):,} rows in {len(TABLES)} tables;"
        " each has as many rows as the source"
    )
    summary = {line.split()[0]: line for line in out[1:-1]}
    assert list(summary) == [*TABLES, *REBUILT]
    assert summary["results"].split()[1:] == [f"{before['results']:,}", "rows"]
    assert "rebuilt by the target from results" in summary["board_totals"]
    assert took < 30

    assert seen[f"board {G1} None None points"].rows and seen["board None None None points"].rows
    assert seen[f"export {A}"]["review_logs"] and seen[f"profile {A}"].badges
    assert await counts(postgres_url) == before
    assert await readings(postgres_url) == seen
    assert await counts(source) == before  # the source is read, never written

    # The review log's identity continues after the copied ids: a new review stores and gets the next id.
    async with Store.open(postgres_url) as store:
        card, entry = ReviewScheduler(enable_fuzzing=False).review(
            None, user_id=OTHER, pack_id="autograd-basics", question_id="q9", rating=fsrs.Rating.Easy, at=T0 + 99
        )
        assert await store.record_review(card, entry)
        ids = [int(row[0]) for row in await store._db.fetchall("SELECT id FROM review_logs ORDER BY id")]
    assert ids == list(range(1, before["review_logs"] + 2))
    await boards_follow_new_results(postgres_url)


async def boards_follow_new_results(database: Path | str) -> None:
    """The leaderboard triggers work again after the copy: a new result moves the all-time board, and the totals
    are exactly what the results add up to."""
    async with Store.open(database) as store:
        board = await store.leaderboard(guild_id=G2, since=None, pack_id=None, page=1)
        await store.open_round("g2-1", play_id="g2", position=1, question_id="d2", opened_at=T0, deadline=T0 + 9)
        await store.record_result(ResultRecord("g2-1", 12, G2, "data-loading", "d2", True, 5, 1, 0, [], T0 + 9))
        after = await store.leaderboard(guild_id=G2, since=None, pack_id=None, page=1)
        assert [row.points for row in after.rows] == [board.rows[0].points + 5]
        stored = sorted(tuple(row) for row in await store._db.fetchall("SELECT * FROM board_totals"))
        computed = sorted(
            tuple(row)
            for row in await store._db.fetchall(
                "SELECT guild_id, pack_id, user_id, SUM(points), SUM(correct), SUM(answered) FROM ("
                " SELECT 0 AS guild_id, '' AS pack_id, user_id, points, correct, 1 AS answered FROM results"
                "  WHERE ranked = 1"
                " UNION ALL SELECT 0, pack_id, user_id, points, correct, 1 FROM results WHERE ranked = 1"
                " UNION ALL SELECT guild_id, '', user_id, points, correct, 1 FROM results"
                "  WHERE ranked = 1 AND guild_id IS NOT NULL"
                " UNION ALL SELECT guild_id, pack_id, user_id, points, correct, 1 FROM results"
                "  WHERE ranked = 1 AND guild_id IS NOT NULL"
                ") AS boards GROUP BY guild_id, pack_id, user_id"
            )
        )
        assert [tuple(int(v) if not isinstance(v, str) else v for v in row) for row in stored] == [
            tuple(int(v) if not isinstance(v, str) else v for v in row) for row in computed
        ]


async def test_a_second_migration_into_the_same_target_is_refused_and_changes_nothing(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "t.db"
    await fill(source)
    assert await asyncio.to_thread(migrate, source, postgres_url) == 0
    capsys.readouterr()
    copied = await counts(postgres_url)
    assert await asyncio.to_thread(migrate, source, postgres_url) == 1
    assert one_line(capsys.readouterr().err) == (
        f"torchquiz: {describe_url(postgres_url)} is not empty (table plays has {copied['plays']} rows); migrate"
        " into a new database"
    )
    assert await counts(postgres_url) == copied

    # A SQLite target with a row anywhere is refused too, before its schema is touched.
    target = tmp_path / "kept.db"
    with sqlite3.connect(target) as raw:
        raw.execute("CREATE TABLE notes (text TEXT)")
        raw.execute("INSERT INTO notes VALUES ('mine')")
    assert await asyncio.to_thread(migrate, source, target) == 1
    assert one_line(capsys.readouterr().err) == (
        f"torchquiz: {target} is not empty (table notes has 1 row); migrate into a new database"
    )
    with sqlite3.connect(target) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 0
        assert raw.execute("SELECT name FROM sqlite_master").fetchall() == [("notes",)]


async def test_postgresql_back_to_sqlite_gives_the_same_rows_and_exports(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source, back = tmp_path / "first.db", tmp_path / "new" / "again.db"
    back.parent.mkdir()
    await fill(source)
    assert await asyncio.to_thread(migrate, source, postgres_url) == 0
    assert await asyncio.to_thread(migrate, postgres_url, f"sqlite:///{back}") == 0
    assert "torchquiz: copied" in capsys.readouterr().out
    async with Store.open(source) as first, Store.open(postgres_url) as middle, Store.open(back) as last:
        for member in MEMBERS:
            exported = await first.export_member(member)
            assert exported["results"], member
            assert await middle.export_member(member) == exported
            assert await last.export_member(member) == exported
    with sqlite3.connect(source) as one, sqlite3.connect(back) as two:
        assert two.execute("PRAGMA user_version").fetchone()[0] == migrations()[-1].version
        for table in (*TABLES, *REBUILT):
            rows = sorted(one.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            assert sorted(two.execute(f"SELECT * FROM {table}").fetchall(), key=repr) == rows, table
        triggers = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        assert two.execute(triggers).fetchall() == one.execute(triggers).fetchall()
    await boards_follow_new_results(back)


async def test_a_role_that_does_not_own_the_tables_still_gets_equal_boards(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the owner may pause the leaderboard triggers; any other role with the rights to write copies with the
    triggers on (slower for big databases), and the boards come out the same."""
    source = tmp_path / "t.db"
    await fill(source)
    await counts(postgres_url)  # migrated by its owner, as the bot would have
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute("DROP ROLE IF EXISTS torchquiz_copier; CREATE ROLE torchquiz_copier LOGIN")
        await conn.execute(
            "GRANT ALL ON ALL TABLES IN SCHEMA public TO torchquiz_copier;"
            " GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO torchquiz_copier;"
            " GRANT CREATE ON SCHEMA public TO torchquiz_copier"
        )
    finally:
        await conn.close()
    copier = postgres_url.replace("postgresql://postgres@", "postgresql://torchquiz_copier@")
    paused: list[list[str] | None] = []
    pause = copy._pause_triggers

    async def spy(db: Executor, engine_name: str) -> list[str] | None:
        paused.append(await pause(db, engine_name))
        return paused[-1]

    monkeypatch.setattr(copy, "_pause_triggers", spy)
    assert await asyncio.to_thread(migrate, source, copier) == 0
    assert paused == [None]
    assert "board_totals" in capsys.readouterr().out
    assert await counts(postgres_url) == await counts(source)
    assert await readings(postgres_url) == await readings(source)


def test_migrate_as_python_m_bot_db(tmp_path: Path, postgres_url: str) -> None:
    source = tmp_path / "t.db"
    asyncio.run(fill(source))
    done = run_bot("db", "migrate", "--from", f"sqlite:///{source}", "--to", postgres_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert len(lines) == 2 + len(TABLES) + len(REBUILT)
    assert lines[-1].startswith("torchquiz: copied ")
    assert asyncio.run(counts(postgres_url)) == asyncio.run(counts(source))
