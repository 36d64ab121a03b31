"""seccomp layer alone: each denied call fails from inside, ordinary threads still work, foreign ABIs die."""

from __future__ import annotations

import errno
import os
import platform
import signal
import socket
import subprocess
import threading
import time

import pytest

from bot.sandbox.isolation import capabilities, seccomp_filter
from tests.sandbox.attacks._harness import (
    I386_GETPID,
    X32_GETPID,
    errno_of,
    libc_call,
    run_in_child,
    run_machine_code,
)

pytestmark = pytest.mark.skipif(platform.machine() != "x86_64", reason="raw syscall numbers are x86_64")

# x86_64 system call numbers used from inside the child.
NR = {
    "socket": 41,
    "socketpair": 53,
    "fork": 57,
    "vfork": 58,
    "execve": 59,
    "ptrace": 101,
    "setsid": 112,
    "personality": 135,
    "mount": 165,
    "shmget": 29,
    "keyctl": 250,
    "unshare": 272,
    "perf_event_open": 298,
    "setns": 308,
    "process_vm_readv": 310,
    "memfd_create": 319,
    "bpf": 321,
    "userfaultfd": 323,
    "io_uring_setup": 425,
    "pidfd_open": 434,
}
SYS_CLONE = 56
SYS_CLONE3 = 435
SYS_KILL = 62
SIGCHLD = 17


def _filtered() -> None:
    capabilities.set_no_new_privs()
    seccomp_filter.install()


@pytest.mark.parametrize("name", sorted(NR))
def test_denied_call_fails_with_eperm(name: str) -> None:
    """Every call on the deny-list, made raw through ctypes (no audit hook, no libc checks), gets EPERM."""

    def body() -> int:
        _filtered()
        return errno_of(NR[name], 0, 0, 0, 0, 0, 0)

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == errno.EPERM


def test_clone3_answers_enosys_and_threads_still_work() -> None:
    """glibc needs ENOSYS (not EPERM) from clone3 to fall back to clone(CLONE_THREAD) for pthreads."""

    def body() -> tuple[int, int]:
        _filtered()
        results: list[int] = []
        workers = [threading.Thread(target=results.append, args=(i,)) for i in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return errno_of(SYS_CLONE3, 0, 0), len(results)

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == [errno.ENOSYS, 4]


def test_process_creation_is_refused_every_way() -> None:
    def body() -> list[str]:
        _filtered()
        refused = []
        for attempt in (
            os.fork,
            lambda: subprocess.run(["/bin/true"], check=False),
            lambda: os.execv("/bin/true", ["true"]),
            lambda: os.posix_spawn("/bin/true", ["true"], {}),
        ):
            try:
                attempt()
            except PermissionError:
                refused.append("refused")
        # A raw clone without CLONE_THREAD, as a fork would make it.
        refused.append(str(errno_of(SYS_CLONE, SIGCHLD, 0, 0, 0, 0)))
        return refused

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == ["refused"] * 4 + [str(errno.EPERM)]


def test_sockets_refused_for_every_family() -> None:
    def body() -> list[str]:
        _filtered()
        names = []
        for family, kind in (
            (socket.AF_INET, socket.SOCK_STREAM),
            (socket.AF_INET, socket.SOCK_DGRAM),
            (socket.AF_INET6, socket.SOCK_STREAM),
            (socket.AF_UNIX, socket.SOCK_STREAM),
            (socket.AF_NETLINK, socket.SOCK_RAW),
        ):
            try:
                socket.socket(family, kind).close()
                names.append("created")
            except PermissionError:
                names.append("refused")
        try:
            socket.socketpair()
            names.append("created")
        except PermissionError:
            names.append("refused")
        return names

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == ["refused"] * 6


def test_kill_only_reaches_own_pid() -> None:
    """Signals to the parent, to -1, to the process group, or with junk in the pid's upper half are refused."""
    received: list[int] = []
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: received.append(signum))
    parent = os.getpid()
    try:

        def body() -> list[int]:
            _filtered()
            own_ok = errno_of(SYS_KILL, os.getpid(), 0)
            return [
                own_ok,
                errno_of(SYS_KILL, parent, signal.SIGUSR1),
                errno_of(SYS_KILL, -1, signal.SIGUSR1),
                errno_of(SYS_KILL, 0, signal.SIGUSR1),
                errno_of(SYS_KILL, (1 << 32) | parent, signal.SIGUSR1),
                libc_call("tgkill", parent, parent, signal.SIGUSR1)[1],
            ]

        outcome = run_in_child(body)
        time.sleep(0.05)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert outcome.ok, outcome
    assert outcome.value == [0] + [errno.EPERM] * 5
    assert received == []


@pytest.mark.parametrize("code", [X32_GETPID, I386_GETPID], ids=["x32", "i386-int80"])
def test_foreign_syscall_abi_kills_the_process(code: bytes) -> None:
    """x32 numbers and ``int 0x80`` would bypass rules written for x86_64 numbers: the process is killed."""

    def body() -> int:
        _filtered()
        return run_machine_code(code)

    outcome = run_in_child(body)
    assert outcome.signal == signal.SIGSYS, outcome


def test_terminal_injection_ioctl_refused_even_with_junk_upper_bits() -> None:
    def body() -> list[int]:
        _filtered()
        tiocsti = seccomp_filter.TIOCSTI
        return [errno_of(16, 0, tiocsti, 0), errno_of(16, 0, (0xDEAD << 32) | tiocsti, 0)]

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == [errno.EPERM, errno.EPERM]


def test_ordinary_work_unaffected() -> None:
    """Files, pipes, mmap, time and signals to itself keep working under the filter."""

    def body() -> str:
        _filtered()
        read_fd, write_fd = os.pipe()
        os.write(write_fd, b"ok")
        os.kill(os.getpid(), 0)
        return os.read(read_fd, 2).decode() + str(time.monotonic() > 0)

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == "okTrue"
