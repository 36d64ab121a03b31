"""The bound on tasks (processes and threads) of one run: the ``task-limit`` layer.

Threads are the hard part: seccomp lets them through (torch and numpy need them), and ``RLIMIT_AS`` stops only
threads with big stacks; with 32 KiB stacks a run started thousands. ``RLIMIT_NPROC`` counts processes *and*
threads, but the kernel does not apply it to uid 0 of the host, and a process keeps that uid inside a user
namespace it creates. So the bound needs the workers to run under a non-zero uid (`privileges.py` drops to one
when the bot is root), and then:

* inside a fresh user namespace the count starts with this run alone, so the limit is the budget itself;
* without one the kernel counts every task of that uid on the host (other runs, the workers), so the limit is
  the count now plus the budget: still a hard bound, shared with runs that start at the same moment.
"""

from __future__ import annotations

import contextlib
import os

__all__ = ["TaskBound", "choose_bound", "tasks_of_uid"]


class TaskBound:
    """The RLIMIT_NPROC value to set (None when no bound is possible) and how it was chosen."""

    def __init__(self, limit: int | None, detail: str) -> None:
        self.limit = limit
        self.detail = detail


def choose_bound(host_uid: int, budget: int, *, fresh_user_namespace: bool) -> TaskBound:
    """The bound for a run whose real uid on the host is ``host_uid``; call before Landlock hides ``/proc``."""
    if host_uid == 0:
        return TaskBound(None, "uid 0 is exempt from RLIMIT_NPROC: the workers must run as another user")
    if fresh_user_namespace:
        return TaskBound(budget, f"RLIMIT_NPROC {budget} in a fresh user namespace (host uid {host_uid})")
    current = tasks_of_uid(host_uid)
    return TaskBound(
        current + budget, f"RLIMIT_NPROC {current + budget}: {budget} above the {current} tasks of uid {host_uid}"
    )


def tasks_of_uid(uid: int) -> int:
    """How many tasks (threads included) the host runs under real uid ``uid`` now."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError):
            total += _threads_if_owned(entry.path, uid)
    return total


def _threads_if_owned(path: str, uid: int) -> int:
    real_uid, threads = -1, 0
    with open(f"{path}/status", encoding="ascii", errors="replace") as status:
        for line in status:
            if line.startswith("Uid:"):
                real_uid = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return threads if real_uid == uid else 0
