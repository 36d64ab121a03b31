"""Dropping a worker from root to an unprivileged user before any member's code exists in it.

Why: the kernel exempts uid 0 of the host from ``RLIMIT_NPROC``, also inside a user namespace, so a run under
root can start thousands of threads (see `isolation/tasks.py`). A bot started as root (CI, many containers)
therefore runs its workers as ``TORCHQUIZ_SANDBOX_USER`` (default ``nobody``).

The catch: the interpreter and its packages may live where that user cannot go (``/root/.pyenv`` under a 0700
``/root``). So, still as root, the worker enters a mount namespace of its own and, for each folder it must
read, covers the first ancestor the user cannot traverse with an empty tmpfs (mode 0711) and binds the needed
folder back at its old path. Nothing changes for the host; the rest of that ancestor (``/root/.env``, say)
simply is not there for the worker. Then it clears its supplementary groups and sets gid and uid.
"""

from __future__ import annotations

import ctypes
import os
import pwd
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.sandbox.isolation._libc import check, libc

CLONE_NEWNS = 0x00020000
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
MS_NOSUID = 0x2
MS_NODEV = 0x4

libc.unshare.argtypes = [ctypes.c_int]
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]


class PrivilegeError(RuntimeError):
    """The drop could not be done; the worker must not run code."""


@dataclass(frozen=True)
class SandboxUser:
    name: str
    uid: int
    gid: int


def resolve(name: str) -> SandboxUser:
    """The account to run workers as: a user name or a numeric uid (its gid is then the same number)."""
    if name.isdigit():
        uid = int(name)
        try:
            entry = pwd.getpwuid(uid)
        except KeyError:
            return SandboxUser(name, uid, uid)
        return SandboxUser(entry.pw_name, uid, entry.pw_gid)
    try:
        entry = pwd.getpwnam(name)
    except KeyError as exc:
        raise PrivilegeError(f"sandbox user {name!r} does not exist") from exc
    return SandboxUser(name, entry.pw_uid, entry.pw_gid)


def drop_to(user: SandboxUser, readable: Iterable[str]) -> str:
    """As root: make ``readable`` reachable for ``user`` in a private mount namespace, then become ``user``.

    Returns a one-line description for the logs. Raises `PrivilegeError` if any step fails.
    """
    if user.uid == 0:
        raise PrivilegeError("the sandbox user must not be root (uid 0 is exempt from the task limit)")
    try:
        check(libc.unshare(CLONE_NEWNS), "unshare(mount)")
        _mount(b"none", "/", None, MS_REC | MS_PRIVATE, None)
        exposed = _expose(readable, user)
        os.setgroups([])
        os.setresgid(user.gid, user.gid, user.gid)
        os.setresuid(user.uid, user.uid, user.uid)
    except OSError as exc:
        raise PrivilegeError(f"could not switch to sandbox user {user.name!r}: {exc}") from exc
    if os.geteuid() == 0 or os.getuid() == 0:
        raise PrivilegeError("still root after switching users")
    note = f"; made reachable: {', '.join(exposed)}" if exposed else ""
    return f"running as {user.name} (uid {user.uid}, gid {user.gid}){note}"


def _expose(paths: Iterable[str], user: SandboxUser) -> list[str]:
    """Cover each hidden ancestor of ``paths`` with a traversable tmpfs and bind the needed folders back."""
    hidden: dict[Path, list[Path]] = {}
    for raw in paths:
        path = Path(raw).resolve()
        if not path.exists():
            continue
        blocked = _first_hidden_ancestor(path, user)
        if blocked is not None:
            ancestor, child = blocked
            if child not in hidden.setdefault(ancestor, []):
                hidden[ancestor].append(child)
    exposed: list[str] = []
    for ancestor, children in hidden.items():
        keep = []
        for child in children:
            # Hold each folder open through a bind mount on itself-to-be, before the tmpfs hides it.
            fd = os.open(child, os.O_PATH | os.O_DIRECTORY)
            keep.append((child, fd))
        _mount(b"tmpfs", str(ancestor), b"tmpfs", MS_NOSUID | MS_NODEV, b"mode=0711,size=64k")
        for child, fd in keep:
            os.makedirs(child, mode=0o755, exist_ok=True)
            _mount(f"/proc/self/fd/{fd}".encode(), str(child), None, MS_BIND | MS_REC, None)
            os.close(fd)
            exposed.append(str(child))
    return exposed


def _first_hidden_ancestor(path: Path, user: SandboxUser) -> tuple[Path, Path] | None:
    """The first folder on the way to ``path`` that ``user`` may not traverse, and its child on that way."""
    parts = path.parts
    for depth in range(1, len(parts)):
        ancestor = Path(*parts[:depth])
        if not _may_traverse(ancestor, user):
            return ancestor, Path(*parts[: depth + 1])
    return None


def _may_traverse(folder: Path, user: SandboxUser) -> bool:
    info = folder.stat()
    if info.st_uid == user.uid:
        return bool(info.st_mode & 0o100)
    if info.st_gid == user.gid:
        return bool(info.st_mode & 0o010)
    return bool(info.st_mode & 0o001)


def _mount(source: bytes, target: str, fstype: bytes | None, flags: int, data: bytes | None) -> None:
    check(libc.mount(source, target.encode(), fstype, flags, data), f"mount {target}")
