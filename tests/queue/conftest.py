"""Fixtures for the sandbox queue: a real, throwaway redis-server and a fresh logical database per test.

Redis is not optional in CI: a missing server fails the tests that need it, so the queue is never silently untested.
A developer without it can leave those tests out with TORCHQUIZ_TEST_SKIP_REDIS=1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.servers.redis import RedisServer, find_server

REDIS_FIXTURES = ("redis_server", "redis_url")
SKIP_REDIS_ENV = "TORCHQUIZ_TEST_SKIP_REDIS"
REDIS_MISSING = "redis-server is not installed: run scripts/install-test-servers (apt-get install -y redis-server)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that reach the Redis server, directly or through another fixture, get the `redis` marker."""
    for item in items:
        if any(name in getattr(item, "fixturenames", ()) for name in REDIS_FIXTURES):
            item.add_marker(pytest.mark.redis)


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
