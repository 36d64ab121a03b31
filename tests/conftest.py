"""Shared fixtures: the shipped packs, a real SQLite database in a temporary folder, and real PostgreSQL and Redis
servers that the run starts itself.

Neither server is optional in CI: a missing binary fails the tests that need it with one line saying what to
install, so no engine or queue is ever silently untested. A developer without them can leave those tests out with
TORCHQUIZ_TEST_SKIP_POSTGRES=1 or TORCHQUIZ_TEST_SKIP_REDIS=1. Tests that reach a server, directly or through
another fixture, get the `postgres` or `redis` marker.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.packs import Pack, load_pack_file
from bot.storage import Store
from tests.servers.postgres import PostgresServer, database_name, find_bin_dir
from tests.servers.redis import RedisServer, find_server

ROOT = Path(__file__).resolve().parent.parent
CHALLENGES = ROOT / "challenges"
SLOW_FOLDERS = {"e2e": pytest.mark.e2e, "sandbox": pytest.mark.sandbox}
POSTGRES_FIXTURES = ("postgres_server", "postgres_url")
REDIS_FIXTURES = ("redis_server", "redis_url")
SKIP_REDIS_ENV = "TORCHQUIZ_TEST_SKIP_REDIS"
REDIS_MISSING = "redis-server is not installed: run scripts/install-test-servers (apt-get install -y redis-server)"
SKIP_POSTGRES_ENV = "TORCHQUIZ_TEST_SKIP_POSTGRES"
POSTGRES_MISSING = (
    "PostgreSQL is not installed: run scripts/install-test-servers (apt-get install -y postgresql), "
    f"or set {SKIP_POSTGRES_ENV}=1 to leave the PostgreSQL runs out locally"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow folders, so `-m "not e2e and not sandbox"` gives a quick local loop (CI runs everything).

    Tests that reach the PostgreSQL server, directly or through another fixture, get the `postgres` marker, so
    `-m "not postgres"` selects the rest without anyone having to remember to mark them.
    """
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database") == "postgresql"
        fixtures = getattr(item, "fixturenames", ())
        if on_postgres or any(name in fixtures for name in POSTGRES_FIXTURES):
            item.add_marker(pytest.mark.postgres)
        if any(name in fixtures for name in REDIS_FIXTURES):
            item.add_marker(pytest.mark.redis)
        path = Path(str(item.path)).resolve()
        if ROOT not in path.parents:
            continue
        parts = path.relative_to(ROOT).parts
        if len(parts) > 2 and parts[0] == "tests" and parts[1] in SLOW_FOLDERS:
            item.add_marker(SLOW_FOLDERS[parts[1]])


@pytest.fixture
def autograd_pack() -> Pack:
    return load_pack_file(CHALLENGES / "autograd-basics.yaml")


ENGINES = ("sqlite", "postgresql")


@pytest.fixture(params=ENGINES)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """A new, empty database on each engine in turn: a SQLite file, then a PostgreSQL database on the test server
    (what `TORCHQUIZ_DATABASE` would name)."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return tmp_path / "torchquiz.db"


@pytest.fixture
async def store(database: Path | str) -> AsyncIterator[Store]:
    """The storage facade over `database`: every test that takes it runs on both engines."""
    async with Store.open(database) as opened:
        yield opened


def postgres_left_out() -> bool:
    """Whether the developer asked to leave the PostgreSQL tests out (any value but empty or 0)."""
    return os.environ.get(SKIP_POSTGRES_ENV, "").strip() not in ("", "0")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL cluster for the whole run (started on first use, about 1-2 s), stopped at the end."""
    if postgres_left_out():
        pytest.skip(f"{SKIP_POSTGRES_ENV} is set: the PostgreSQL tests are left out")
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.fail(POSTGRES_MISSING, pytrace=False)
    server = PostgresServer(bin_dir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The DSN of a new, empty database for this test alone; dropped afterwards so a long run does not fill the disk."""
    dsn = postgres_server.create_database()
    yield dsn
    postgres_server.drop_database(database_name(dsn))


def redis_left_out() -> bool:
    """Whether the developer asked to leave the Redis tests out (any value but empty or 0)."""
    return os.environ.get(SKIP_REDIS_ENV, "").strip() not in ("", "0")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One throwaway redis-server for the whole run (started on first use, in milliseconds), killed at the end."""
    if redis_left_out():
        pytest.skip(f"{SKIP_REDIS_ENV} is set: the Redis tests are left out")
    binary = find_server()
    if binary is None:
        pytest.fail(REDIS_MISSING, pytrace=False)
    with RedisServer(binary) as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The URL of an empty logical database that no other test uses."""
    return redis_server.new_database_url()
