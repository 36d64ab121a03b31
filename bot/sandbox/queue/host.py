"""`SandboxHost`: a worker host that takes jobs from the Redis queue and runs them in a local `SandboxPool`.

    python -m bot sandbox serve --redis redis://queue:6379/0 --workers 4

Every host reads the jobs stream through one consumer group, so each job goes to one host; a host asks only for
as many jobs as it has idle workers, leaving the rest to hosts with room. A job is run with no member (admission
was done by the bot, in Redis), its `Result` is added to the reply stream the job names, and only then is the job
acknowledged and deleted. So a host that dies mid-run leaves its job pending: another host's claimer takes it
over once it has been idle longer than any run can take, and runs it again, at most twice in all; a third delivery
is answered CRASHED without running. A job a host could no longer finish by its deadline is answered BUSY unrun.

A heartbeat hash (`torchquiz:sandbox:host:<name>`, expiring unless refreshed) tells bots and `doctor` who is up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
from dataclasses import replace

from redis.exceptions import RedisError, ResponseError

from bot.sandbox.limits import SandboxLimits
from bot.sandbox.pool import MARGIN_SECONDS, SandboxPool
from bot.sandbox.queue.client import HOSTS_BUSY
from bot.sandbox.queue.wire import (
    PREFIX,
    REPLIES_MAXLEN,
    REPLIES_TTL_SECONDS,
    Heartbeat,
    Keys,
    QueuedJob,
    connect,
    describe_url,
    redis_clock,
    reply_fields,
    stop_requested,
    stream_entries,
)
from bot.sandbox.result import Outcome, Result, refusal
from bot.tasks import TaskKeeper

log = logging.getLogger(__name__)

MAX_DELIVERIES = 2
"""A job is run at most this many times (its first host, then one that claimed it); a further delivery is CRASHED."""
GAVE_UP = "the sandbox host stopped while running this; it was not retried again"
HEARTBEAT_SECONDS = 2.0
HEARTBEAT_TTL_MS = 10_000
READ_BLOCK_MS = 1_000
CLAIM_SECONDS = 1.0
CONSUMER_GONE_MS = 3_600_000
"""A consumer (a host's name) with nothing pending and idle this long belonged to a host that is gone: removed."""
REPLY_ATTEMPTS = 5
RETRY_SECONDS = 1.0


def default_name() -> str:
    return f"host-{socket.gethostname()}-{os.getpid()}"


class SandboxHost:
    """Serves the queue at `url` with a pool of `limits.workers` warm workers until `stop()`."""

    def __init__(
        self,
        url: str,
        limits: SandboxLimits | None = None,
        *,
        name: str | None = None,
        prefix: str = PREFIX,
        claim_after: float | None = None,
    ) -> None:
        limits = limits or SandboxLimits()
        # The host admits nothing itself: the bots did, in Redis. Its pool only bounds what runs at once.
        self.limits = replace(limits, queue_size=0, cooldown_seconds=0.0)
        self.url = url
        self.name = name or default_name()
        self.keys = Keys(prefix)
        self.claim_after = claim_after if claim_after is not None else limits.wall_seconds + MARGIN_SECONDS
        """Idle time after which another host's job is presumed lost with its host, and claimed."""
        self.pool = SandboxPool(self.limits)
        self.started = time.time()
        self.done = 0
        self.running = 0
        self._redis = connect(url)
        self._slots = asyncio.Semaphore(self.limits.workers)
        self._stopping = asyncio.Event()
        self._clock_offset = 0.0
        self._keeper = TaskKeeper()
        self._jobs = TaskKeeper()

    def stop(self) -> None:
        """Take no new job; `serve` returns once the jobs in hand are answered."""
        self._stopping.set()

    def now(self) -> float:
        """Redis's clock, as of the last heartbeat's reading of it."""
        return time.time() + self._clock_offset

    async def serve(self) -> int:
        """Run until `stop()`; 0 after a clean stop, 1 if the sandbox cannot run code on this host."""
        try:
            await self.pool.start()
            if not self.pool.available:
                log.error("this host cannot run code: %s", self.pool.unavailable_reason)
                return 1
            await self._ensure_group()
            await self._beat()
            log.info(
                "sandbox host %s serving %s with %d worker(s)", self.name, describe_url(self.url), self.limits.workers
            )
            self._keeper.spawn(self._heartbeats(), name="host-heartbeat")
            await self._read_jobs()
            await self._finish_jobs()
            log.info("sandbox host %s stopped after %d job(s)", self.name, self.done)
            return 0
        except RedisError as exc:
            log.error("the sandbox queue at %s is unreachable: %s", describe_url(self.url), exc)
            return 1
        finally:
            await self._keeper.cancel_all()
            await self._jobs.cancel_all()
            with contextlib.suppress(RedisError):
                await self._redis.delete(self.keys.host(self.name))
            await self.pool.aclose()
            await self._redis.aclose()

    # -- taking jobs -------------------------------------------------------------------------------------------------

    async def _read_jobs(self) -> None:
        """With each idle worker: first (once a second) a job stalled with another host, else a new one."""
        claim_from, next_claim, next_cleanup = "0-0", 0.0, time.monotonic() + CONSUMER_GONE_MS / 1000
        failing = False
        while not self._stopping.is_set() and not stop_requested():
            await self._slots.acquire()
            handed_over = False
            try:
                if self._stopping.is_set() or not self.pool.available:
                    await asyncio.sleep(READ_BLOCK_MS / 1000)  # a broken pool takes nothing: others may run it
                    continue
                if time.monotonic() >= next_claim:
                    claim_from, handed_over = await self._claim(claim_from)
                    # After a claim, look again at once (more may be stalled); else in a second.
                    next_claim = time.monotonic() + (0.0 if handed_over else CLAIM_SECONDS)
                    if handed_over:
                        continue
                if time.monotonic() >= next_cleanup:
                    next_cleanup = time.monotonic() + CONSUMER_GONE_MS / 1000
                    await self._forget_gone_hosts()
                response = await self._redis.xreadgroup(
                    self.keys.group, self.name, {self.keys.jobs: ">"}, count=1, block=READ_BLOCK_MS
                )
                for entry_id, fields in stream_entries(response):
                    self._jobs.spawn(self._handle(entry_id, fields, deliveries=1), name=f"job-{entry_id}")
                    handed_over = True
            except ResponseError as exc:
                await self._after_error(exc)
            except RedisError as exc:
                if not failing:  # once per outage, not once a second
                    log.warning("reading jobs failed: %s", exc)
                failing = True
                await asyncio.sleep(RETRY_SECONDS)
            else:
                failing = False
            finally:
                if not handed_over:
                    self._slots.release()

    async def _after_error(self, exc: ResponseError) -> None:
        if "NOGROUP" in str(exc):  # the stream or group was deleted (a flushed or restarted Redis): recreate
            await self._ensure_group()
        else:
            log.warning("reading jobs failed: %s", exc)
            await asyncio.sleep(RETRY_SECONDS)

    async def _ensure_group(self) -> None:
        try:
            # From the stream's start: jobs queued before any host ever ran are served too.
            await self._redis.xgroup_create(self.keys.jobs, self.keys.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _claim(self, start: str) -> tuple[str, bool]:
        """XAUTOCLAIM at most one job idle longer than `claim_after` (its host died running it), for the slot the
        caller holds; returns where the next scan goes on, and whether a job was taken (and the slot with it)."""
        answer = await self._redis.xautoclaim(
            self.keys.jobs, self.keys.group, self.name, int(self.claim_after * 1000), start_id=start, count=1
        )
        following = str(answer[0])
        for entry_id, fields in answer[1]:
            if fields is None:
                continue  # deleted (an abandoned job); XAUTOCLAIM drops it from the pending list itself
            pending = await self._redis.xpending_range(
                self.keys.jobs, self.keys.group, min=entry_id, max=entry_id, count=1
            )
            deliveries = int(pending[0]["times_delivered"]) if pending else MAX_DELIVERIES + 1
            log.warning("claimed job %s, stalled with another host (delivery %d)", entry_id, deliveries)
            self._jobs.spawn(self._handle(entry_id, dict(fields), deliveries), name=f"job-{entry_id}")
            return following, True
        return following, False

    async def _forget_gone_hosts(self) -> None:
        for consumer in await self._redis.xinfo_consumers(self.keys.jobs, self.keys.group):
            name = str(consumer["name"])
            if name != self.name and int(consumer["pending"]) == 0 and int(consumer["idle"]) > CONSUMER_GONE_MS:
                await self._redis.xgroup_delconsumer(self.keys.jobs, self.keys.group, name)

    # -- running and answering ---------------------------------------------------------------------------------------

    async def _handle(self, entry_id: str, fields: dict[str, str], deliveries: int) -> None:
        """Run one job (the caller took a slot for it, released here) and answer it."""
        try:
            try:
                job = QueuedJob.from_fields(fields)
            except ValueError as exc:
                log.error("dropping malformed job %s: %s", entry_id, exc)
                await self._acknowledge(entry_id)
                return
            result = await self._result(job, deliveries)
            await self._answer(entry_id, job, result)
        finally:
            self._slots.release()

    async def _result(self, job: QueuedJob, deliveries: int) -> Result:
        if deliveries > MAX_DELIVERIES:
            return Result(Outcome.CRASHED, reason=GAVE_UP)
        wall = self.limits.wall_seconds if job.wall_seconds is None else job.wall_seconds
        if self.now() + wall > job.deadline:
            return refusal(Outcome.BUSY, HOSTS_BUSY, retry_after=max(1.0, float(round(wall))))
        self.running += 1
        try:
            return await self.pool.run(
                job.code,
                check=job.check,
                seed=job.seed,
                member_id=None,
                wall_seconds=job.wall_seconds,
                memory_mb=job.memory_mb,
            )
        finally:
            self.running -= 1

    async def _answer(self, entry_id: str, job: QueuedJob, result: Result) -> None:
        """Reply, then acknowledge and delete the job, in one transaction; retried while Redis is away."""
        for attempt in range(1, REPLY_ATTEMPTS + 1):
            try:
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.xadd(
                        job.reply_to,
                        reply_fields(job.id, result.to_json(), self.name),
                        maxlen=REPLIES_MAXLEN,
                        approximate=True,
                    )
                    pipe.expire(job.reply_to, REPLIES_TTL_SECONDS)
                    pipe.xack(self.keys.jobs, self.keys.group, entry_id)
                    pipe.xdel(self.keys.jobs, entry_id)
                    await pipe.execute()
                self.done += 1
                return
            except RedisError as exc:
                log.warning("answering job %s failed (attempt %d): %s", entry_id, attempt, exc)
                await asyncio.sleep(RETRY_SECONDS * attempt)
        log.error("could not answer job %s; it stays pending for another host", entry_id)

    async def _acknowledge(self, entry_id: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(self.keys.jobs, self.keys.group, entry_id)
            pipe.xdel(self.keys.jobs, entry_id)
            await pipe.execute()

    async def _finish_jobs(self) -> None:
        """On stop: let the jobs in hand end and be answered (their runs are bounded by the wall limit)."""
        if len(self._jobs):
            log.info("waiting for %d job(s) in hand", len(self._jobs))
        for _ in range(self.limits.workers):
            await self._slots.acquire()

    # -- heartbeat ---------------------------------------------------------------------------------------------------

    async def _heartbeats(self) -> None:
        failing = False
        while not stop_requested():
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self._beat()
            except RedisError as exc:
                if not failing:
                    log.warning("heartbeat failed: %s", exc)
                failing = True
            else:
                if failing:
                    log.info("the sandbox queue at %s is reachable again", describe_url(self.url))
                failing = False

    async def _beat(self) -> None:
        self._clock_offset = await redis_clock(self._redis) - time.time()
        heartbeat = Heartbeat(
            name=self.name,
            workers=self.limits.workers,
            started=self.started + self._clock_offset,
            done=self.done,
            running=self.running,
            identity=self.pool.identity,
            layers=self.pool.layers,
            problem=self.pool.unavailable_reason or "",
        )
        key = self.keys.host(self.name)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping=heartbeat.to_fields())
            pipe.pexpire(key, HEARTBEAT_TTL_MS)
            await pipe.execute()


async def serve(url: str, limits: SandboxLimits, *, claim_after: float | None = None) -> int:
    """`python -m bot sandbox serve`: a host until SIGTERM or SIGINT, then a clean stop."""
    host = SandboxHost(url, limits, claim_after=claim_after)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, host.stop)
    return await host.serve()
