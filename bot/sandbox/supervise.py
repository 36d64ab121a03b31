"""The supervisor's side of runs: keep a runner ready, hand it a job, and end it after the answer.

Everything here runs in the single-threaded supervisor (see `worker.py`). `Supervisor.prepare` asks the zygote
for the next runner ahead of time; `Supervisor.run` gives it a job and watches it (`watch.py`); `Supervisor.reap`
ends it once the answer has gone out.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import random
import resource
import socket
import tempfile
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.sandbox.protocol import Job, ProtocolError, write_frame
from bot.sandbox.report import parse_reports
from bot.sandbox.result import Outcome, Result, short_error_line
from bot.sandbox.scratch import remove_tree
from bot.sandbox.watch import classify, kill, watch

if TYPE_CHECKING:
    from bot.sandbox.worker import RunnerSpec

JOB_PIPE_BYTES = 1 << 20
"""The job pipe is widened so a job (at most 256 KiB of code and check) is written without waiting."""
F_SETPIPE_SZ = 1031
MAX_MESSAGE = 64 * 1024


class ZygoteGone(RuntimeError):
    """The zygote stopped answering: the worker cannot prepare runners any more and must be replaced."""


@dataclass
class RunSettings:
    """Per-worker settings fixed at start-up."""

    base_dir: str
    read_only_paths: tuple[str, ...]
    namespaces_available: bool


@dataclass
class _Runner:
    """A runner the zygote forked for us, isolated (or isolating) and waiting for its job."""

    pid: int
    spec: RunnerSpec
    scratch: str
    job: int
    stdout: int
    stderr: int
    report: int
    forked_in: float = 0.0
    """Seconds the zygote took to fork it (two forks), measured by the supervisor."""
    reaped: bool = False

    def close_pipes(self) -> None:
        for fd in (self.job, self.stdout, self.stderr, self.report):
            with contextlib.suppress(OSError):
                os.close(fd)


def receive(channel: socket.socket) -> dict[str, Any] | None:
    """The zygote's next message, or None when it is gone."""
    try:
        data = channel.recv(MAX_MESSAGE)
    except OSError:
        return None
    if not data:
        return None
    try:
        message = json.loads(data)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


class Supervisor:
    """Keeps one runner ready and runs jobs on runners, one at a time."""

    def __init__(self, zygote: socket.socket, settings: RunSettings, spec: RunnerSpec) -> None:
        self._zygote = zygote
        self._settings = settings
        self._spec = spec
        self._ready: _Runner | None = None
        self._finished: _Runner | None = None

    def prepare(self, spec: RunnerSpec | None = None) -> None:
        """Have a runner waiting for the next job (with the last job's limits)."""
        spec = spec or self._spec
        if self._ready is not None and self._ready.spec == spec:
            return
        self._discard()
        self._spec = spec
        self._ready = self._fork(spec)

    def run(self, job: Job) -> Result:
        """Run one job on a prepared runner; always returns a Result."""
        from bot.sandbox.worker import RunnerSpec

        self.prepare(RunnerSpec(job.file_size_bytes, job.scratch_bytes, job.open_files, job.use_namespaces))
        runner, self._ready = self._ready, None
        assert runner is not None
        self._finished = runner
        try:
            return _supervise(job, runner)
        finally:
            runner.close_pipes()

    def reap(self) -> None:
        """End the last run's runner for good and remove its scratch: after the answer went out."""
        runner, self._finished = self._finished, None
        if runner is None:
            return
        if not runner.reaped:
            kill(runner.pid)  # it may linger after its report (a thread, an atexit hook): no longer ours to wait
            with contextlib.suppress(ChildProcessError):
                os.waitpid(runner.pid, 0)
        _reap_orphans(keep=self._ready.pid if self._ready is not None else None)
        remove_tree(runner.scratch)

    def close(self) -> None:
        self.reap()
        self._discard()

    def _discard(self) -> None:
        runner, self._ready = self._ready, None
        if runner is None:
            return
        runner.close_pipes()  # the runner reads the end of its job pipe and exits
        kill(runner.pid)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(runner.pid, 0)
        remove_tree(runner.scratch)

    def _fork(self, spec: RunnerSpec) -> _Runner:
        asked = time.monotonic()
        os.makedirs(self._settings.base_dir, mode=0o700, exist_ok=True)  # a /tmp cleaner may have removed it
        scratch = tempfile.mkdtemp(prefix="run-", dir=self._settings.base_dir)  # mode 0700
        plan = {
            "scratch_dir": scratch,
            "read_only_paths": list(self._settings.read_only_paths),
            "cpu_seconds": None,
            "memory_bytes": None,
            "file_size_bytes": spec.file_size_bytes,
            "scratch_bytes": spec.scratch_bytes,
            "open_files": spec.open_files,
            "use_namespaces": spec.use_namespaces and self._settings.namespaces_available,
        }
        job_r, job_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        rep_r, rep_w = os.pipe()
        with contextlib.suppress(OSError):
            fcntl.fcntl(job_w, F_SETPIPE_SZ, JOB_PIPE_BYTES)
        soft_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        target = random.randrange(100, max(101, min(soft_files, 1000)))
        command = {"type": "fork", "plan": plan, "report_target": target}
        theirs = (job_r, out_w, err_w, rep_w)
        try:
            socket.send_fds(self._zygote, [json.dumps(command).encode()], list(theirs))
            reply = receive(self._zygote)
        except OSError:
            reply = None
        finally:
            for fd in theirs:
                os.close(fd)
        if reply is None or reply.get("type") != "forked":
            for fd in (job_w, out_r, err_r, rep_r):
                os.close(fd)
            remove_tree(scratch)
            reason = reply.get("reason") if reply else "the zygote is gone"
            raise ZygoteGone(f"no runner: {reason}")
        runner = _Runner(int(reply["pid"]), spec, scratch, job_w, out_r, err_r, rep_r)
        runner.forked_in = time.monotonic() - asked
        return runner


def _reap_orphans(keep: int | None) -> None:
    """Reap exited processes adopted as subreaper: a snippet whose namespace relay was killed comes back here."""
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return
        if info is None or info.si_pid in {0, keep}:
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(info.si_pid, 0)


def _supervise(job: Job, runner: _Runner) -> Result:
    started = time.monotonic()
    # If the runner died before its job, the write fails; its report says why, and the watch below reaps it.
    with contextlib.suppress(OSError, ProtocolError):
        write_frame(runner.job, job.to_message())
    os.close(runner.job)
    runner.job = -1
    collected = watch(
        runner.pid,
        stdout=runner.stdout,
        stderr=runner.stderr,
        report=runner.report,
        deadline=started + job.wall_seconds,
        output_cap=job.output_bytes,
    )
    runner.stdout = runner.stderr = runner.report = -1
    if collected.reported_and_closed:
        status, cpu_used = 0, 0.0  # finished by its own report; `Supervisor.reap` ends it after the answer
    else:
        _, status, usage = os.wait4(runner.pid, 0)
        runner.reaped = True
        cpu_used = usage.ru_utime + usage.ru_stime
    reaped = time.monotonic()
    duration = reaped - started
    reports = parse_reports(bytes(collected.report))
    stderr = collected.stderr.decode("utf-8", "replace")
    outcome, reason, signal_number, error_line = classify(
        job,
        status=status,
        cpu_used=cpu_used,
        killed_for=collected.killed_for,
        reports=reports,
        stderr=stderr,
    )
    layers = reports.get("layers", {}).get("layers", [])
    done = reports.get("done", {})
    observations = done.get("observations") if outcome is Outcome.OK else None
    stopped = done.get("check_stopped")
    return Result(
        outcome=outcome,
        stdout=collected.stdout.decode("utf-8", "replace"),
        stderr=stderr,
        truncated=collected.truncated,
        duration=duration,
        layers=tuple(str(layer) for layer in layers) if isinstance(layers, list) else (),
        error_line=error_line,
        signal=signal_number,
        reason=reason,
        observations=tuple(observations) if isinstance(observations, list) else None,
        check_stopped=short_error_line(stopped) if isinstance(stopped, str) else None,
        timings=_timings(runner, reports, started, reaped),
    )


def _timings(runner: _Runner, reports: dict[str, dict[str, Any]], written: float, reaped: float) -> dict[str, float]:
    """Where a run's time went, in ms, for the benchmark and the logs (the runner's stamps are its own claim).

    ``fork`` and ``isolation`` happened before the job existed, off the member's clock; ``handoff`` (job written
    to job read), ``code`` (the snippet and check) and ``exit`` (final report to reaped) are the run itself.
    """
    layers, done = reports.get("layers", {}), reports.get("done", {})
    timings = {"fork": runner.forked_in * 1000}
    if isinstance(layers.get("isolation_ms"), int | float):
        timings["isolation"] = float(layers["isolation_ms"])
    received, finished = done.get("received_at"), done.get("done_at")
    if isinstance(received, int | float) and isinstance(finished, int | float) and written <= received <= finished:
        timings |= {
            "handoff": (received - written) * 1000,
            "code": (finished - received) * 1000,
            "exit": max(reaped - finished, 0.0) * 1000,
        }
    return {name: round(value, 3) for name, value in timings.items()}
