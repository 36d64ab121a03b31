"""The PostgreSQL test harness itself: a real server answers, and every test gets a database no other test touched.

If isolation broke, the PostgreSQL storage tests would pass or fail depending on their order, so it is checked here
once, directly, rather than inferred from their flakiness.
"""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from tests.servers.postgres import BIN_ENV, PostgresServer, find_bin_dir

_seen_urls: set[str] = set()


async def user_tables(dsn: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        return [row["tablename"] for row in rows]
    finally:
        await conn.close()


async def test_server_answers(postgres_url: str) -> None:
    conn = await asyncpg.connect(postgres_url)
    try:
        version = await conn.fetchval("SHOW server_version")
        assert str(version)[:1].isdigit()
        assert await conn.fetchval("SHOW fsync") == "off"
    finally:
        await conn.close()


@pytest.mark.parametrize("turn", [1, 2])
async def test_each_test_gets_its_own_empty_database(postgres_url: str, turn: int) -> None:
    """Run twice: whichever turn comes second would see the first one's table if databases were shared."""
    assert postgres_url not in _seen_urls
    _seen_urls.add(postgres_url)
    assert await user_tables(postgres_url) == []
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute("CREATE TABLE left_behind (turn integer)")
        await conn.execute("INSERT INTO left_behind VALUES ($1)", turn)
    finally:
        await conn.close()
    assert await user_tables(postgres_url) == ["left_behind"]


async def test_a_second_database_within_one_test_is_empty(postgres_server: PostgresServer, postgres_url: str) -> None:
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute("CREATE TABLE only_in_the_first (id integer)")
    finally:
        await conn.close()
    second = postgres_server.create_database()
    assert second != postgres_url
    assert second.startswith(f"postgresql://postgres@127.0.0.1:{postgres_server.port}/")
    assert await user_tables(second) == []


def test_fixtures_mark_their_tests_postgres(request: pytest.FixtureRequest, postgres_url: str) -> None:
    assert request.node.get_closest_marker("postgres") is not None


def test_finder_reports_a_machine_without_postgres(tmp_path: Path) -> None:
    """The not-installed path must be reachable on a machine that has PostgreSQL, or its message is never seen."""
    env = {BIN_ENV: str(tmp_path / "missing"), "PATH": str(tmp_path)}
    assert find_bin_dir(env=env, debian_root=tmp_path / "no-debian") is None


def test_finder_prefers_the_variable_then_the_newest_debian_version(tmp_path: Path) -> None:
    def tools_in(folder: Path) -> Path:
        folder.mkdir(parents=True)
        for tool in ("initdb", "pg_ctl"):
            (folder / tool).write_text("#!/bin/sh\n")
            (folder / tool).chmod(0o755)
        return folder

    debian = tmp_path / "debian"
    tools_in(debian / "9.6" / "bin")
    newest = tools_in(debian / "16" / "bin")
    tools_in(debian / "15" / "bin")
    chosen = tools_in(tmp_path / "chosen")
    assert find_bin_dir(env={"PATH": ""}, debian_root=debian) == newest
    assert find_bin_dir(env={BIN_ENV: str(chosen), "PATH": ""}, debian_root=debian) == chosen
    assert find_bin_dir(env={"PATH": str(chosen)}, debian_root=tmp_path / "none") == chosen
