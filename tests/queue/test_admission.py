"""Admission shared in Redis: two clients (two shards) see one member's run, one cooldown and one queue bound.

No sandbox runs here: jobs wait in the stream, and where a reply is needed a stand-in host written here gives it.
`test_hosts.py` checks the refusal from a second client against a real host.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import pytest
import redis.asyncio as redis

from bot.sandbox import Outcome, Result, SandboxLimits
from bot.sandbox.admission import ALREADY_RUNNING, COOLING_DOWN, QUEUE_FULL
from bot.sandbox.queue import QueueSandbox
from bot.sandbox.queue.admission import Admitted, SharedAdmission
from bot.sandbox.queue.client import HOSTS_BUSY
from bot.sandbox.queue.wire import Keys, QueuedJob, reply_fields, stream_entries

KEYS = Keys()
LIMITS = SandboxLimits(wall_seconds=1.0, workers=1, queue_size=2, cooldown_seconds=1.5)

Client = Callable[..., AbstractAsyncContextManager[QueueSandbox]]


@pytest.fixture
async def server(redis_url: str) -> AsyncIterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
def client(redis_url: str) -> Client:
    """`async with client(**options) as sandbox`: one more bot process on the same queue."""

    def make(limits: SandboxLimits = LIMITS, queue_wait: float = 5.0, reply_grace: float = 0.5) -> QueueSandbox:
        return QueueSandbox(redis_url, limits, queue_wait=queue_wait, reply_grace=reply_grace)

    return make


async def next_job(server: redis.Redis, after: str = "0-0") -> tuple[str, QueuedJob]:
    response = await server.xread({KEYS.jobs: after}, count=1, block=2_000)
    ((entry_id, fields),) = stream_entries(response)
    return entry_id, QueuedJob.from_fields(fields)


async def answer(server: redis.Redis, job: QueuedJob, stdout: str = "") -> None:
    await server.xadd(job.reply_to, reply_fields(job.id, Result(Outcome.OK, stdout=stdout).to_json(), "stand-in"))


async def test_one_member_one_run_across_clients_then_one_cooldown(client: Client, server: redis.Redis) -> None:
    async with client() as shard_a, client() as shard_b:
        first = asyncio.create_task(shard_a.run("print('a')", member_id=7))
        _, job = await next_job(server)
        again = await shard_b.run("print('b')", member_id=7)
        assert (again.outcome, again.reason) == (Outcome.BUSY, ALREADY_RUNNING)
        assert again.retry_after is not None and 1.5 <= again.retry_after <= 2.5  # the run's wall + the cooldown
        assert again.summary() == "busy: you already have a run in progress; try again in 3 s"
        await answer(server, job, "a\n")
        assert (await first).stdout == "a\n"
        cooling = await shard_b.run("print('b')", member_id=7)
        assert (cooling.outcome, cooling.reason) == (Outcome.COOLDOWN, COOLING_DOWN)
        assert cooling.summary() == "cooldown: try again in 2 s"
        assert await server.zcard(KEYS.running(7)) == 0 and await server.zcard(KEYS.inflight) == 0
        assert 0 < await server.pttl(KEYS.cooldown(7)) <= 1_500
        await asyncio.sleep(cooling.retry_after or 0)
        later = asyncio.create_task(shard_b.run("print('c')", member_id=7))
        entry_id, _ = await next_job(server)
        _, job = await next_job(server, entry_id)
        await answer(server, job, "c\n")
        assert (await later).stdout == "c\n"


async def test_the_queue_bound_counts_every_client(client: Client, server: redis.Redis) -> None:
    async with client() as shard_a, client() as shard_b:
        waiting = [asyncio.create_task(shard.run("print(1)")) for shard in (shard_a, shard_a, shard_b)]
        await asyncio.sleep(0.3)
        full = await shard_b.run("print(2)", member_id=9)
        assert (full.outcome, full.reason) == (Outcome.BUSY, QUEUE_FULL)
        assert full.retry_after is not None and full.retry_after >= 1
        assert await server.zcard(KEYS.inflight) == 3  # workers 1 + queue 2
        assert await server.exists(KEYS.running(9)) == 0  # a refusal claims nothing
        for task in waiting:
            task.cancel()


async def test_a_run_no_host_took_costs_no_cooldown(client: Client, server: redis.Redis) -> None:
    async with client(queue_wait=0.2, reply_grace=0.2) as shard:
        busy = await shard.run("print(1)", member_id=3)
        assert (busy.outcome, busy.reason) == (Outcome.BUSY, HOSTS_BUSY)
        assert await server.exists(KEYS.cooldown(3)) == 0
        assert await server.zcard(KEYS.running(3)) == 0
        assert await server.zcard(KEYS.inflight) == 0


async def test_claims_of_a_dead_bot_lapse_by_themselves(server: redis.Redis) -> None:
    """A bot that dies between admitting and its reply never releases; its claims must not outlive the hold."""
    admission = SharedAdmission(server, KEYS, LIMITS)
    assert isinstance(await admission.admit("job-1", 5, hold=0.5, wall=1.0, workers=1), Admitted)
    refused = await admission.admit("job-2", 5, hold=0.5, wall=1.0, workers=1)
    assert isinstance(refused, Result) and refused.reason == ALREADY_RUNNING
    assert 0 < await server.pttl(KEYS.running(5)) <= 500
    await asyncio.sleep(0.6)
    assert isinstance(await admission.admit("job-3", 5, hold=0.5, wall=1.0, workers=1), Admitted)
    assert await server.zrange(KEYS.inflight, 0, -1) == ["job-3"]


async def test_two_clients_admitting_at_once_admit_one(client: Client, server: redis.Redis) -> None:
    async with client() as shard_a, client() as shard_b:
        runs = [asyncio.create_task(shard.run("print(1)", member_id=11)) for shard in (shard_a, shard_b) * 5]
        await asyncio.sleep(0.3)
        refused = [run for run in runs if run.done()]
        assert len(refused) == 9
        assert {run.result().reason for run in refused} == {ALREADY_RUNNING}
        (admitted,) = [run for run in runs if run not in refused]
        _, job = await next_job(server)
        await answer(server, job, "1\n")
        assert (await admitted).stdout == "1\n"
