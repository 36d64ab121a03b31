"""The two `prctl` calls the sandbox needs outside the isolation layers, through ctypes (no extra dependency)."""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4

_libc = ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, value: int) -> None:
    if _libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))


def make_non_dumpable() -> None:
    """Stop same-uid processes from reading this process's memory, environ or fds through /proc or ptrace."""
    _prctl(PR_SET_DUMPABLE, 0)


def kill_me_with_parent() -> None:
    """SIGKILL this process when its parent dies, so a run never outlives the worker that supervises it."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
