"""`QueueSandbox`: the bot's `Sandbox` when members' code runs on worker hosts behind Redis (docs/queue.md).

    sandbox = QueueSandbox("redis://queue:6379/0", limits)
    await sandbox.start()
    result = await sandbox.run(code, member_id=member.id)

Each run is first admitted in Redis (`admission.py`: one run per member across every bot process, the cooldown,
the queue bound), then is one entry XADDed to the jobs stream, naming this process's reply stream and a deadline.
One reader task per process blocks on the reply stream and hands each reply to the run waiting for it, by job id;
a second reply for the same job (a host presumed dead that was only slow) finds nobody waiting and is dropped, so
a member sees exactly one result. A run whose reply has not come by the deadline plus a grace is answered BUSY.
Like the pool, `run` never raises: Redis unreachable, no host, a host that died, all end as a `Result`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid

from redis.exceptions import RedisError

from bot.sandbox.isolation import LayerStatus
from bot.sandbox.limits import SandboxLimits
from bot.sandbox.pool import MARGIN_SECONDS, request_problem
from bot.sandbox.queue.admission import SharedAdmission
from bot.sandbox.queue.wire import (
    JOBS_MAXLEN,
    PREFIX,
    Heartbeat,
    Keys,
    QueuedJob,
    connect,
    describe_url,
    stop_requested,
    stream_entries,
)
from bot.sandbox.result import Outcome, Result, refusal
from bot.tasks import TaskKeeper

log = logging.getLogger(__name__)

QUEUE_WAIT_SECONDS = 15.0
"""How long a job may wait for a host beyond its own run time before it is answered BUSY (a setting)."""
REPLY_GRACE_SECONDS = MARGIN_SECONDS + 1.0
"""Beyond the deadline, how long a run waits for its reply: a host's own margin for a slow worker, plus transit."""
HOSTS_BUSY = "the sandbox hosts are busy"
HOST_SCAN_SECONDS = 2.0
HOSTLESS_GRACE_SECONDS = 60.0
"""With no host heartbeat for this long, runs are refused as UNAVAILABLE instead of waiting in the queue."""
READ_BLOCK_MS = 1_000
READ_BATCH = 100
RETRY_SECONDS = 1.0
CLOSE_SECONDS = 2.0


class QueueSandbox:
    """Runs code on worker hosts through Redis streams; see the module docstring."""

    def __init__(
        self,
        url: str,
        limits: SandboxLimits | None = None,
        *,
        queue_wait: float = QUEUE_WAIT_SECONDS,
        reply_grace: float = REPLY_GRACE_SECONDS,
        prefix: str = PREFIX,
    ) -> None:
        self.url = url
        self.limits = limits or SandboxLimits()
        self.queue_wait = queue_wait
        self.reply_grace = reply_grace
        self.keys = Keys(prefix)
        self.client_id = uuid.uuid4().hex
        self.reply_stream = self.keys.replies(self.client_id)
        self.ignored_replies = 0
        """Replies that found no run waiting: duplicates, or answers that came after their run gave up."""
        self._redis = connect(url)
        self._admission = SharedAdmission(self._redis, self.keys, self.limits)
        self._waiting: dict[str, asyncio.Future[Result]] = {}
        self._runs: set[asyncio.Task[Result]] = set()
        self._hosts: dict[str, Heartbeat] = {}
        self._host_seen = time.monotonic()
        self._redis_problem: str | None = None
        self._keeper = TaskKeeper()
        self._started = False
        self._closing = False

    async def __aenter__(self) -> QueueSandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def start(self) -> None:
        """Connect, read the live hosts once, and start the reply reader; never raises."""
        if self._started:
            return
        self._started = True
        self._host_seen = time.monotonic()
        await self._scan_hosts()
        if self._redis_problem is None:
            log.info("sandbox queue at %s: %d live host(s)", describe_url(self.url), len(self._hosts))
        self._keeper.spawn(self._read_replies(), name="sandbox-queue-replies")
        self._keeper.spawn(self._watch_hosts(), name="sandbox-queue-hosts")

    async def aclose(self) -> None:
        """Stop reading replies; runs still waiting are answered UNAVAILABLE."""
        if self._closing:
            return
        self._closing = True
        for future in self._waiting.values():
            if not future.done():
                future.set_result(refusal(Outcome.UNAVAILABLE, "the sandbox is shut down"))
        if self._runs:
            await asyncio.wait(self._runs, timeout=CLOSE_SECONDS)  # they settle their accounts in Redis
        if self._started:
            with contextlib.suppress(RedisError):
                await self._redis.delete(self.reply_stream)
        # Closing the connections ends the reader's blocking read now rather than at its next timeout.
        await self._redis.connection_pool.disconnect()
        await self._keeper.cancel_all()
        await self._redis.aclose()

    # -- what the bot reads ------------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        return self.unavailable_reason is None

    @property
    def unavailable_reason(self) -> str | None:
        if self._closing:
            return "the sandbox is shut down"
        if not self._started:
            return "the sandbox has not been started"
        if self._redis_problem is not None:
            return f"the sandbox queue is unreachable ({self._redis_problem})"
        if not self._hosts:
            if time.monotonic() - self._host_seen > HOSTLESS_GRACE_SECONDS:
                return "no sandbox host is running"
            return None  # hosts may be (re)starting: runs wait in the queue until their deadline
        if all(host.problem for host in self._hosts.values()):
            return next(iter(self._hosts.values())).problem
        return None

    @property
    def hosts(self) -> tuple[Heartbeat, ...]:
        """The live worker hosts as their last heartbeats describe them."""
        return tuple(self._hosts.values())

    @property
    def layers(self) -> tuple[LayerStatus, ...]:
        return next((host.layers for host in self._hosts.values() if not host.problem), ())

    @property
    def identity(self) -> str:
        return "; ".join(f"{host.name}: {host.identity}" for host in self._hosts.values() if host.identity)

    # -- runs ------------------------------------------------------------------------------------------------------

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
        """Queue `code` for a worker host and wait for its result; every outcome is a Result."""
        if (reason := self.unavailable_reason) is not None:
            return refusal(Outcome.UNAVAILABLE, reason)
        if (problem := request_problem(code, check, wall_seconds, memory_mb)) is not None:
            return problem
        wall = self.limits.wall_seconds if wall_seconds is None else wall_seconds
        wait = wall + self.queue_wait + self.reply_grace
        job_id = uuid.uuid4().hex
        try:
            admitted = await self._admission.admit(job_id, member_id, hold=wait, wall=wall, workers=self._workers())
        except RedisError as exc:
            return self._unreachable(exc)
        if isinstance(admitted, Result):
            return admitted
        job = QueuedJob(
            id=job_id,
            reply_to=self.reply_stream,
            code=code,
            check=check,
            seed=seed,
            wall_seconds=wall_seconds,
            memory_mb=memory_mb,
            deadline=admitted.now + wall + self.queue_wait,
        )
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting[job.id] = future
        try:
            entry_id = await self._redis.xadd(self.keys.jobs, job.to_fields(), maxlen=JOBS_MAXLEN, approximate=True)
        except RedisError as exc:
            self._waiting.pop(job.id, None)
            await self._admission.release(job.id, member_id, None)
            return self._unreachable(exc)
        # From here a task owns the run: if this caller is cancelled, the reply is still awaited and accounted for.
        waiting = self._await_reply(job, str(entry_id), future, member_id, wait)
        task = self._keeper.spawn(waiting, name=f"sandbox-job-{job.id}")
        self._runs.add(task)
        task.add_done_callback(self._runs.discard)
        return await asyncio.shield(task)

    async def _await_reply(
        self, job: QueuedJob, entry_id: str, future: asyncio.Future[Result], member_id: int | None, wait: float
    ) -> Result:
        """The reply to `job`, or BUSY once `wait` has passed; then the member's place is given back."""
        result: Result | None = None
        try:
            async with asyncio.timeout(wait):
                result = await future
        except TimeoutError:
            log.warning("no sandbox host answered job %s in %.1f s", job.id, wait)
            # Nobody will want it now; a host that has it pending acknowledges a deleted entry harmlessly.
            with contextlib.suppress(RedisError):
                await self._redis.xdel(self.keys.jobs, entry_id)
            wall = self.limits.wall_seconds if job.wall_seconds is None else job.wall_seconds
            result = refusal(Outcome.BUSY, HOSTS_BUSY, retry_after=max(1.0, float(round(wall))))
        finally:
            self._waiting.pop(job.id, None)
            await self._admission.release(job.id, member_id, result)
        return result

    def _workers(self) -> int:
        """Workers on the live hosts that can run code (this process's setting while none has been seen)."""
        return sum(host.workers for host in self._hosts.values() if not host.problem) or self.limits.workers

    def _unreachable(self, exc: RedisError) -> Result:
        log.error("sandbox queue at %s: %s", describe_url(self.url), exc)
        return refusal(Outcome.UNAVAILABLE, f"the sandbox queue is unreachable ({type(exc).__name__})")

    # -- background ------------------------------------------------------------------------------------------------

    async def _read_replies(self) -> None:
        """The one reader of this process's reply stream: each reply completes the run waiting for its job id."""
        last = "0-0"  # the stream is new (its name holds a fresh uuid), so everything in it is ours
        failing = False
        while not self._stopping():
            try:
                response = await self._redis.xread({self.reply_stream: last}, count=READ_BATCH, block=READ_BLOCK_MS)
            except RedisError as exc:
                if self._stopping():
                    return
                if not failing:  # once per outage, not once a second
                    log.warning("reading sandbox replies failed: %s", exc)
                failing = True
                await asyncio.sleep(RETRY_SECONDS)
                continue
            failing = False
            entries = stream_entries(response)
            for entry_id, fields in entries:
                last = entry_id
                self._deliver(fields)
            if entries:
                with contextlib.suppress(RedisError):  # the stream is trimmed and expires anyway
                    await self._redis.xdel(self.reply_stream, *(entry_id for entry_id, _ in entries))

    def _stopping(self) -> bool:
        return self._closing or stop_requested()

    def _deliver(self, fields: dict[str, str]) -> None:
        future = self._waiting.pop(fields.get("id", ""), None)
        if future is None or future.done():
            self.ignored_replies += 1
            return
        try:
            result = Result.from_json(fields["result"])
        except (KeyError, TypeError, ValueError) as exc:
            log.error("sandbox host %s sent an unreadable result: %s", fields.get("host", "?"), exc)
            result = Result(Outcome.CRASHED, reason="the sandbox host sent an unreadable result")
        future.set_result(result)

    async def _watch_hosts(self) -> None:
        while not self._stopping():
            await asyncio.sleep(HOST_SCAN_SECONDS)
            await self._scan_hosts()

    async def _scan_hosts(self) -> None:
        """Read every live host's heartbeat; a Redis failure here is what marks the queue unreachable."""
        try:
            names = [key async for key in self._redis.scan_iter(match=self.keys.hosts_pattern, count=100)]
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in names:
                    pipe.hgetall(key)
                values = await pipe.execute()
        except RedisError as exc:
            if self._redis_problem is None:
                log.error("sandbox queue at %s is unreachable: %s", describe_url(self.url), exc)
            self._redis_problem = type(exc).__name__
            return
        if self._redis_problem is not None:
            log.info("sandbox queue at %s is reachable again", describe_url(self.url))
        self._redis_problem = None
        hosts: dict[str, Heartbeat] = {}
        for key, fields in zip(names, values, strict=True):
            if not fields:
                continue  # expired between SCAN and HGETALL
            try:
                host = Heartbeat.from_fields(self.keys.host_name(key), fields)
            except ValueError as exc:
                log.warning("%s", exc)
                continue
            hosts[host.name] = host
        if hosts:
            self._host_seen = time.monotonic()
        self._hosts = hosts
