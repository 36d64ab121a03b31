"""The bound on tasks (processes and threads) of one run: the ``task-limit`` layer.

Threads are the hard part: seccomp lets them through (torch and numpy need them), and ``RLIMIT_AS`` stops only
threads with big stacks; with 32 KiB stacks a run started thousands. ``RLIMIT_NPROC`` counts processes *and*
threads, but the kernel does not apply it to uid 0 of the host, and a process keeps that uid inside a user
namespace it creates. So the bound needs the workers to run under a non-zero uid (`privileges.py` drops to one
when the bot is root), and then:

* inside a fresh user namespace the count starts with this run alone, so the limit is the budget itself;
* without one the kernel counts every task of that uid on the host (other runs, the workers), so the limit is
  the count now plus the budget: still a hard bound, shared with runs that start at the same moment.

A cgroup v2 ``pids.max`` per run would bound tasks for root too, but only where the host delegates the ``pids``
controller to the bot's cgroup; `pids_controller` tells whether it does, and `doctor` shows the answer. TorchQuiz
does not depend on it: the uid drop and ``RLIMIT_NPROC`` hold on every host.
"""

from __future__ import annotations

import contextlib
import os

__all__ = ["TaskBound", "choose_bound", "pids_controller", "tasks_of_uid"]


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


def pids_controller() -> str:
    """Whether this process's cgroup v2 offers the ``pids`` controller, in one line (for `doctor`)."""
    try:
        with open("/proc/self/cgroup", encoding="ascii") as own:
            unified = [line.split(":", 2)[2].strip() for line in own if line.startswith("0::")]
        mounts = [line.split()[1] for line in _lines("/proc/self/mounts") if line.split()[2:3] == ["cgroup2"]]
    except OSError as exc:
        return f"cgroup v2 unknown ({exc.strerror})"
    if not unified or not mounts:
        return "no cgroup v2 hierarchy"
    folder = os.path.join(mounts[0], unified[0].lstrip("/"))
    try:
        offered = _lines(os.path.join(folder, "cgroup.controllers"))[0].split() if os.path.isdir(folder) else []
    except (OSError, IndexError):
        offered = []
    if "pids" in offered:
        return f"cgroup v2 at {folder} offers pids (not used: RLIMIT_NPROC under the sandbox user bounds every run)"
    return f"cgroup v2 at {folder} does not delegate pids (offers: {', '.join(offered) or 'nothing'})"


def _lines(path: str) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read().splitlines()
