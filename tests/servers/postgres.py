"""A throwaway PostgreSQL server for TorchQuiz's tests: one cluster per test run, one fresh database per test.

Why a real server rather than a shared one or a fake: the PostgreSQL engine of `bot.storage` must be checked against
the SQL dialect, locking and error codes that production sees, and a cluster of our own (own data folder, own port,
trust authentication, no durability) starts in about a second, never touches a server a developer keeps on 5432, and
leaves nothing behind.

The binaries come from the machine's packages; the harness never installs anything (`scripts/install-test-servers`
does). When they are missing, `find_bin_dir` returns None and the caller decides whether that fails or skips.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import asyncpg

from tests.servers.logs import log_tail

BIN_ENV = "TORCHQUIZ_TEST_PG_BIN"
"""A folder holding initdb and pg_ctl, for machines where neither Debian's layout nor PATH finds the wanted build."""

DEBIAN_ROOT = Path("/usr/lib/postgresql")
"""Debian keeps each major version's server tools in `<this>/<version>/bin`, outside PATH."""

SERVICE_USER = "postgres"
"""initdb and the server refuse to run as root; as root, the harness runs them as this user (Debian creates it)."""

TOOLS = ("initdb", "pg_ctl")

SETTINGS = {
    # Durability buys nothing for a cluster that is deleted at the end of the run, and costs most of the time.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    # The storage layer opens a pool per test database; a few hundred tests may briefly overlap.
    "max_connections": "200",
    # Timestamps read back in tests should not depend on the time zone of the machine that ran initdb.
    "timezone": "'UTC'",
}

START_ATTEMPTS = 5
"""The free port is picked before the server binds it, so another process may take it in between; then retry."""

_T = TypeVar("_T")


class PostgresNotFound(RuntimeError):
    """initdb or pg_ctl is not installed where the harness looks."""


def _has_tools(folder: Path) -> bool:
    return all(os.access(folder / tool, os.X_OK) and (folder / tool).is_file() for tool in TOOLS)


def _version_key(name: str) -> tuple[int, ...] | None:
    if re.fullmatch(r"\d+(\.\d+)*", name) is None:
        return None
    return tuple(int(part) for part in name.split("."))


def find_bin_dir(env: Mapping[str, str] | None = None, debian_root: Path | None = None) -> Path | None:
    """The folder with initdb and pg_ctl, or None when this machine has no PostgreSQL server installed.

    Looks, in order, at `$TORCHQUIZ_TEST_PG_BIN`, at Debian's newest `/usr/lib/postgresql/<version>/bin` (what
    `scripts/install-test-servers` installs, so CI and developers run the same build), then at PATH (other systems,
    builds from source). `env` and `debian_root` exist so the not-installed path can be exercised on a machine that
    has PostgreSQL.
    """
    env = os.environ if env is None else env
    root = DEBIAN_ROOT if debian_root is None else debian_root
    candidates: list[Path] = []
    if env.get(BIN_ENV):
        candidates.append(Path(env[BIN_ENV]))
    if root.is_dir():
        versions = [(key, child) for child in root.iterdir() if (key := _version_key(child.name)) is not None]
        candidates.extend(child / "bin" for _, child in sorted(versions, reverse=True))
    on_path = shutil.which("initdb", path=env.get("PATH", ""))
    if on_path is not None:
        candidates.append(Path(on_path).parent)
    return next((folder for folder in candidates if _has_tools(folder)), None)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _in_thread(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine to completion on a loop of its own, so sync callers work inside async tests too."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="torchquiz-pg") as pool:
        return pool.submit(asyncio.run, coro).result()


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PostgresServer:
    """One private PostgreSQL cluster in a temporary folder, reachable at 127.0.0.1:`port` with no password.

    The folder comes from `tempfile.mkdtemp`, not from pytest's tmp_path: as root, tmp_path is a 0700 folder of root's
    that the `postgres` user cannot enter. `stop()` is also registered with atexit, so an interrupted run does not
    leave a server behind.
    """

    def __init__(self, bin_dir: Path | None = None) -> None:
        found = bin_dir if bin_dir is not None else find_bin_dir()
        if found is None or not _has_tools(found):
            raise PostgresNotFound(f"initdb and pg_ctl not found (looked in ${BIN_ENV}, {DEBIAN_ROOT}/*/bin, PATH)")
        self.bin_dir = found
        self.port = 0
        self.root: Path | None = None
        self.start_seconds = 0.0
        self._names = itertools.count(1)
        self._owner: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self._owner = pwd.getpwnam(SERVICE_USER)
            except KeyError:
                raise PostgresNotFound(
                    f"running as root needs a '{SERVICE_USER}' system user to own the test cluster"
                ) from None

    @property
    def data_dir(self) -> Path:
        return self._root() / "data"

    @property
    def log_file(self) -> Path:
        return self._root() / "server.log"

    def _root(self) -> Path:
        if self.root is None:
            raise RuntimeError("the PostgreSQL test server is not started")
        return self.root

    def _run(self, tool: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """Run one of the server's tools, as the service user when we are root, with output kept for errors.

        The working folder is ours because the service user may not be allowed into the caller's (root's home).
        """
        command: list[str] = [str(self.bin_dir / tool), *args]
        if self._owner is not None:
            command = ["runuser", "-u", self._owner.pw_name, "--", *command]
        # PG* variables (PGDATA, PGPORT, ...) from a developer's shell must not redirect the tools to their own cluster;
        # the C locale keeps the log in English, which `start` reads to recognise a taken port.
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env["LC_ALL"] = "C"
        return subprocess.run(
            command, cwd=cwd or self._root(), env=env, capture_output=True, text=True, check=False, timeout=120
        )

    def _check(self, result: subprocess.CompletedProcess[str], what: str) -> None:
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()
            raise RuntimeError(f"{what} failed ({result.returncode}): {output}{self._log_tail()}")

    def _log_tail(self, lines: int = 20) -> str:
        return log_tail(self.log_file, lines)

    def start(self) -> None:
        """initdb a new cluster and start it on a free port; returns once it accepts connections (`pg_ctl -w`)."""
        if self.root is not None:
            raise RuntimeError("the PostgreSQL test server is already started")
        began = time.perf_counter()
        self.root = Path(tempfile.mkdtemp(prefix="torchquiz-pg-"))
        atexit.register(self.stop)
        try:
            if self._owner is not None:
                os.chown(self.root, self._owner.pw_uid, self._owner.pw_gid)
            self._initdb()
            self._start_on_free_port()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.perf_counter() - began

    def _initdb(self) -> None:
        options = ["-D", str(self.data_dir), "--auth=trust", "-U", "postgres", "--encoding=UTF8", "--no-locale"]
        usage = self._run("initdb", "--help").stdout
        # Skipping the final fsync of the new cluster saves most of initdb's time; its spelling changed in 10.
        options += [flag for flag in ("--no-sync", "--nosync") if flag in usage][:1]
        self._check(self._run("initdb", *options), "initdb")
        lines = [
            "",
            "# TorchQuiz test harness: a private, disposable cluster",
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = '{}'".format(str(self._root()).replace("'", "''")),
            *(f"{name} = {value}" for name, value in SETTINGS.items()),
        ]
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(lines) + "\n")

    def _start_on_free_port(self) -> None:
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = free_port()
            options = ["-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", "60", "-o", f"-p {self.port}"]
            result = self._run("pg_ctl", "start", *options)
            if result.returncode == 0:
                return
            if attempt < START_ATTEMPTS and "could not bind" in self._log_tail(lines=50):
                continue
            self._check(result, f"pg_ctl start on port {self.port}")

    def stop(self) -> None:
        """Kill the server without a checkpoint (nothing in it is kept) and delete its folder; safe to call twice."""
        root, self.root = self.root, None
        if root is None:
            return
        atexit.unregister(self.stop)
        try:
            if (root / "data" / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "-D", str(root / "data"), "-m", "immediate", "-w", "-t", "30", cwd=root)
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def dsn(self, database: str = "postgres") -> str:
        """The URL of one database of this server, in the form the storage layer accepts."""
        self._root()
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """Create a new, empty database with a name unique in this run, and return its DSN.

        Synchronous so that sync fixtures can use it; it runs its own event loop in a worker thread, so it also works
        when called from inside an async test.
        """
        name = f"torchquiz_test_{next(self._names)}"
        self._execute(f"CREATE DATABASE {_quote_ident(name)}")
        return self.dsn(name)

    def drop_database(self, name: str) -> None:
        """Drop a test's database, closing any connection the test left open, so the disk does not fill up."""
        self._execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)}", force_option=" WITH (FORCE)")

    def _execute(self, statement: str, force_option: str = "") -> None:
        """Run one statement in the maintenance database; `force_option` is appended only where the server knows it
        (FORCE arrived in PostgreSQL 13)."""

        async def execute() -> None:
            conn = await asyncpg.connect(self.dsn(), timeout=30)
            try:
                major: int = conn.get_server_version().major
                await conn.execute(statement + (force_option if major >= 13 else ""))
            finally:
                await conn.close()

        _in_thread(execute())

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def database_name(dsn: str) -> str:
    """The database part of a DSN that `PostgresServer.dsn` made."""
    return dsn.rsplit("/", 1)[1]
