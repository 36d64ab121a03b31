"""The few libc entry points the isolation layers call through ctypes.

The standard library has no wrapper for ``prctl``, ``unshare``, ``mount``, ``capset`` or the raw Landlock
system calls, so each layer reaches them here. Every wrapper turns ``-1``/``errno`` into an :class:`OSError`
so that callers handle failures with ordinary ``except OSError`` blocks.
"""

from __future__ import annotations

import ctypes
import os

__all__ = ["check", "libc", "prctl", "raw_syscall"]

#: ``CDLL(None)`` is the already-loaded C library of this interpreter; ``use_errno`` lets us read errno safely.
libc = ctypes.CDLL(None, use_errno=True)

libc.syscall.restype = ctypes.c_long
libc.prctl.restype = ctypes.c_int
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def check(result: int, what: str) -> int:
    """Return ``result``, or raise the ``OSError`` that errno describes when ``result`` is negative."""
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0, *, what: str = "prctl") -> int:
    """``prctl(2)`` with every argument passed as an unsigned long (the kernel reads five of them)."""
    return check(libc.prctl(option, arg2, arg3, arg4, arg5), what)


def raw_syscall(number: int, *args: object) -> int:
    """A raw ``syscall(2)`` for calls glibc does not wrap (Landlock); pass ctypes values for every argument."""
    return int(libc.syscall(ctypes.c_long(number), *args))
