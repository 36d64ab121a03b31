"""Run a function in a forked child of the test process and bring back how it ended.

The isolation unit tests apply a layer in the child (never in the test process: every layer is irreversible)
and then try to break the layer's promise from inside. The child sends the function's JSON-able return value,
or the exception it raised, over a pipe; the parent also reports the exit code or the killing signal, because
several promises are "the process dies" (seccomp's bad-architecture action, the CPU hard limit).
"""

from __future__ import annotations

import ctypes
import json
import mmap
import os
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["ChildOutcome", "errno_of", "libc_call", "run_in_child", "run_machine_code"]

#: x86_64 machine code: ``mov eax, 0x40000027`` (getpid with the x32 bit); ``syscall``; ``ret``.
X32_GETPID = b"\xb8\x27\x00\x00\x40\x0f\x05\xc3"
#: x86_64 machine code: ``mov eax, 20`` (getpid in the i386 table); ``int 0x80``; ``ret``.
I386_GETPID = b"\xb8\x14\x00\x00\x00\xcd\x80\xc3"


@dataclass(frozen=True)
class ChildOutcome:
    """How the forked child ended."""

    value: Any = None
    error: str | None = None  # "ExceptionType: message" when the function raised
    exit_code: int | None = None
    signal: int | None = None
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.exit_code == 0 and not self.timed_out


def run_in_child(body: Callable[[], Any], *, timeout: float = 10.0) -> ChildOutcome:
    """Fork, call ``body()`` in the child, and report; the child is killed after ``timeout`` seconds."""
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_fd)
        code = 0
        try:
            message = {"value": body()}
        except BaseException as error:  # report everything, never unwind into pytest
            message = {"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc()}
        try:
            os.write(write_fd, json.dumps(message).encode())
        except BaseException:  # the pipe may be gone; the exit code says so
            code = 3
        os._exit(code)
    os.close(write_fd)
    raw, timed_out = _read_all(read_fd, timeout)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    message = json.loads(raw) if raw else {}
    return ChildOutcome(
        value=message.get("value"),
        error=message.get("error"),
        exit_code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        timed_out=timed_out,
    )


def _read_all(fd: int, timeout: float) -> tuple[bytes, bool]:
    deadline = time.monotonic() + timeout
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    chunks: list[bytes] = []
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            if not poller.poll(remaining * 1000):
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)
        return b"".join(chunks), True
    finally:
        os.close(fd)


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def libc_call(name: str, *args: Any) -> tuple[int, int]:
    """Call a libc function directly (no audit hook sees it); returns ``(result, errno)``."""
    ctypes.set_errno(0)
    result = getattr(_libc, name)(*args)
    return int(result), ctypes.get_errno()


def errno_of(number: int, *args: Any) -> int:
    """Make raw system call ``number``; 0 if it succeeded, else its errno."""
    result, err = libc_call("syscall", ctypes.c_long(number), *args)
    return 0 if result >= 0 else err


def run_machine_code(code: bytes) -> int:
    """Execute a few bytes of x86_64 machine code as a function returning ``long``."""
    page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    page.write(code)
    address = ctypes.addressof(ctypes.c_char.from_buffer(page))
    return int(ctypes.CFUNCTYPE(ctypes.c_long)(address)())
