"""Landlock layer alone: reads, writes, links, TCP, signals and abstract sockets across the boundary fail."""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.isolation import capabilities, landlock
from tests.sandbox.attacks._harness import libc_call, run_in_child

pytestmark = pytest.mark.skipif(landlock.abi_version() < 1, reason="kernel without Landlock")

SECRET = "landlock-secret-3f9c"


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """A read-only tree, a scratch folder, and a 0600 secret beside them."""
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    (readonly / "lib.txt").write_text("library")
    scratch = tmp_path / "scratch"
    scratch.mkdir(mode=0o700)
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    secret.chmod(0o600)
    return {"readonly": readonly, "scratch": scratch, "secret": secret}


def _restrict(layout: dict[str, Path]) -> None:
    capabilities.set_no_new_privs()
    landlock.restrict([str(layout["readonly"])], [str(layout["scratch"])])


def _raw_open(path: Path, flags: int = os.O_RDONLY) -> int:
    """``open(2)`` through libc: 0 on success, else errno (no audit hook involved)."""
    fd, err = libc_call("open", str(path).encode(), flags, 0o600)
    if fd >= 0:
        os.close(fd)
        return 0
    return err


def test_reads_and_writes_follow_the_rules(layout: dict[str, Path]) -> None:
    def body() -> dict[str, int]:
        _restrict(layout)
        return {
            "read readonly": _raw_open(layout["readonly"] / "lib.txt"),
            "write readonly": _raw_open(layout["readonly"] / "lib.txt", os.O_WRONLY),
            "create readonly": _raw_open(layout["readonly"] / "new", os.O_WRONLY | os.O_CREAT),
            "read secret": _raw_open(layout["secret"]),
            "create scratch": _raw_open(layout["scratch"] / "new", os.O_WRONLY | os.O_CREAT),
            "read scratch": _raw_open(layout["scratch"] / "new"),
            "read /etc/passwd": _raw_open(Path("/etc/passwd")),
            "write /tmp": _raw_open(Path("/tmp") / f"landlock-{os.getpid()}", os.O_WRONLY | os.O_CREAT),
            "write /dev/shm": _raw_open(Path("/dev/shm") / f"landlock-{os.getpid()}", os.O_WRONLY | os.O_CREAT),
        }

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == {
        "read readonly": 0,
        "write readonly": errno.EACCES,
        "create readonly": errno.EACCES,
        "read secret": errno.EACCES,
        "create scratch": 0,
        "read scratch": 0,
        "read /etc/passwd": errno.EACCES,
        "write /tmp": errno.EACCES,
        "write /dev/shm": errno.EACCES,
    }


def test_symlink_and_hard_link_do_not_reach_the_secret(layout: dict[str, Path]) -> None:
    def body() -> dict[str, int | str]:
        _restrict(layout)
        link = layout["scratch"] / "link"
        os.symlink(layout["secret"], link)
        result: dict[str, int | str] = {"via symlink": _raw_open(link)}
        try:
            os.link(layout["secret"], layout["scratch"] / "hard")
            result["hard link"] = "created"
        except OSError as error:
            result["hard link"] = error.errno or 0
        return result

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value["via symlink"] == errno.EACCES
    assert outcome.value["hard link"] in (errno.EXDEV, errno.EACCES, errno.EPERM)


def test_proc_of_the_parent_is_unreadable() -> None:
    parent = os.getpid()

    def body() -> list[int]:
        capabilities.set_no_new_privs()
        landlock.restrict([], [])
        return [_raw_open(Path(f"/proc/{parent}/environ")), _raw_open(Path(f"/proc/{parent}/mem"))]

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert all(err in (errno.EACCES, errno.EPERM) for err in outcome.value), outcome.value


def test_executing_a_program_is_denied(layout: dict[str, Path]) -> None:
    """Read-only paths never carry the execute right, so execve fails even without seccomp."""

    def body() -> None:
        capabilities.set_no_new_privs()
        landlock.restrict(["/usr", "/bin"], [str(layout["scratch"])])
        os.execv("/bin/true", ["true"])  # on success the child becomes `true` and exits 0 without reporting

    outcome = run_in_child(body)
    assert outcome.error is not None, outcome
    assert outcome.error.startswith("PermissionError: [Errno 13]"), outcome


@pytest.fixture
def tcp_listener() -> Iterator[socket.socket]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.setblocking(False)
    yield server
    server.close()


@pytest.mark.skipif(landlock.abi_version() < 4, reason="TCP rules need Landlock ABI 4")
def test_tcp_connect_and_bind_refused(layout: dict[str, Path], tcp_listener: socket.socket) -> None:
    port = tcp_listener.getsockname()[1]

    def body() -> list[int]:
        _restrict(layout)
        results = []
        for action in ("connect", "bind"):
            with socket.socket() as client:
                try:
                    if action == "connect":
                        client.connect(("127.0.0.1", port))
                    else:
                        client.bind(("127.0.0.1", 0))
                    results.append(0)
                except OSError as error:
                    results.append(error.errno or -1)
        return results

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == [errno.EACCES, errno.EACCES]
    with pytest.raises(BlockingIOError):
        tcp_listener.accept()


@pytest.mark.skipif(landlock.abi_version() < 6, reason="scopes need Landlock ABI 6")
def test_signals_to_the_parent_and_abstract_sockets_are_scoped(layout: dict[str, Path]) -> None:
    received: list[int] = []
    previous = signal.signal(signal.SIGUSR2, lambda signum, frame: received.append(signum))
    name = f"\0torchquiz-landlock-{os.getpid()}"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(name)
    server.listen(1)
    server.setblocking(False)
    parent = os.getpid()
    try:

        def body() -> list[int]:
            _restrict(layout)
            results = []
            try:
                os.kill(parent, signal.SIGUSR2)
                results.append(0)
            except PermissionError as error:
                results.append(error.errno or -1)
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                try:
                    client.connect(name)
                    results.append(0)
                except OSError as error:
                    results.append(error.errno or -1)
            return results

        outcome = run_in_child(body)
        time.sleep(0.05)
        with pytest.raises(BlockingIOError):
            server.accept()
    finally:
        server.close()
        signal.signal(signal.SIGUSR2, previous)
    assert outcome.ok, outcome
    assert outcome.value == [errno.EPERM, errno.EPERM]
    assert received == []


def test_system_paths_let_torch_load_libraries(layout: dict[str, Path]) -> None:
    """``dlopen`` of a system library still works: mapping code needs read access only."""

    def body() -> int:
        capabilities.set_no_new_privs()
        landlock.restrict(landlock.SYSTEM_READ_ONLY_PATHS, [str(layout["scratch"])])
        libm = ctypes.CDLL("libm.so.6")
        libm.cos.restype = ctypes.c_double
        libm.cos.argtypes = [ctypes.c_double]
        return int(libm.cos(0.0))

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == 1


def test_missing_scratch_is_an_error(tmp_path: Path) -> None:
    def body() -> str:
        capabilities.set_no_new_privs()
        try:
            landlock.restrict([], [str(tmp_path / "missing")])
        except FileNotFoundError:
            return "refused"
        return "restricted"

    assert run_in_child(body).value == "refused"
