"""seccomp: a deny-list of system calls (required layer), compiled with libseccomp through ``pyseccomp``.

A deny-list rather than an allow-list because torch, OpenMP, OpenBLAS and CPython together use a large and
version-dependent set of calls; an allow-list that misses one breaks ordinary snippets in ways members cannot
diagnose. What is denied is what no tutorial snippet needs and what crosses the sandbox boundary: creating
processes or running programs, sockets, reaching other processes, new namespaces and mounts, and the kernel
interfaces with the worst record (bpf, io_uring, user-fault handling, keyrings, perf).

Actions:

* ``EPERM`` for almost everything, so Python raises ``PermissionError`` and the member sees a clear traceback;
* ``ENOSYS`` for ``clone3``: glibc then falls back to ``clone`` (which we can inspect: ``clone3`` takes its flags
  in a struct seccomp cannot read). With ``EPERM`` glibc does not fall back and even threads fail;
* kill the process for any call made through a foreign system-call table: the i386 ``int 0x80`` entry and
  x32 numbers (``nr | 0x40000000``) would otherwise bypass a filter written for x86_64 numbers. libseccomp
  compiles x32 numbers of a native-only x86_64 filter to the bad-architecture action.

Argument checks compare full 64-bit registers, so a pid or flag with junk in the upper half does not slip past
a rule that the kernel would truncate: ``kill`` is refused unless its first argument is *exactly* our pid.
"""

from __future__ import annotations

import errno
import os

import pyseccomp

__all__ = ["DENIED", "install"]

CLONE_THREAD = 0x00010000  # clone flag: a new thread in our thread group rather than a new process
TIOCSTI = 0x5412  # ioctl: push a byte into a terminal's input queue (types commands into someone's shell)
TIOCLINUX = 0x541C  # ioctl: virtual-console tricks, including selection paste into the console
IOCTL_CMD_MASK = 0xFFFFFFFF  # the kernel reads an ioctl's command as a 32-bit unsigned int

#: Denied outright with ``EPERM``; grouped by the promise they would break.
DENIED: dict[str, tuple[str, ...]] = {
    "run programs or processes": ("execve", "execveat", "fork", "vfork"),
    "network and local sockets": ("socket", "socketpair"),
    "reach other processes": (
        "ptrace",
        "process_vm_readv",
        "process_vm_writev",
        "process_madvise",
        "kcmp",
        "pidfd_open",
        "pidfd_getfd",
        "pidfd_send_signal",
        "tkill",
        "migrate_pages",
        "move_pages",
    ),
    # Landlock governs opening, creating and renaming files but not their metadata, so without these a run could
    # chmod, re-date or tag any file its user owns (the database, the project folder, /tmp itself).
    "file metadata outside Landlock's reach": (
        "chmod",
        "fchmod",
        "fchmodat",
        "fchmodat2",
        "chown",
        "fchown",
        "lchown",
        "fchownat",
        "utime",
        "utimes",
        "futimesat",
        "utimensat",
        "setxattr",
        "lsetxattr",
        "fsetxattr",
        "setxattrat",
        "removexattr",
        "lremovexattr",
        "fremovexattr",
        "removexattrat",
    ),
    # Landlock does not govern watches: inotify on the project folder would show the names of files created there.
    "watching files outside scratch": (
        "inotify_init",
        "inotify_init1",
        "inotify_add_watch",
        "fanotify_init",
        "fanotify_mark",
    ),
    "namespaces and mounts": (
        "unshare",
        "setns",
        "mount",
        "umount2",
        "pivot_root",
        "chroot",
        "move_mount",
        "open_tree",
        "fsopen",
        "fsconfig",
        "fsmount",
        "fspick",
        "mount_setattr",
        "name_to_handle_at",
        "open_by_handle_at",
    ),
    "state that outlives the run": (
        "shmget",
        "shmat",
        "shmctl",
        "shmdt",
        "msgget",
        "msgsnd",
        "msgrcv",
        "msgctl",
        "semget",
        "semop",
        "semctl",
        "semtimedop",
        "mq_open",
        "mq_unlink",
        "mq_timedsend",
        "mq_timedreceive",
        "mq_notify",
        "mq_getsetattr",
        "memfd_create",
        "memfd_secret",
        "setsid",
    ),
    "kernel attack surface": (
        "bpf",
        "io_uring_setup",
        "io_uring_enter",
        "io_uring_register",
        "keyctl",
        "add_key",
        "request_key",
        "perf_event_open",
        "userfaultfd",
        "personality",
        "modify_ldt",
        "iopl",
        "ioperm",
        "uselib",
        "lookup_dcookie",
        "fanotify_init",
        "quotactl",
        "quotactl_fd",
        "syslog",
        "vhangup",
        "acct",
    ),
    "system administration": (
        "kexec_load",
        "kexec_file_load",
        "init_module",
        "finit_module",
        "delete_module",
        "reboot",
        "swapon",
        "swapoff",
        "settimeofday",
        "clock_settime",
        "clock_adjtime",
        "adjtimex",
        "sethostname",
        "setdomainname",
    ),
}

#: Signal-sending calls whose first argument is a process id; allowed only for our own pid.
SIGNAL_CALLS_BY_PID = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")


# x86_64 numbers its native calls below 512 (512 and up belong to x32, which the filter kills outright).
NATIVE_SYSCALL_SPAN = 512


def _named(number: int) -> bool:
    try:
        pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, number)
    except ValueError:
        return False
    return True


def _build(own_pid: int) -> tuple[pyseccomp.SyscallFilter, list[str]]:
    """Compile the filter for a process whose pid (as it sees itself) is ``own_pid``."""
    deny = pyseccomp.ERRNO(errno.EPERM)
    filt = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    filt.set_attr(pyseccomp.Attr.ACT_BADARCH, pyseccomp.KILL_PROCESS)
    unknown: list[str] = []
    for names in DENIED.values():
        for name in names:
            if pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name) < 0:
                unknown.append(name)  # newer than this libseccomp: refused below, by number
                continue
            filt.add_rule(deny, name)
    # A kernel newer than libseccomp's table has calls no name can reach (setxattrat, file_setattr, ...), and a
    # deny-list would let them through. Every number this libseccomp cannot name answers ENOSYS, as an older
    # kernel would, so glibc falls back to the calls the filter knows.
    for number in range(NATIVE_SYSCALL_SPAN):
        if not _named(number):
            filt.add_rule(pyseccomp.ERRNO(errno.ENOSYS), number)
    filt.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    filt.add_rule(deny, "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, CLONE_THREAD, 0))
    for name in SIGNAL_CALLS_BY_PID:
        filt.add_rule(deny, name, pyseccomp.Arg(0, pyseccomp.NE, own_pid))
    for command in (TIOCSTI, TIOCLINUX):
        filt.add_rule(deny, "ioctl", pyseccomp.Arg(1, pyseccomp.MASKED_EQ, IOCTL_CMD_MASK, command))
    return filt, unknown


def install() -> str:
    """Load the filter into the calling process (needs ``no_new_privs``); returns a description.

    Raises ``OSError`` when libseccomp or the kernel refuses. Loaded while single-threaded, so every later
    thread inherits it; ``TSYNC`` is requested anyway so a stray thread would make the load fail, not escape.
    """
    filt, unknown = _build(os.getpid())
    filt.set_attr(pyseccomp.Attr.CTL_TSYNC, 1)
    filt.load()
    count = sum(len(names) for names in DENIED.values()) - len(unknown) + 1 + 1 + len(SIGNAL_CALLS_BY_PID)
    detail = f"{count} calls filtered, foreign architectures killed"
    newest = max(n for n in range(NATIVE_SYSCALL_SPAN) if _named(n))
    detail += f"; calls newer than libseccomp's table (above {newest}) answer ENOSYS"
    return detail
