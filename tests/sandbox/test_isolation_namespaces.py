"""Namespaces and the scratch tmpfs: PID 1, no network, private scratch, relay status, parent-death kill."""

from __future__ import annotations

import ctypes
import faulthandler
import os
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.isolation import namespaces
from tests.sandbox.attacks._harness import run_in_child

MIB = 2**20


def _namespaces_available() -> bool:
    return run_in_child(namespaces.enter_namespaces).ok


pytestmark = pytest.mark.skipif(not _namespaces_available(), reason="user namespaces refused by this host")


def _inside(scratch: Path | None, body: Callable[[], Any]) -> Callable[[], Any]:
    def wrapped() -> Any:
        namespaces.enter_namespaces()
        namespaces.fork_into_pid_namespace()
        if scratch is not None:
            namespaces.mount_scratch(str(scratch), 4 * MIB)
            namespaces.mount_proc()
            os.chdir(scratch)
        return body()

    return wrapped


def test_snippet_is_pid_1_root_of_an_empty_world(tmp_path: Path) -> None:
    def body() -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "uid": os.getuid(),
            "pids": sorted(int(name) for name in os.listdir("/proc") if name.isdigit()),
            "interfaces": sorted(name for _, name in socket.if_nameindex()),
            "hostname": socket.gethostname(),
        }

    outcome = run_in_child(_inside(tmp_path, body))
    assert outcome.ok, outcome
    assert outcome.value == {"pid": 1, "uid": 0, "pids": [1], "interfaces": ["lo"], "hostname": "torchquiz-sandbox"}


def test_loopback_listener_of_the_host_is_unreachable() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.setblocking(False)
    port = server.getsockname()[1]

    def body() -> str:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError as error:
            return type(error).__name__
        return "connected"

    try:
        outcome = run_in_child(_inside(None, body))
        with pytest.raises(BlockingIOError):
            server.accept()
    finally:
        server.close()
    assert outcome.value in ("OSError", "ConnectionRefusedError"), outcome


def test_scratch_is_a_private_size_limited_tmpfs(tmp_path: Path) -> None:
    def body() -> list[Any]:
        with open("inside.txt", "w") as handle:
            handle.write("x")
        stats = os.statvfs(".")
        try:
            with open("fill", "wb") as handle:
                handle.write(b"x" * (8 * MIB))
            filled = "filled"
        except OSError as error:
            filled = os.strerror(error.errno or 0)
        return [stats.f_blocks * stats.f_frsize, filled]

    outcome = run_in_child(_inside(tmp_path, body))
    assert outcome.ok, outcome
    assert outcome.value == [4 * MIB, "No space left on device"]
    assert list(tmp_path.iterdir()) == []  # nothing written reached the host folder


def _segfault() -> None:
    faulthandler.disable()  # pytest's handler would print the test process's whole stack from the child
    ctypes.string_at(0)


@pytest.mark.parametrize(
    ("body", "expected_exit", "expected_signal"),
    [(lambda: os._exit(7), 7, None), (_segfault, None, signal.SIGSEGV)],
    ids=["exit-7", "segfault"],
)
def test_relay_reports_the_snippet_status(
    body: Callable[[], Any], expected_exit: int | None, expected_signal: int | None
) -> None:
    """The worker's waitpid on the relay must read what it would read without namespaces."""
    outcome = run_in_child(_inside(None, body))
    assert (outcome.exit_code, outcome.signal) == (expected_exit, expected_signal)


def test_pid_1_ignores_its_own_default_action_signals() -> None:
    """Kernel rule for a namespace init, and the reason rlimits installs a SIGXCPU handler: a signal with the
    default action sent from inside the namespace is dropped, even SIGKILL; only kernel-forced ones land."""

    def body() -> str:
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGKILL)
        return "alive"

    outcome = run_in_child(_inside(None, body))
    assert outcome.value == "alive", outcome


def test_killing_the_relay_kills_the_snippet() -> None:
    """The worker's wall deadline kills the process it forked; PDEATHSIG must take the PID-1 snippet along."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(read_fd)
        try:
            namespaces.enter_namespaces()
            namespaces.fork_into_pid_namespace()
            os.write(write_fd, b"started\n")
            time.sleep(60)
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as reader:
        assert reader.readline() == b"started\n"
        started = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        assert reader.read() == b""  # EOF: the snippet, the last holder of the write end, is gone
    assert time.monotonic() - started < 5
