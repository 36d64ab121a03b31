"""Landlock: the file-system, TCP and scope layer (required).

Why our own ctypes module: Landlock is three system calls and three small structs whose layout is fixed by the
kernel ABI (``include/uapi/linux/landlock.h``). The Python bindings we know of (``landlock`` on PyPI and
others) are not installed here, cannot be installed offline, and mostly stop at ABI 1–3, so they would miss the
TCP rules (ABI 4) and the signal/abstract-socket scopes (ABI 6) this layer exists for. Keeping it in one
readable file also lets reviewers check every bit against the kernel header.

What the domain allows after :func:`restrict`:

* read (files and directory listings, never execute) beneath each read-only path;
* read, write, create, remove, rename and truncate beneath the scratch directory;
* nothing else on the file system — every right the running ABI knows is "handled", and an unhandled right
  would be silently allowed;
* no TCP ``bind``/``connect`` at all (ABI ≥ 4);
* no signals to, and no abstract-unix connections with, processes outside the domain (ABI ≥ 6).

``landlock_restrict_self`` needs ``PR_SET_NO_NEW_PRIVS`` (set by the capability layer) and affects only the
calling thread and its future children, so it must run while the child is still single-threaded.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterable

from bot.sandbox.isolation._libc import check, raw_syscall

__all__ = ["SYSTEM_READ_ONLY_PATHS", "abi_version", "restrict"]

# System call numbers, x86_64 (identical on every architecture since they were added in 5.13).
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446

#: ``landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)`` returns the ABI version.
LANDLOCK_CREATE_RULESET_VERSION = 1 << 0
#: Rule type whose attribute is a ``struct landlock_path_beneath_attr``.
LANDLOCK_RULE_PATH_BENEATH = 1

# File-system access rights (``LANDLOCK_ACCESS_FS_*``) and the ABI that introduced each.
ACCESS_FS_EXECUTE = 1 << 0  # execve() a file
ACCESS_FS_WRITE_FILE = 1 << 1  # open a file for writing
ACCESS_FS_READ_FILE = 1 << 2  # open a file for reading
ACCESS_FS_READ_DIR = 1 << 3  # list a directory
ACCESS_FS_REMOVE_DIR = 1 << 4  # rmdir
ACCESS_FS_REMOVE_FILE = 1 << 5  # unlink
ACCESS_FS_MAKE_CHAR = 1 << 6  # mknod a character device
ACCESS_FS_MAKE_DIR = 1 << 7  # mkdir
ACCESS_FS_MAKE_REG = 1 << 8  # create a regular file (also the target of link())
ACCESS_FS_MAKE_SOCK = 1 << 9  # bind a unix socket to a path
ACCESS_FS_MAKE_FIFO = 1 << 10  # mkfifo
ACCESS_FS_MAKE_BLOCK = 1 << 11  # mknod a block device
ACCESS_FS_MAKE_SYM = 1 << 12  # symlink
ACCESS_FS_REFER = 1 << 13  # ABI 2: link/rename across directories
ACCESS_FS_TRUNCATE = 1 << 14  # ABI 3: truncate/ftruncate/O_TRUNC
ACCESS_FS_IOCTL_DEV = 1 << 15  # ABI 5: ioctl on character/block devices

# Network rights (ABI 4), struct field ``handled_access_net``.
ACCESS_NET_BIND_TCP = 1 << 0
ACCESS_NET_CONNECT_TCP = 1 << 1

# Scopes (ABI 6), struct field ``scoped``: deny IPC with processes outside the domain.
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1

_FS_ABI1 = (1 << 13) - 1
_FS_BY_ABI = {1: _FS_ABI1, 2: _FS_ABI1 | ACCESS_FS_REFER, 3: _FS_ABI1 | ACCESS_FS_REFER | ACCESS_FS_TRUNCATE}
_FS_ALL = _FS_BY_ABI[3] | ACCESS_FS_IOCTL_DEV

#: Rights that make sense on a regular file; adding a directory-only right to a file rule is ``EINVAL``.
_FILE_RIGHTS = ACCESS_FS_EXECUTE | ACCESS_FS_WRITE_FILE | ACCESS_FS_READ_FILE | ACCESS_FS_TRUNCATE | ACCESS_FS_IOCTL_DEV

READ_ONLY = ACCESS_FS_READ_FILE | ACCESS_FS_READ_DIR
#: Everything a snippet needs in its scratch directory; never execute, devices or sockets.
READ_WRITE = (
    READ_ONLY
    | ACCESS_FS_WRITE_FILE
    | ACCESS_FS_REMOVE_DIR
    | ACCESS_FS_REMOVE_FILE
    | ACCESS_FS_MAKE_DIR
    | ACCESS_FS_MAKE_REG
    | ACCESS_FS_MAKE_SYM
    | ACCESS_FS_MAKE_FIFO
    | ACCESS_FS_REFER
    | ACCESS_FS_TRUNCATE
)

#: What CPython, glibc, numpy and torch read at run time beyond the interpreter prefix, found by tracing the
#: functional snippets (``strace -f -e trace=%file``). Missing paths are skipped. ``/proc`` is deliberately
#: absent apart from ``cpuinfo``: nothing in the functional suite needs it, and ``/proc/<pid>`` is where the
#: bot's secrets would be reachable.
SYSTEM_READ_ONLY_PATHS: tuple[str, ...] = (
    "/usr/lib",
    "/usr/lib64",
    "/usr/share/zoneinfo",
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/dev/null",
    "/dev/zero",
    "/dev/urandom",
    "/dev/random",
    "/sys/devices/system/cpu",
    "/proc/cpuinfo",  # read by torch's cpuinfo on first use if the worker has not initialised it yet
)
#: Character devices a snippet may also write to (writes to them are harmless).
WRITABLE_DEVICES: tuple[str, ...] = ("/dev/null", "/dev/zero")


class _RulesetAttr(ctypes.Structure):
    """``struct landlock_ruleset_attr`` (ABI 6 size; older kernels get a prefix of it)."""

    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneathAttr(ctypes.Structure):
    """``struct landlock_path_beneath_attr``: declared ``__attribute__((packed))`` in the kernel header."""

    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


def abi_version() -> int:
    """The kernel's Landlock ABI, or 0 when Landlock is compiled out or disabled at boot."""
    result = raw_syscall(
        SYS_LANDLOCK_CREATE_RULESET,
        None,
        ctypes.c_size_t(0),
        ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION),
    )
    return max(result, 0)


def _handled_fs(abi: int) -> int:
    return _FS_BY_ABI.get(abi, _FS_ALL)


def _add_path_rule(ruleset_fd: int, path: str, access: int, handled: int) -> bool:
    """Allow ``access`` beneath ``path``; returns False when the path does not exist."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        allowed = access & handled
        if not os.path.isdir(path):
            allowed &= _FILE_RIGHTS
        attr = _PathBeneathAttr(allowed_access=allowed, parent_fd=fd)
        check(
            raw_syscall(
                SYS_LANDLOCK_ADD_RULE,
                ctypes.c_int(ruleset_fd),
                ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH),
                ctypes.byref(attr),
                ctypes.c_uint32(0),
            ),
            f"landlock_add_rule({path})",
        )
    finally:
        os.close(fd)
    return True


def restrict(read_only: Iterable[str], read_write: Iterable[str]) -> str:
    """Confine the calling thread (and all later threads and children); returns a one-line description.

    Raises ``OSError`` when Landlock is unavailable or a call fails; the caller turns it into ``IsolationError``.
    """
    abi = abi_version()
    if abi < 1:
        raise OSError(0, "Landlock is not available (kernel < 5.13 or not enabled in the LSM list)")
    handled = _handled_fs(abi)
    attr = _RulesetAttr(handled_access_fs=handled)
    size = ctypes.sizeof(ctypes.c_uint64)
    if abi >= 4:
        attr.handled_access_net = ACCESS_NET_BIND_TCP | ACCESS_NET_CONNECT_TCP
        size = 2 * ctypes.sizeof(ctypes.c_uint64)
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = ctypes.sizeof(_RulesetAttr)
    ruleset_fd = check(
        raw_syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)),
        "landlock_create_ruleset",
    )
    try:
        for path in read_only:
            _add_path_rule(ruleset_fd, path, READ_ONLY, handled)
        for path in WRITABLE_DEVICES:
            _add_path_rule(ruleset_fd, path, ACCESS_FS_READ_FILE | ACCESS_FS_WRITE_FILE, handled)
        for path in read_write:
            if not _add_path_rule(ruleset_fd, path, READ_WRITE, handled):
                raise FileNotFoundError(path)
        check(
            raw_syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset_fd), ctypes.c_uint32(0)),
            "landlock_restrict_self",
        )
    finally:
        os.close(ruleset_fd)
    scopes = "; TCP denied" if abi >= 4 else ""
    scopes += "; signals and abstract sockets scoped" if abi >= 6 else ""
    return f"Landlock ABI {abi}{scopes}"
