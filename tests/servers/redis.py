"""A throwaway Redis server for TorchQuiz's tests: one server per test run, one fresh logical database per test.

The sandbox queue (`bot/sandbox/queue/`) relies on what a fake would only imitate: stream consumer groups, pending
entries and their delivery counts, XAUTOCLAIM, Lua scripts, key expiry. So the suite runs the real `redis-server`
from the machine's packages (`scripts/install-test-servers`) on a port of its own, with nothing saved to disk, and
gives each test a logical database no other test used (`--databases` is raised so a run never runs out).

The harness never installs anything; when the binary is missing, `find_server` returns None and the caller decides
whether that fails or skips.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import redis

from tests.servers.logs import log_tail
from tests.servers.postgres import free_port

BIN_ENV = "TORCHQUIZ_TEST_REDIS_SERVER"
"""The path of a redis-server binary, for machines where PATH does not find the wanted build."""

DATABASES = 4096
"""Logical databases the server offers; each test takes a new one, so none ever sees another's keys."""

START_ATTEMPTS = 5
"""The free port is picked before the server binds it, so another process may take it in between; then retry."""
START_TIMEOUT = 15.0


class RedisNotFound(RuntimeError):
    """redis-server is not installed where the harness looks."""


def find_server(env: Mapping[str, str] | None = None) -> Path | None:
    """The redis-server binary (`$TORCHQUIZ_TEST_REDIS_SERVER`, else PATH, else /usr/bin), or None."""
    env = os.environ if env is None else env
    on_path = shutil.which("redis-server", path=env.get("PATH", "")) or ""
    candidates = [env.get(BIN_ENV, ""), on_path, "/usr/bin/redis-server"]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and Path(candidate).is_file():
            return Path(candidate)
    return None


class RedisServer:
    """One private redis-server in a temporary folder at 127.0.0.1:`port`: no password, no persistence.

    `stop()` is also registered with atexit, so an interrupted run does not leave a server behind.
    """

    def __init__(self, binary: Path | None = None) -> None:
        found = binary if binary is not None else find_server()
        if found is None:
            raise RedisNotFound(f"redis-server not found (looked in ${BIN_ENV}, PATH, /usr/bin)")
        self.binary = found
        self.port = 0
        self.root: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.start_seconds = 0.0
        self._databases = itertools.count(1)  # database 0 is the server's default: left to `url`

    @property
    def url(self) -> str:
        """The URL of the server's default database."""
        return self.database_url(0)

    def database_url(self, number: int) -> str:
        if self.process is None:
            raise RuntimeError("the Redis test server is not started")
        return f"redis://127.0.0.1:{self.port}/{number}"

    @property
    def log_file(self) -> Path:
        if self.root is None:
            raise RuntimeError("the Redis test server is not started")
        return self.root / "redis.log"

    def start(self) -> None:
        """Start the server on a free port; returns once it answers PING."""
        if self.root is not None:
            raise RuntimeError("the Redis test server is already started")
        began = time.perf_counter()
        self.root = Path(tempfile.mkdtemp(prefix="torchquiz-redis-"))
        atexit.register(self.stop)
        try:
            for attempt in range(1, START_ATTEMPTS + 1):
                if self._start_on(free_port()):
                    break
                if attempt == START_ATTEMPTS or "Address already in use" not in self._log_tail():
                    raise RuntimeError(f"redis-server did not start on port {self.port}:{self._log_tail()}")
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.perf_counter() - began

    def _start_on(self, port: int) -> bool:
        assert self.root is not None
        self.port = port
        options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        options += ["--dir", str(self.root), "--databases", str(DATABASES), "--logfile", str(self.log_file)]
        self.process = subprocess.Popen([str(self.binary), *options], stdin=subprocess.DEVNULL, cwd=self.root)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                return False
            if self.ping() and self.process.poll() is None:  # ours answered, not another server on that port
                return True
            time.sleep(0.02)
        self.process.kill()
        self.process.wait()
        self.process = None
        return False

    def ping(self) -> bool:
        try:
            with redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1) as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def new_database_url(self) -> str:
        """The URL of a logical database no earlier caller was given, emptied (in case a server was reused)."""
        number = next(self._databases)
        if number >= DATABASES:
            raise RuntimeError(f"the Redis test server has only {DATABASES} databases")
        url = self.database_url(number)
        with redis.Redis.from_url(url) as client:
            client.flushdb()
        return url

    def _log_tail(self, lines: int = 20) -> str:
        return log_tail(self.log_file, lines)

    def stop(self) -> None:
        """Kill the server (nothing in it is kept) and delete its folder; safe to call twice."""
        process, self.process = self.process, None
        root, self.root = self.root, None
        if root is None:
            return
        atexit.unregister(self.stop)
        try:
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=30)
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
