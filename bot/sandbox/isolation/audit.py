"""PEP 578 audit hook: friendly errors for what the kernel layers would refuse anyway (defense in depth).

Landlock and seccomp already refuse these operations, but their errors are terse (``[Errno 1] Operation not
permitted``) and, for ``subprocess``, arrive from deep inside the standard library. The hook refuses earlier
with a sentence a member can act on. It is *not* a security boundary: ``ctypes`` calls the C library directly
and never raises audit events, which is exactly what the attack suite does to prove the kernel layers hold.

The hook must be cheap: CPython raises audit events for every ``import``, ``compile``, ``exec``, ``id()`` and
more, so the common path is one ``frozenset`` lookup.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

__all__ = ["install"]

#: Events that start programs or processes.
_PROCESS_EVENTS = frozenset(
    {
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "pty.spawn",
    }
)
#: Events that create or use network sockets.
_SOCKET_EVENTS = frozenset({"socket.__new__", "socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo"})
_SIGNAL_EVENTS = frozenset({"os.kill", "os.killpg"})
_WATCHED = _PROCESS_EVENTS | _SOCKET_EVENTS | _SIGNAL_EVENTS | {"open", "sqlite3.connect"}
#: SQLite names that are not files.
_SQLITE_IN_MEMORY = frozenset({"", ":memory:"})

#: ``open`` flags that mean the file will be created or changed.
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _prefixes(paths: Iterable[str]) -> tuple[str, ...]:
    return tuple(os.path.join(os.path.normpath(path), "") for path in paths)


def install(scratch_dir: str, read_only: Iterable[str]) -> str:
    """Add the hook to this interpreter (permanent by design: hooks cannot be removed)."""
    own_pid = os.getpid()
    writable = _prefixes([scratch_dir])
    readable = writable + _prefixes(read_only)

    def allowed(path: str, prefixes: tuple[str, ...]) -> bool:
        full = os.path.join(os.path.abspath(path), "")
        return full.startswith(prefixes)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event not in _WATCHED:
            return
        if event == "open":
            path, _mode, flags = args
            if not isinstance(path, str | bytes | os.PathLike):
                return  # an already-open descriptor
            text = os.fsdecode(path)
            writing = isinstance(flags, int) and flags & _WRITE_FLAGS
            if writing and not allowed(text, writable):
                raise PermissionError(f"the sandbox can only write inside its scratch folder, not {text!r}")
            if not writing and not allowed(text, readable):
                raise PermissionError(f"the sandbox cannot read {text!r}: only its scratch folder and Python's files")
        elif event == "sqlite3.connect":
            # SQLite opens its files in C, past the "open" event; an outside database would only fail later
            # with "unable to open database file". Databases in scratch (and in memory) are fine.
            database = os.fsdecode(args[0])
            if database.startswith("file:"):
                database = database[len("file:") :].split("?", 1)[0]
            if database not in _SQLITE_IN_MEMORY and not allowed(database, writable):
                raise PermissionError(
                    f"the sandbox can only open databases inside its scratch folder, not {database!r}"
                )
        elif event in _PROCESS_EVENTS:
            raise PermissionError("the sandbox cannot start programs or processes")
        elif event in _SOCKET_EVENTS:
            raise PermissionError("the sandbox has no network")
        elif event == "os.kill" and args[0] == own_pid:
            return
        else:
            raise PermissionError("the sandbox can only signal itself")

    sys.addaudithook(hook)
    return "open, sqlite3, subprocess, socket and kill checked"
