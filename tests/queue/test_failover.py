"""Hosts die: a job whose host is killed mid-run is claimed by another and the member gets exactly one result.

Two real hosts (one worker each) serve one queue. The test finds which host holds the member's long job, kills it
with SIGKILL (nothing answered, acknowledged or cleaned up), and waits: once the job has been silent for
`--claim-after` seconds the other host claims it, runs it again and answers.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import redis.asyncio as redis

from bot.sandbox import Outcome, SandboxLimits
from bot.sandbox.queue import QueueSandbox
from bot.sandbox.queue.wire import Heartbeat, Keys
from tests.queue.hosts import HostProcess
from tests.servers.redis import RedisServer

pytestmark = pytest.mark.sandbox

KEYS = Keys()
CLAIM_AFTER = 4.0
LONG_JOB = "import time\ntime.sleep(3)\nprint('done')\n"


async def holder(server: redis.Redis) -> str:
    """The consumer (host name) the one pending job is delivered to, once a host has taken it."""
    for _ in range(100):
        pending = await server.xpending_range(KEYS.jobs, KEYS.group, min="-", max="+", count=10)
        if pending:
            (entry,) = pending
            return str(entry["consumer"])
        await asyncio.sleep(0.05)
    raise AssertionError("no host took the job")


async def test_a_killed_hosts_job_is_run_by_another_and_answered_once(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    url = redis_server.new_database_url()
    hosts = [HostProcess(url, tmp_path, claim_after=CLAIM_AFTER).launch() for _ in range(2)]
    server = redis.Redis.from_url(url, decode_responses=True)
    try:
        for host in hosts:
            host.wait_ready()
        async with QueueSandbox(url, SandboxLimits(cooldown_seconds=0.0)) as queue:
            run = asyncio.create_task(queue.run(LONG_JOB, member_id=42))
            taken_by = await holder(server)
            (victim,) = [host for host in hosts if host.name == taken_by]
            (survivor,) = [host for host in hosts if host is not victim]
            await asyncio.sleep(0.5)  # the run is under way on the victim's worker
            victim.kill()

            result = await asyncio.wait_for(run, 60)
            assert (result.outcome, result.stdout) == (Outcome.OK, "done\n"), result
            assert await holder_count(server) == 0  # answered and acknowledged by the survivor
            await asyncio.sleep(1.5)  # any second answer would have arrived by now
            assert queue.ignored_replies == 0
            assert "claimed job" in survivor.log() and "(delivery 2)" in survivor.log()

            beat = await server.hgetall(KEYS.host(survivor.name))
            assert Heartbeat.from_fields(survivor.name, {str(k): str(v) for k, v in beat.items()}).workers == 1
            assert await server.zcard(KEYS.running(42)) == 0  # the member may run again

        assert survivor.stop() == 0, survivor.log()
        assert await server.exists(KEYS.host(survivor.name)) == 0  # a clean stop removes its heartbeat
    finally:
        for host in hosts:
            host.stop()
        await server.aclose()


async def holder_count(server: redis.Redis) -> int:
    summary = await server.xpending(KEYS.jobs, KEYS.group)
    return int(summary["pending"])
