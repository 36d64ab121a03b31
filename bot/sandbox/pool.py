"""`SandboxPool`: the bot's entry point to the sandbox.

    async with SandboxPool(limits) as pool:
        result = await pool.run(code, member_id=member.id)

The bot process itself never forks a snippet: it makes itself non-dumpable and keeps `limits.workers` warm
worker processes (see `worker.py`), each running one job at a time. The pool admits runs (`admission.py`),
hands each to an idle worker over asyncio pipes, and turns every failure — a refusal, a dead or silent worker,
isolation missing on this host — into a `Result`. `run` never raises (except `CancelledError`, and a cancelled
run still finishes on its worker before that worker takes the next job).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
from types import TracebackType

from bot.sandbox import _linux
from bot.sandbox.admission import Admission, Ticket
from bot.sandbox.isolation import REQUIRED_LAYERS, LayerStatus
from bot.sandbox.limits import MIB, SandboxLimits
from bot.sandbox.protocol import Job
from bot.sandbox.result import Outcome, Result, refusal
from bot.sandbox.worker_process import WorkerError, WorkerProcess, WorkerUnreachable
from bot.tasks import TaskKeeper

log = logging.getLogger(__name__)

MARGIN_SECONDS = 5.0
"""Beyond a run's wall limit, how long the pool waits for the worker's answer before declaring it hung."""
START_TIMEOUT = 120.0
CLOSE_GRACE = 1.0
MAX_SOURCE_BYTES = 256 * 1024


class SandboxPool:
    """Warm workers, a bounded queue, one run per member, a cooldown; every outcome a `Result`."""

    def __init__(self, limits: SandboxLimits | None = None) -> None:
        self.limits = limits or SandboxLimits()
        self._admission = Admission(self.limits)
        self._idle: asyncio.Queue[WorkerProcess | None] = asyncio.Queue()
        self._workers: set[WorkerProcess] = set()
        self._starting = 0
        self._keeper = TaskKeeper()
        self._job_ids = itertools.count(1)
        self._layers: tuple[LayerStatus, ...] = ()
        self._start_failure: str | None = None
        self._started = False
        self._closing = False

    async def __aenter__(self) -> SandboxPool:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def start(self) -> None:
        """Start the workers and wait for their warm-up. Never raises: failures make the pool unavailable."""
        if self._started:
            return
        self._started = True
        try:
            _linux.make_non_dumpable()
        except OSError as exc:
            log.warning("could not make the bot process non-dumpable: %s", exc)
        started = await asyncio.gather(
            *(self._start_worker() for _ in range(self.limits.workers)), return_exceptions=True
        )
        for outcome in started:
            if isinstance(outcome, WorkerProcess):
                self._adopt(outcome)  # adopted even if we are being cancelled, so aclose() can stop it
            elif isinstance(outcome, Exception):
                self._start_failure = str(outcome)
                log.error("%s", outcome)
        for outcome in started:
            if isinstance(outcome, BaseException) and not isinstance(outcome, Exception):
                raise outcome  # CancelledError / KeyboardInterrupt
        if self._workers:
            self._layers = next(iter(self._workers)).layers
        problem = self._isolation_problem()
        if problem is not None:
            log.error("sandbox disabled: %s", problem)
            await self._close_workers()  # 300 MB each, and they may never run code here
        elif self._workers:
            layers = ", ".join(layer.name for layer in self._layers if layer.available) or "none"
            log.info("sandbox ready: %d workers, layers: %s", len(self._workers), layers)

    @property
    def available(self) -> bool:
        return self.unavailable_reason is None

    @property
    def unavailable_reason(self) -> str | None:
        """Why `run` would answer UNAVAILABLE now, in one line; None when the sandbox can run code."""
        if self._closing:
            return "the sandbox is shut down"
        if not self._started:
            return "the sandbox has not been started"
        problem = self._isolation_problem()
        if problem is not None:
            return problem
        if not self._workers and not self._starting:
            return self._start_failure or "no sandbox worker is running"
        return None

    @property
    def layers(self) -> tuple[LayerStatus, ...]:
        """Every isolation layer as the workers' probe found it (for `doctor` and the logs)."""
        return self._layers

    @property
    def identity(self) -> str:
        """Which user the workers run as, in one line (for `doctor`)."""
        return next(iter(self._workers)).identity if self._workers else ""

    @property
    def worker_pids(self) -> tuple[int, ...]:
        return tuple(worker.pid for worker in self._workers)

    async def run(
        self,
        code: str,
        *,
        check: str | None = None,
        seed: int = 0,
        member_id: int | None = None,
        wall_seconds: float | None = None,
        memory_mb: int | None = None,
    ) -> Result:
        """Run `code` (then `check` with `seed`, if given) for `member_id`; every outcome is a Result.

        A check's observations come back as data in `Result.observations`; whether they pass is for
        `Grader` (`grader.py`) to decide, never for this run.
        """
        if (reason := self.unavailable_reason) is not None:
            return refusal(Outcome.UNAVAILABLE, reason)
        job = self._job(code, check, wall_seconds, memory_mb, seed)
        if isinstance(job, Result):
            return job
        if (refused := self._admission.refuse(member_id)) is not None:
            return refused
        ticket = self._admission.admit(member_id)
        handed_over = False
        try:
            worker = await self._acquire()
            if isinstance(worker, Result):
                return worker
            # From here the task owns the ticket and the worker: if this caller is cancelled, the run still
            # ends on the worker and the worker is returned only then, so no stale answer reaches a later job.
            task = self._keeper.spawn(self._execute(worker, job, ticket), name=f"sandbox-run-{job.id}")
            handed_over = True
            return await asyncio.shield(task)
        finally:
            if not handed_over:
                self._admission.finish(ticket)

    async def aclose(self) -> None:
        """Stop every worker (a run in progress ends as CRASHED) and every background task."""
        if self._closing:
            return
        self._closing = True
        for _ in range(self._admission.capacity):
            self._idle.put_nowait(None)  # wakes runs waiting for a worker
        await self._close_workers()
        await self._keeper.cancel_all()

    def _job(
        self, code: str, check: str | None, wall_seconds: float | None, memory_mb: int | None, seed: int
    ) -> Job | Result:
        if (problem := request_problem(code, check, wall_seconds, memory_mb)) is not None:
            return problem
        wall = self.limits.wall_seconds if wall_seconds is None else wall_seconds
        limits = self.limits
        return Job(
            id=next(self._job_ids),
            code=code,
            check=check,
            wall_seconds=wall,
            # An explicit wall limit (a pack check, the CLI's --timeout) brings a matching CPU limit with it.
            cpu_seconds=limits.cpu_seconds if wall_seconds is None else max(1, math.ceil(wall)),
            memory_bytes=(memory_mb or limits.memory_mb) * MIB,
            output_bytes=limits.output_bytes,
            file_size_bytes=limits.file_size_bytes,
            scratch_bytes=limits.scratch_bytes,
            open_files=limits.open_files,
            use_namespaces=limits.use_namespaces,
            seed=seed,
        )

    async def _acquire(self) -> WorkerProcess | Result:
        """Wait (in FIFO order) for an idle, live worker."""
        rounds = self.limits.queue_size // self.limits.workers + 2
        try:
            async with asyncio.timeout(rounds * (self.limits.wall_seconds + MARGIN_SECONDS)):
                while True:
                    worker = await self._idle.get()
                    if worker is None:
                        return refusal(Outcome.UNAVAILABLE, self.unavailable_reason or "the sandbox stopped")
                    if worker.alive and worker in self._workers:
                        return worker
        except TimeoutError:
            return refusal(Outcome.BUSY, "the sandbox is overloaded", retry_after=self._admission.queue_wait())

    async def _execute(self, worker: WorkerProcess, job: Job, ticket: Ticket) -> Result:
        started = time.monotonic()
        try:
            for _ in range(self.limits.workers + 1):
                try:
                    async with asyncio.timeout(job.wall_seconds + MARGIN_SECONDS):
                        result = await worker.request(job)
                except WorkerUnreachable as exc:
                    # It died while idle, before the watcher noticed; the job never ran, so another may take it.
                    log.warning("%s; replacing it", exc)
                    self._retire(worker)
                    acquired = await self._acquire()
                    if isinstance(acquired, Result):
                        return acquired
                    worker = acquired
                    continue
                except TimeoutError:
                    log.error("sandbox worker %d did not answer run %d in time; replacing it", worker.pid, job.id)
                    self._retire(worker)
                    return Result(Outcome.CRASHED, reason="the sandbox worker stopped answering")
                except WorkerError as exc:
                    self._retire(worker)
                    if self._closing:
                        return Result(Outcome.CRASHED, reason="the sandbox shut down during the run")
                    log.error("%s; replacing it", exc)
                    return Result(Outcome.CRASHED, reason="the sandbox worker died")
                if self._closing:
                    self._retire(worker)
                else:
                    self._idle.put_nowait(worker)
                return result
            return refusal(Outcome.UNAVAILABLE, "no sandbox worker could take the run")
        finally:
            self._admission.finish(ticket, time.monotonic() - started)

    async def _start_worker(self) -> WorkerProcess:
        self._starting += 1
        try:
            async with asyncio.timeout(START_TIMEOUT):
                return await WorkerProcess.start(self.limits, keeper=self._keeper)
        except TimeoutError as exc:
            raise WorkerError(f"sandbox worker did not finish warming up within {START_TIMEOUT:g} s") from exc
        finally:
            self._starting -= 1

    def _adopt(self, worker: WorkerProcess) -> None:
        if self._closing:  # a replacement that finished warming up as the pool was being closed
            worker.kill()
            return
        self._workers.add(worker)
        self._idle.put_nowait(worker)
        self._keeper.spawn(self._watch(worker), name=f"sandbox-worker-{worker.pid}-watch")

    async def _watch(self, worker: WorkerProcess) -> None:
        status = await worker.process.wait()
        await worker.remove_scratch()
        if not self._closing and worker in self._workers:
            log.warning("sandbox worker %d exited with status %s; replacing it", worker.pid, status)
            self._retire(worker)

    def _retire(self, worker: WorkerProcess) -> None:
        """Kill a failed worker and start a replacement (once, however many paths noticed the failure)."""
        if worker not in self._workers:
            return
        self._workers.discard(worker)
        worker.kill()
        if not self._closing:
            self._keeper.spawn(self._replace(), name="sandbox-worker-replace")

    async def _replace(self) -> None:
        try:
            self._adopt(await self._start_worker())
        except WorkerError as exc:
            self._start_failure = str(exc)
            log.error("could not replace a sandbox worker: %s", exc)
            if not self._workers and not self._starting:
                for _ in range(self._admission.capacity):
                    self._idle.put_nowait(None)  # nobody is coming: wake the waiting runs

    async def _close_workers(self) -> None:
        workers, self._workers = list(self._workers), set()
        await asyncio.gather(*(worker.close(CLOSE_GRACE) for worker in workers))
        await asyncio.gather(*(worker.remove_scratch() for worker in workers))

    def _isolation_problem(self) -> str | None:
        return isolation_problem(self._layers) if self._layers else None


def request_problem(code: str, check: str | None, wall_seconds: float | None, memory_mb: int | None) -> Result | None:
    """The ERROR result for a run no worker should be given (too long, a limit not positive), or None."""
    size = len(code.encode("utf-8", "surrogatepass")) + len((check or "").encode("utf-8", "surrogatepass"))
    if size > MAX_SOURCE_BYTES:
        return Result(Outcome.ERROR, error_line=f"ValueError: the code is longer than {MAX_SOURCE_BYTES // 1024} KiB")
    if (wall_seconds is not None and not wall_seconds > 0) or (memory_mb is not None and memory_mb <= 0):
        return Result(Outcome.ERROR, error_line="ValueError: limits must be positive")
    return None


def isolation_problem(layers: tuple[LayerStatus, ...]) -> str | None:
    """Why these probed layers cannot run code (a required one missing or not working), or None."""
    names = {layer.name for layer in layers}
    missing = [
        f"{layer.name} ({layer.detail})"
        for layer in layers
        if (layer.required or layer.name in REQUIRED_LAYERS) and not layer.available
    ]
    missing += [f"{name} (not probed)" for name in sorted(REQUIRED_LAYERS) if name not in names]
    return f"required isolation layers unavailable: {', '.join(missing)}" if missing else None
