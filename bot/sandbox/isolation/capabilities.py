"""Capabilities: leave the snippet with none, and no way to regain any.

Inside a fresh user namespace the child is "root" with a full capability set over everything that namespace
owns, and a worker run as real root has real capabilities. Either way a snippet could then mount, change
owners or override file permissions (``CAP_DAC_OVERRIDE`` reads a 0600 file owned by a mapped uid). So:

1. lock the securebits first (needs ``CAP_SETPCAP``, so it must precede the drop): uid 0 gets no automatic
   capabilities and no fix-ups on uid changes, and ambient capabilities cannot be raised again;
2. clear the ambient set and drop every capability from the bounding set (again needs ``CAP_SETPCAP``; a
   non-root worker without namespaces has no capabilities to begin with, and ``no_new_privs`` plus the
   seccomp ban on ``execve`` mean the bounding set can no longer matter);
3. ``capset`` effective, permitted and inheritable to zero (always allowed: dropping needs no privilege);
4. ``PR_SET_DUMPABLE`` 0: processes of the same uid (other runs, whatever else the worker's user runs) can
   neither ptrace this one nor open its ``/proc/<pid>/mem``; core dumps are off as well;
5. ``PR_SET_NO_NEW_PRIVS``: required by Landlock and seccomp for unprivileged use, and blocks set-uid gains.
"""

from __future__ import annotations

import ctypes

from bot.sandbox.isolation._libc import check, libc, prctl

__all__ = ["drop_all", "effective_capabilities", "set_no_new_privs"]

PR_CAPBSET_DROP = 24  # prctl: remove one capability from the bounding set
PR_SET_DUMPABLE = 4  # prctl: 0 = no ptrace by same-uid processes, /proc/<pid> owned by root, no core
PR_SET_SECUREBITS = 28  # prctl: set the securebits flags
PR_SET_NO_NEW_PRIVS = 38  # prctl: execve can never grant privileges again (irreversible)
PR_GET_NO_NEW_PRIVS = 39
PR_CAP_AMBIENT = 47  # prctl: operate on the ambient capability set
PR_CAP_AMBIENT_CLEAR_ALL = 4

SECBIT_NOROOT = 1 << 0  # uid 0 does not get capabilities on execve
SECBIT_NOROOT_LOCKED = 1 << 1
SECBIT_NO_SETUID_FIXUP = 1 << 2  # no capability changes when uids change
SECBIT_NO_SETUID_FIXUP_LOCKED = 1 << 3
SECBIT_KEEP_CAPS_LOCKED = 1 << 5  # KEEP_CAPS stays off
SECBIT_NO_CAP_AMBIENT_RAISE = 1 << 6  # ambient capabilities cannot be raised
SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED = 1 << 7
LOCKED_SECUREBITS = (
    SECBIT_NOROOT
    | SECBIT_NOROOT_LOCKED
    | SECBIT_NO_SETUID_FIXUP
    | SECBIT_NO_SETUID_FIXUP_LOCKED
    | SECBIT_KEEP_CAPS_LOCKED
    | SECBIT_NO_CAP_AMBIENT_RAISE
    | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED
)

#: ``capset``/``capget`` header version 3: two 32-bit words per set (64 capabilities).
LINUX_CAPABILITY_VERSION_3 = 0x20080522
#: Highest capability number we try when ``/proc/sys/kernel/cap_last_cap`` is unreadable.
CAP_LAST_CAP_FALLBACK = 63


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    )


def _last_cap() -> int:
    try:
        with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as handle:
            return int(handle.read())
    except (OSError, ValueError):
        return CAP_LAST_CAP_FALLBACK


def effective_capabilities() -> tuple[int, int, int]:
    """``(effective, permitted, inheritable)`` of the calling thread, each as a 64-bit mask."""
    header = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    check(libc.capget(ctypes.byref(header), data), "capget")
    return (
        data[0].effective | data[1].effective << 32,
        data[0].permitted | data[1].permitted << 32,
        data[0].inheritable | data[1].inheritable << 32,
    )


def drop_all() -> str:
    """Drop every capability; returns a description. Raises ``OSError`` if any set is non-empty afterwards."""
    notes = []
    try:
        prctl(PR_SET_SECUREBITS, LOCKED_SECUREBITS, what="PR_SET_SECUREBITS")
    except OSError:
        notes.append("securebits unchanged (no CAP_SETPCAP)")
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, what="PR_CAP_AMBIENT_CLEAR_ALL")
    bounding_dropped = True
    for cap in range(_last_cap() + 1):
        try:
            prctl(PR_CAPBSET_DROP, cap, what="PR_CAPBSET_DROP")
        except OSError:
            bounding_dropped = False
            break
    if not bounding_dropped:
        notes.append("bounding set kept (no CAP_SETPCAP; irrelevant with no_new_privs and no execve)")
    header = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    check(libc.capset(ctypes.byref(header), data), "capset")
    prctl(PR_SET_DUMPABLE, 0, what="PR_SET_DUMPABLE")
    remaining = effective_capabilities()
    if any(remaining):
        raise OSError(0, f"capabilities remain after capset: {remaining}")
    return "all capabilities dropped, not dumpable" + "".join(f"; {note}" for note in notes)


def set_no_new_privs() -> None:
    """Set ``PR_SET_NO_NEW_PRIVS`` and confirm it (irreversible for this process and its children)."""
    prctl(PR_SET_NO_NEW_PRIVS, 1, what="PR_SET_NO_NEW_PRIVS")
    if prctl(PR_GET_NO_NEW_PRIVS, what="PR_GET_NO_NEW_PRIVS") != 1:
        raise OSError(0, "no_new_privs did not stick")
