"""Namespaces and the scratch mount (optional layers: used where the host allows unprivileged user namespaces).

Sequence, in the runner (see ``bot/sandbox/runner.py``):

1. ``unshare(CLONE_NEWUSER)`` alone and write the id maps (inside uid/gid 0 is the worker's uid/gid; nothing else
   is mapped). Alone first so that a host without user namespaces leaves this process untouched and we can fall
   back. The map files of a non-dumpable process belong to root, so dumpable is switched on just for the writes.
2. ``unshare`` network (no interface but a downed loopback), IPC (SysV and POSIX queues of its own), UTS, mount,
   cgroup and PID namespaces. The process calling ``unshare(CLONE_NEWPID)`` stays outside; its next child is
   PID 1 of the new namespace.
3. :func:`fork_into_pid_namespace`: the caller becomes a *relay* that waits for that child and dies the way the
   child died (see :func:`_relay`); the child continues, in a new session, with ``PR_SET_PDEATHSIG = SIGKILL``
   so that killing the relay (the worker's wall deadline) kills the snippet too.
4. In the child: make every mount private (nothing we mount propagates back to the host), mount a fresh
   size-limited tmpfs over the scratch directory (disk fill bounded, nothing survives the run) and a fresh
   ``/proc`` that only shows this PID namespace.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import select
import signal

from bot.sandbox.isolation._libc import check, libc, prctl

__all__ = [
    "NamespacesUnavailable",
    "enter_namespaces",
    "fork_into_pid_namespace",
    "mount_proc",
    "mount_scratch",
    "new_session",
]

CLONE_NEWNS = 0x00020000  # mount namespace
CLONE_NEWCGROUP = 0x02000000  # cgroup namespace: /proc/self/cgroup shows "/" instead of the host's layout
CLONE_NEWUTS = 0x04000000  # hostname
CLONE_NEWIPC = 0x08000000  # SysV IPC objects and POSIX message queues
CLONE_NEWUSER = 0x10000000  # uids, gids and capabilities
CLONE_NEWPID = 0x20000000  # process ids (for children of the caller)
CLONE_NEWNET = 0x40000000  # network devices, sockets, abstract unix names
OTHER_NAMESPACES = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWPID

MS_NOSUID = 0x2  # ignore set-uid bits
MS_NODEV = 0x4  # no device files
MS_NOEXEC = 0x8  # no execution
MS_REC = 0x4000  # apply to the whole subtree
MS_PRIVATE = 1 << 18  # no propagation to or from peer mounts

PR_SET_PDEATHSIG = 1  # signal this process when its parent dies
PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4  # also decides who owns /proc/self/*

#: Exit codes of the relay when it could not observe the snippet's end (never produced by a signal re-raise).
EXIT_RELAY_FAILED = 125
#: Exit code of the snippet process when the relay died before it was set up.
EXIT_ORPHANED = 124
#: Exit code base when a signal could not be re-raised on the relay (shell convention).
SIGNAL_EXIT_BASE = 128

#: tmpfs inode cap: plenty for a snippet, but bounds the kernel memory of "create a million empty files".
SCRATCH_INODES = 4096
SANDBOX_HOSTNAME = b"torchquiz-sandbox"

libc.unshare.argtypes = [ctypes.c_int]
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.sethostname.argtypes = [ctypes.c_char_p, ctypes.c_size_t]


class NamespacesUnavailable(Exception):
    """The host refused a user namespace; nothing was changed, so the caller may carry on without one."""


def new_session() -> None:
    """Leave the worker's session and process group (no controlling terminal, no group signals from it)."""
    with contextlib.suppress(PermissionError):  # already a group leader: nothing to leave
        os.setsid()


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, text.encode("ascii"))
    finally:
        os.close(fd)


def enter_namespaces() -> None:
    """Steps 1–2 of the module docstring.

    Raises :class:`NamespacesUnavailable` (nothing changed) when the user namespace is refused, and ``OSError``
    when it was created but a later step failed: the process is then half inside and must not run the snippet.
    """
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(CLONE_NEWUSER) != 0:
        err = ctypes.get_errno()
        raise NamespacesUnavailable(f"user namespace refused: {os.strerror(err)}")
    was_dumpable = prctl(PR_GET_DUMPABLE, what="PR_GET_DUMPABLE")
    prctl(PR_SET_DUMPABLE, 1, what="PR_SET_DUMPABLE")
    try:
        _write("/proc/self/setgroups", "deny")  # required before an unprivileged gid_map write
        _write("/proc/self/uid_map", f"0 {uid} 1\n")
        _write("/proc/self/gid_map", f"0 {gid} 1\n")
    finally:
        prctl(PR_SET_DUMPABLE, was_dumpable, what="PR_SET_DUMPABLE")
    check(libc.unshare(OTHER_NAMESPACES), "unshare(net, ipc, uts, mount, cgroup, pid)")


def _relay(child: int) -> None:
    """Wait for the PID-namespace init and end this process the same way it ended; never returns.

    Encoding (what the worker's ``waitpid`` on the relay sees):

    * the snippet exited with code *n* → the relay exits with code *n*;
    * the snippet was killed by signal *s* → the relay kills itself with *s* (core dumps off), so ``WIFSIGNALED``
      and ``WTERMSIG`` are exactly as without namespaces; if *s* cannot kill the relay (it never fails for the
      signals that killed the snippet) it exits with ``128 + s``;
    * the relay could not wait (should not happen) → exit code 125.
    """
    try:
        for catchable in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(catchable, signal.SIG_DFL)
        _, status = os.waitpid(child, 0)
        if os.WIFEXITED(status):
            os._exit(os.WEXITSTATUS(status))
        signum: int = os.WTERMSIG(status)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        with contextlib.suppress(OSError, ValueError):
            signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signum])
        os.kill(os.getpid(), signum)
        os._exit(SIGNAL_EXIT_BASE + signum)
    finally:
        os._exit(EXIT_RELAY_FAILED)


def _close_all_but(keep: int) -> None:
    os.closerange(0, keep)
    os.closerange(keep + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])


def fork_into_pid_namespace() -> None:
    """Step 3: returns only in the new PID 1; the calling process becomes the relay and never returns."""
    alive_read, alive_write = os.pipe()  # the relay keeps the write end open for as long as it lives
    child = os.fork()
    if child:
        os.close(alive_read)
        _close_all_but(alive_write)  # so the pipes the snippet closes reach EOF without waiting for the relay
        _relay(child)
    os.close(alive_write)
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL, what="PR_SET_PDEATHSIG")
    poller = select.poll()
    poller.register(alive_read, select.POLLIN)
    if poller.poll(0):  # POLLHUP: the relay died before PDEATHSIG was armed, so nobody would kill us later
        os._exit(EXIT_ORPHANED)
    os.close(alive_read)
    new_session()
    with contextlib.suppress(OSError):
        check(libc.sethostname(SANDBOX_HOSTNAME, len(SANDBOX_HOSTNAME)), "sethostname")


def _mount(source: bytes, target: str, fstype: bytes | None, flags: int, data: bytes | None) -> None:
    check(libc.mount(source, target.encode(), fstype, flags, data), f"mount {target}")


def mount_scratch(scratch_dir: str, size_bytes: int) -> None:
    """Step 4: private propagation, then a fresh tmpfs (0700, no exec/dev/suid) over ``scratch_dir``."""
    _mount(b"none", "/", None, MS_REC | MS_PRIVATE, None)
    options = f"size={size_bytes},nr_inodes={SCRATCH_INODES},mode=0700".encode()
    _mount(b"tmpfs", scratch_dir, b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, options)


def mount_proc() -> bool:
    """Mount a ``/proc`` of this PID namespace only; False when the kernel refuses (e.g. over-mounted /proc)."""
    try:
        _mount(b"proc", "/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    except OSError:
        return False
    return True
