"""Resource limits (required layer): CPU, memory, file size, open files, core dumps, locked memory, processes.

Why each limit is set the way it is:

* ``RLIMIT_CPU``: the soft limit sends ``SIGXCPU``, which we turn into ``TimeoutError`` so the member gets a
  traceback instead of a bare kill. The snippet may ignore or replace the handler, so the hard limit sits one
  second later; there the kernel sends ``SIGKILL``, which even a PID-namespace init cannot ignore. A handler
  is needed at all because PID 1 of a namespace ignores signals whose action is the default.
* ``RLIMIT_AS``: relative to the current ``VmSize``. The worker already maps a few GiB of torch and
  allocator arenas, so an absolute limit either breaks ``import`` side effects (``std::bad_alloc``) or is too
  generous. ``RLIMIT_DATA`` is not enough: it misses ``MAP_SHARED`` anonymous memory.
* ``M_ARENA_MAX`` (not an rlimit, but it decides what ``RLIMIT_AS`` measures): glibc gives each new thread its
  own malloc arena and reserves 64 MiB of address space for it up front, so a 512 MiB budget allowed only seven
  threads (8 MiB stack + 64 MiB arena each) and a multi-threaded torch loop died in libgomp with a baffling
  error. Two arenas shared by all threads turn the budget back into one for memory actually used.
* ``RLIMIT_NPROC``: bounds processes *and threads*; `tasks.py` explains how the value is chosen and why it
  needs a non-root uid (root is exempt, even inside a user namespace).
* ``RLIMIT_FSIZE``: with ``SIGXFSZ`` ignored, so an oversized write raises ``OSError`` (``EFBIG``).
* ``RLIMIT_CORE`` 0: a crashing snippet must not write a core file of torch's memory anywhere.
* ``RLIMIT_MEMLOCK`` 0: locked pages escape memory accounting and ``io_uring`` needs them.
* ``RLIMIT_MSGQUEUE`` 0: POSIX message queues would outlive the run when there is no IPC namespace.
* ``RLIMIT_RTPRIO`` / ``RLIMIT_NICE`` 0: no real-time or raised scheduling priority for a busy loop.
"""

from __future__ import annotations

import os
import resource
import signal
from types import FrameType

from bot.sandbox.isolation._libc import libc

__all__ = ["apply", "apply_budget", "apply_static", "budget_cpu_used", "current_vm_size"]

#: ``mallopt`` parameter number of ``M_ARENA_MAX`` (glibc ``malloc.h``) and the value we set.
M_ARENA_MAX = -8
MALLOC_ARENAS = 2

#: The CPU hard limit is this many seconds above the soft one: time for the ``TimeoutError`` to unwind.
CPU_GRACE_SECONDS = 1


def current_vm_size() -> int:
    """Current virtual size in bytes (first field of ``/proc/self/statm`` is in pages)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _cpu_exceeded(signum: int, frame: FrameType | None) -> None:
    """``SIGXCPU`` handler: raise in the snippet's main thread so it sees a normal exception."""
    raise TimeoutError("CPU time limit exceeded")


def _set(limit: int, soft: int, hard: int | None = None) -> None:
    resource.setrlimit(limit, (soft, soft if hard is None else hard))


def apply_static(*, file_size_bytes: int, open_files: int, max_tasks: int | None) -> str:
    """Every limit that does not depend on the job; set ahead of time, before the runner's job exists.

    ``max_tasks`` is the ``RLIMIT_NPROC`` value (see `tasks.py` for how it is chosen), None to leave it alone.
    Raises ``OSError``/``ValueError`` if the kernel refuses a limit (e.g. a hard limit below the requested one).
    """
    signal.signal(signal.SIGXCPU, _cpu_exceeded)
    # Past RLIMIT_FSIZE the kernel sends SIGXFSZ (default: die); ignored, the write fails with EFBIG and the
    # member sees "OSError: File too large" instead.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    mallopt = getattr(libc, "mallopt", None)  # glibc (and musl, where it does nothing)
    if mallopt is not None:
        mallopt(M_ARENA_MAX, MALLOC_ARENAS)
    _STATE.vm_size_ready = current_vm_size()  # /proc is out of reach once Landlock is on
    _set(resource.RLIMIT_FSIZE, file_size_bytes)
    _set(resource.RLIMIT_NOFILE, open_files)
    _set(resource.RLIMIT_CORE, 0)
    _set(resource.RLIMIT_MEMLOCK, 0)
    _set(resource.RLIMIT_MSGQUEUE, 0)
    _set(resource.RLIMIT_RTPRIO, 0)
    _set(resource.RLIMIT_NICE, 0)
    detail = f"fsize {file_size_bytes >> 20} MiB, nofile {open_files}"
    if max_tasks is not None:
        _set(resource.RLIMIT_NPROC, max_tasks)
        detail += f", nproc {max_tasks}"
    return detail


class _State:
    """What `apply_budget` needs from earlier in this process's life (one runner, one job)."""

    vm_size_ready = 0
    budget_start = 0.0


_STATE = _State()


def apply_budget(*, cpu_seconds: int, memory_bytes: int) -> str:
    """The job's own CPU and memory budget, counted from now: set when the job arrives.

    ``RLIMIT_CPU`` counts the process's whole life, so the CPU the runner spent getting ready is added to it;
    ``RLIMIT_AS`` is relative to the size the process had when its static limits went on (measured then, as
    ``/proc`` is closed to it afterwards; the few MiB of reading the job come out of the budget).
    """
    _STATE.budget_start = _cpu_used()
    already = int(_STATE.budget_start)
    _set(resource.RLIMIT_CPU, already + cpu_seconds, already + cpu_seconds + CPU_GRACE_SECONDS)
    address_space = (_STATE.vm_size_ready or current_vm_size()) + memory_bytes
    _set(resource.RLIMIT_AS, address_space)
    return f"cpu {cpu_seconds}s, as {address_space >> 20} MiB"


def budget_cpu_used() -> float:
    """CPU seconds used since `apply_budget`."""
    return _cpu_used() - _STATE.budget_start


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def apply(
    *,
    cpu_seconds: int,
    memory_bytes: int,
    file_size_bytes: int,
    open_files: int,
    max_processes: int | None,
) -> str:
    """Every limit at once (the probe and tests); a runner sets the static ones early and its budget later."""
    static = apply_static(file_size_bytes=file_size_bytes, open_files=open_files, max_tasks=max_processes)
    return f"{apply_budget(cpu_seconds=cpu_seconds, memory_bytes=memory_bytes)}, {static}"
