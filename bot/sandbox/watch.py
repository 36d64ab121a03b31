"""Watching one run to its end, and naming how it ended.

`watch` reads a runner's stdout, stderr and report pipes with one `epoll` until the runner is gone and the pipes
are drained, or until its final report is in and every pipe is closed. It never spins, never blocks past the
deadline, and kills the runner the moment stdout and stderr together pass the cap, so at most ``output_bytes``
are ever held. `classify` turns the way the run ended into an outcome; it is pure, so it is tested directly.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import time
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.isolation.namespaces import EXIT_ORPHANED, EXIT_RELAY_FAILED, SIGNAL_EXIT_BASE
from bot.sandbox.limits import KIB, MIB
from bot.sandbox.protocol import Job
from bot.sandbox.report import MAX_REPORT_BYTES, parse_reports
from bot.sandbox.result import Outcome, short_error_line
from bot.sandbox.status import EXIT_INTERNAL, EXIT_ISOLATION, EXIT_MEMORY

READ_CHUNK = 64 * KIB
DRAIN_GRACE = 1.0
"""After the runner is gone, how long to wait for the pipes to reach EOF (a grandchild may still be exiting)."""
KILL_GRACE = 0.2


@dataclass
class Collected:
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    report: bytearray = field(default_factory=bytearray)
    truncated: bool = False
    killed_for: Outcome | None = None
    reported_and_closed: bool = False
    """The runner sent its final report and closed every pipe: its result is known before it is reaped."""


def watch(pid: int, *, stdout: int, stderr: int, report: int, deadline: float, output_cap: int) -> Collected:
    """Read the pipes until the child is gone and they are drained, enforcing the deadline and the cap."""
    collected = Collected()
    pidfd = os.pidfd_open(pid)
    open_pipes = {stdout, stderr, report}
    exited_at: float | None = None
    with selectors.DefaultSelector() as selector:
        for fd in (*open_pipes, pidfd):
            selector.register(fd, selectors.EVENT_READ)
        while open_pipes or exited_at is None:
            now = time.monotonic()
            if collected.killed_for is None and exited_at is None and now >= deadline:
                collected.killed_for = Outcome.TIMEOUT
                kill(pid)
            if exited_at is not None:
                wait = exited_at + DRAIN_GRACE - now
                if wait <= 0:
                    break
            else:
                wait = KILL_GRACE if collected.killed_for else deadline - now
            for key, _ in selector.select(max(wait, 0.0)):
                fd = int(key.fd)
                if fd == pidfd:
                    exited_at = time.monotonic()
                    selector.unregister(fd)
                elif not _read_into(fd, collected, is_report=fd == report, is_stdout=fd == stdout, cap=output_cap):
                    selector.unregister(fd)
                    open_pipes.discard(fd)
            if collected.killed_for is not None and exited_at is None:
                kill(pid)  # idempotent; insists on a child that is slow to die
            elif not open_pipes and exited_at is None and "done" in parse_reports(bytes(collected.report)):
                # A runner closes its pipes right after its final report: the answer is complete now, and
                # tearing down its copy of torch's address space (the costly part of exiting) can wait.
                collected.reported_and_closed = True
                break
    for fd in (stdout, stderr, report, pidfd):
        with contextlib.suppress(OSError):
            os.close(fd)
    return collected


def _read_into(fd: int, collected: Collected, *, is_report: bool, is_stdout: bool, cap: int) -> bool:
    """Read one chunk from `fd`; False once the pipe is done with (EOF, or output past the cap)."""
    if is_report:
        chunk = os.read(fd, READ_CHUNK)
        collected.report += chunk
        del collected.report[:-MAX_REPORT_BYTES]  # keep the tail: the real report is written last
        return bool(chunk)
    room = cap - len(collected.stdout) - len(collected.stderr)
    chunk = os.read(fd, min(READ_CHUNK, room + 1))  # one byte past the room tells us the cap was crossed
    (collected.stdout if is_stdout else collected.stderr).extend(chunk[:room])
    if len(chunk) > room:
        collected.truncated = True
        if collected.killed_for is None:
            collected.killed_for = Outcome.OUTPUT_LIMIT
        return False
    return bool(chunk)


def kill(pid: int) -> None:
    """SIGKILL the child's process group and the child itself (its own group may not exist yet)."""
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)


def classify(
    job: Job,
    *,
    status: int,
    cpu_used: float,
    killed_for: Outcome | None,
    reports: dict[str, dict[str, Any]],
    stderr: str,
) -> tuple[Outcome, str, int | None, str | None]:
    """Map how the child ended to (outcome, reason, signal, error line). Pure, so it is tested directly."""
    time_limit = f"time limit ({job.wall_seconds:g} s)"
    cpu_limit = f"time limit ({job.cpu_seconds} s of CPU)"
    memory_limit = f"memory limit ({job.memory_bytes // MIB} MiB)"
    if killed_for is Outcome.OUTPUT_LIMIT:
        return Outcome.OUTPUT_LIMIT, f"output limit ({job.output_bytes / KIB:g} KiB)", None, None
    if killed_for is Outcome.TIMEOUT:
        return Outcome.TIMEOUT, time_limit, None, None
    done = reports.get("done", {})
    error_line = done.get("error_line") if isinstance(done.get("error_line"), str) else None
    error_line = short_error_line(error_line) if error_line else None
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == signal.SIGXCPU or (number == signal.SIGKILL and cpu_used >= job.cpu_seconds * 0.9):
            return Outcome.TIMEOUT, cpu_limit, None, None
        if number == signal.SIGKILL:  # not ours and not the CPU hard limit: the kernel's OOM killer
            return Outcome.MEMORY, memory_limit, number, error_line
        if number == signal.SIGABRT and "bad_alloc" in stderr:
            return Outcome.MEMORY, memory_limit, number, _last_line(stderr)
        return Outcome.CRASHED, "", number, error_line
    code = os.WEXITSTATUS(status)
    if SIGNAL_EXIT_BASE < code < SIGNAL_EXIT_BASE + 65 and not done:  # the relay could not re-raise a signal
        return Outcome.CRASHED, "", code - SIGNAL_EXIT_BASE, None
    if done:
        if done.get("status") == "isolation":
            return Outcome.UNAVAILABLE, f"isolation failed: {done.get('detail', '')}", None, None
        if done.get("cpu_timeout"):
            return Outcome.TIMEOUT, cpu_limit, None, error_line
        if done.get("memory"):
            return Outcome.MEMORY, memory_limit, None, error_line
        if done.get("status") == "error":
            return Outcome.ERROR, "", None, error_line or _last_line(stderr)
        return Outcome.OK, "", None, None
    # No final report: the code ended the process itself (os._exit) or the child failed before reporting.
    if code == EXIT_MEMORY:
        return Outcome.MEMORY, memory_limit, None, _last_line(stderr)
    if code == EXIT_ISOLATION:
        return Outcome.UNAVAILABLE, "isolation failed", None, None
    if code in {EXIT_INTERNAL, EXIT_RELAY_FAILED, EXIT_ORPHANED}:
        return Outcome.CRASHED, f"the sandbox child failed (status {code})", None, None
    if code == 0:
        return Outcome.OK, "", None, None
    return Outcome.ERROR, f"exited with status {code}", None, _last_line(stderr) or f"exit status {code}"


def _last_line(text: str) -> str | None:
    lines = [line for line in text.splitlines() if line.strip()]
    return short_error_line(lines[-1]) if lines else None
