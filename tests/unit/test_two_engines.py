"""The PostgreSQL engine against the SQLite one: the same schema, values that survive exactly, and migrations that
run once however many processes start together."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import asyncpg

from bot.storage import ResultRecord, Store
from bot.storage.database import migrations

Shape = dict[str, object]


def sqlite_shape(path: Path) -> Shape:
    """Tables → columns in order, primary key, unique keys (as column tuples, with their condition) and foreign
    keys, as SQLite describes them."""
    db = sqlite3.connect(path)
    try:
        shape: Shape = {}
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            info = db.execute(f"PRAGMA table_info({table})").fetchall()
            columns = tuple(r[1] for r in info)
            primary = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
            uniques = set()
            for index in db.execute(f"PRAGMA index_list({table})").fetchall():
                if index[2] and index[3] != "pk":
                    names = tuple(r[2] for r in db.execute(f"PRAGMA index_info({index[1]})"))
                    uniques.add((names, bool(index[4])))
            foreign = {
                (r[3], r[2], r[4]) for r in db.execute(f"PRAGMA foreign_key_list({table})").fetchall()
            }  # (column, parent table, parent column)
            shape[table] = (columns, primary, frozenset(uniques), frozenset(foreign))
        return shape
    finally:
        db.close()


async def postgres_shape(url: str) -> Shape:
    conn = await asyncpg.connect(url)
    try:
        shape: Shape = {}
        tables = [
            r[0]
            for r in await conn.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                " AND table_name <> 'torchquiz_schema' ORDER BY table_name"
            )
        ]
        for table in tables:
            columns = tuple(
                r[0]
                for r in await conn.fetch(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = $1"
                    " ORDER BY ordinal_position",
                    table,
                )
            )
            indexes = await conn.fetch(
                "SELECT i.indisprimary, i.indisunique, i.indpred IS NOT NULL,"
                " ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o)"
                "  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o)"
                " FROM pg_index i WHERE i.indrelid = $1::regclass",
                table,
            )
            primary = next((tuple(r[3]) for r in indexes if r[0]), ())
            uniques = frozenset((tuple(r[3]), bool(r[2])) for r in indexes if r[1] and not r[0])
            foreign = frozenset(
                (r[0], r[1], r[2])
                for r in await conn.fetch(
                    "SELECT a.attname, c.confrelid::regclass::text, af.attname"
                    " FROM pg_constraint c, unnest(c.conkey, c.confkey) AS k(own, parent)"
                    " JOIN pg_attribute a ON a.attrelid = $1::regclass AND a.attnum = k.own"
                    " JOIN pg_attribute af ON af.attnum = k.parent"
                    " WHERE c.contype = 'f' AND c.conrelid = $1::regclass AND af.attrelid = c.confrelid",
                    table,
                )
            )
            shape[table] = (columns, primary, uniques, foreign)
        return shape
    finally:
        await conn.close()


async def test_both_engines_have_the_same_tables_columns_and_keys(tmp_path: Path, postgres_url: str) -> None:
    async with Store.open(tmp_path / "t.db"), Store.open(postgres_url):
        pass
    lite, pg = sqlite_shape(tmp_path / "t.db"), await postgres_shape(postgres_url)
    assert sorted(pg) == sorted(lite)
    for table in lite:
        assert pg[table] == lite[table], table


async def test_times_and_snowflakes_come_back_exactly(postgres_url: str) -> None:
    """What plain REAL and INTEGER columns would lose: sub-second times and 64-bit Discord ids."""
    member, server, at = 1_234_567_890_123_456_789, 987_654_321_098_765_432, 1_790_000_123.456
    async with Store.open(postgres_url) as store:
        await store.start_play("p", mode="challenge", owner_id=member, guild_id=server, pack_id="k", started_at=at)
        await store.open_round("p-0", play_id="p", position=0, question_id="q", opened_at=at, deadline=at + 30)
        result = ResultRecord("p-0", member, server, "k", "q", True, 100, 1, 0, ("autograd",), at)
        assert await store.record_result(result)
        assert not await store.record_result(result)  # a repeated close stores nothing twice
        (round_row,) = await store.rounds_of("p")
        assert round_row.opened_at == at and round_row.deadline == at + 30
        board = await store.leaderboard(guild_id=server, since=at - 1, pack_id=None, page=1)
        assert [(row.user_id, row.points) for row in board.rows] == [(member, 100)]
        assert await store.points_per_day(member, server, since=at - 1) == [("2026-09-21", 100)]


async def test_processes_starting_together_migrate_once(postgres_url: str) -> None:
    async def start() -> int:
        async with Store.open(postgres_url) as store:
            return await store.schema_version()

    versions = await asyncio.gather(*(start() for _ in range(4)))
    assert versions == [migrations("postgresql")[-1].version] * 4
    conn = await asyncpg.connect(postgres_url)
    try:
        assert await conn.fetchval("SELECT COUNT(*) FROM torchquiz_schema") == 1
    finally:
        await conn.close()


async def test_doctor_facts_name_the_server_and_the_pool(postgres_url: str) -> None:
    async with Store.open(postgres_url) as store:
        info = await store.engine_info()
    assert info.engine == "PostgreSQL" and info.version[0].isdigit()
    assert "@127.0.0.1:" in info.where and "pool of" in info.pool
