"""The worker's side of one run: fork, watch the pipes against the deadline and the output cap, reap, classify.

Everything here runs in the single-threaded worker. The loop waits on the three pipes and a pidfd with one
`epoll`, so it never spins and never blocks past the deadline; output is read incrementally and the child is
killed the moment stdout and stderr together pass the cap, so at most ``output_bytes`` are ever held.
"""

from __future__ import annotations

import contextlib
import os
import random
import resource
import secrets
import selectors
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.child import EXIT_INTERNAL, EXIT_ISOLATION, EXIT_MEMORY, ChildPipes, run_child
from bot.sandbox.isolation import IsolationPlan
from bot.sandbox.isolation.namespaces import EXIT_ORPHANED, EXIT_RELAY_FAILED, SIGNAL_EXIT_BASE
from bot.sandbox.limits import KIB, MIB
from bot.sandbox.protocol import Job
from bot.sandbox.report import MAX_REPORT_BYTES, NONCE_BYTES, cases_from_report, parse_reports
from bot.sandbox.result import Outcome, Result, short_error_line
from bot.sandbox.scratch import remove_tree

READ_CHUNK = 64 * KIB
DRAIN_GRACE = 1.0
"""After the child is gone, how long to wait for the pipes to reach EOF (a grandchild may still be exiting)."""
KILL_GRACE = 0.2


@dataclass
class RunSettings:
    """Per-worker settings fixed at start-up."""

    base_dir: str
    read_only_paths: tuple[str, ...]
    namespaces_available: bool


@dataclass
class _Collected:
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    report: bytearray = field(default_factory=bytearray)
    truncated: bool = False
    killed_for: Outcome | None = None


def run_job(job: Job, settings: RunSettings) -> Result:
    """Run one job in a fresh child and scratch folder; always returns a Result."""
    # The base folder is recreated if something (a /tmp cleaner) removed it while the worker idled.
    os.makedirs(settings.base_dir, mode=0o700, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="run-", dir=settings.base_dir)  # mode 0700
    try:
        return _supervise(job, scratch, settings)
    finally:
        remove_tree(scratch)


def _plan(job: Job, scratch: str, settings: RunSettings) -> IsolationPlan:
    return IsolationPlan(
        scratch_dir=scratch,
        read_only_paths=settings.read_only_paths,
        cpu_seconds=job.cpu_seconds,
        memory_bytes=job.memory_bytes,
        file_size_bytes=job.file_size_bytes,
        scratch_bytes=job.scratch_bytes,
        open_files=job.open_files,
        use_namespaces=job.use_namespaces and settings.namespaces_available,
    )


def _supervise(job: Job, scratch: str, settings: RunSettings) -> Result:
    plan = _plan(job, scratch, settings)
    nonce = secrets.token_bytes(NONCE_BYTES)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    rep_r, rep_w = os.pipe()
    soft_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    pipes = ChildPipes(out_w, err_w, rep_w, report_target=random.randrange(100, max(101, min(soft_files, 1000))))
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    try:
        pid = os.fork()
    except OSError as exc:  # EAGAIN/ENOMEM: the machine is out of processes or memory, not the member's fault
        for fd in (out_r, out_w, err_r, err_w, rep_r, rep_w):
            os.close(fd)
        return Result(Outcome.CRASHED, reason=f"could not start the run: {exc.strerror}")
    if pid == 0:
        run_child(job, scratch, plan, pipes, nonce)
    for fd in (out_w, err_w, rep_w):
        os.close(fd)
    collected = _watch(
        pid, stdout=out_r, stderr=err_r, report=rep_r, deadline=started + job.wall_seconds, output_cap=job.output_bytes
    )
    _, status, usage = os.wait4(pid, 0)
    duration = time.monotonic() - started
    reports = parse_reports(bytes(collected.report), nonce)
    stderr = collected.stderr.decode("utf-8", "replace")
    outcome, reason, signal_number, error_line = classify(
        job,
        status=status,
        cpu_used=usage.ru_utime + usage.ru_stime,
        killed_for=collected.killed_for,
        reports=reports,
        stderr=stderr,
    )
    layers = reports.get("layers", {}).get("layers", [])
    return Result(
        outcome=outcome,
        stdout=collected.stdout.decode("utf-8", "replace"),
        stderr=stderr,
        truncated=collected.truncated,
        duration=duration,
        layers=tuple(str(layer) for layer in layers) if isinstance(layers, list) else (),
        error_line=error_line,
        signal=signal_number,
        cases=cases_from_report(reports["done"]) if "done" in reports else (),
        reason=reason,
    )


def _watch(pid: int, *, stdout: int, stderr: int, report: int, deadline: float, output_cap: int) -> _Collected:
    """Read the pipes until the child is gone and they are drained, enforcing the deadline and the cap."""
    collected = _Collected()
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
                _kill(pid)
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
                _kill(pid)  # idempotent; insists on a child that is slow to die
    for fd in (stdout, stderr, report, pidfd):
        os.close(fd)
    return collected


def _read_into(fd: int, collected: _Collected, *, is_report: bool, is_stdout: bool, cap: int) -> bool:
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


def _kill(pid: int) -> None:
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
