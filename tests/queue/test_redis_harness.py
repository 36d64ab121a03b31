"""The Redis test harness itself: a real server answers, keeps nothing on disk, and every test gets its own database.

If isolation broke, the queue tests would pass or fail depending on their order, so it is checked here once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from tests.servers.redis import BIN_ENV, RedisServer, find_server

_seen_urls: set[str] = set()


def test_server_answers_without_persistence(redis_server: RedisServer, redis_url: str) -> None:
    with redis.Redis.from_url(redis_url, decode_responses=True) as client:
        assert client.ping()
        assert client.config_get("save") == {"save": ""}
        assert client.config_get("appendonly") == {"appendonly": "no"}
        assert client.config_get("bind")["bind"] == "127.0.0.1"
    assert redis_server.url.startswith(f"redis://127.0.0.1:{redis_server.port}/")


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_gets_its_own_empty_database(redis_url: str, turn: int) -> None:
    """Run twice: whichever turn comes second would see the first one's key if databases were shared."""
    assert redis_url not in _seen_urls
    _seen_urls.add(redis_url)
    with redis.Redis.from_url(redis_url) as client:
        assert client.dbsize() == 0
        client.set("left-behind", turn)


def test_a_missing_binary_is_reported_not_guessed(tmp_path: Path) -> None:
    assert find_server({"PATH": str(tmp_path)}) in (None, Path("/usr/bin/redis-server"))
    fake = tmp_path / "redis-server"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert find_server({BIN_ENV: str(fake), "PATH": ""}) == fake


def test_stop_is_idempotent_and_removes_the_folder(redis_server: RedisServer) -> None:
    server = RedisServer(redis_server.binary)
    server.start()
    root = server.root
    assert root is not None and root.is_dir()
    server.stop()
    server.stop()
    assert not root.exists()
    assert not server.ping()
