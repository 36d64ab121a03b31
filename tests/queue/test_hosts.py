"""A real worker host (`python -m bot sandbox serve`) serving the queue: runs, heartbeats, deadlines, give-ups.

One host with one warm worker serves the whole module, in a Redis database of the module's own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as redis

from bot.sandbox import Outcome, Result, SandboxLimits
from bot.sandbox.admission import ALREADY_RUNNING, COOLING_DOWN
from bot.sandbox.queue import QueueSandbox
from bot.sandbox.queue.client import HOSTS_BUSY
from bot.sandbox.queue.host import GAVE_UP
from bot.sandbox.queue.wire import Heartbeat, Keys, QueuedJob, redis_clock, stream_entries
from tests.queue.hosts import HostProcess
from tests.servers.redis import RedisServer

pytestmark = pytest.mark.sandbox

KEYS = Keys()
CLAIM_AFTER = 3.0
REPLY_TIMEOUT = 30.0
LIMITS = SandboxLimits(cooldown_seconds=0.0)


@pytest.fixture(scope="module")
def queue_url(redis_server: RedisServer) -> str:
    return redis_server.new_database_url()


@pytest.fixture(scope="module")
def host(queue_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostProcess]:
    with HostProcess(queue_url, tmp_path_factory.mktemp("hosts"), claim_after=CLAIM_AFTER) as started:
        yield started


@pytest.fixture
async def server(queue_url: str) -> AsyncIterator[redis.Redis]:
    client = redis.Redis.from_url(queue_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
async def queue(queue_url: str, host: HostProcess) -> AsyncIterator[QueueSandbox]:
    async with QueueSandbox(queue_url, LIMITS) as sandbox:
        yield sandbox


async def reply_to(server: redis.Redis, stream: str) -> Result:
    """The first reply on `stream` (blocking reads stay under redis-py's socket timeout)."""
    async with asyncio.timeout(REPLY_TIMEOUT):
        while not (entries := stream_entries(await server.xread({stream: "0-0"}, count=1, block=1_000))):
            pass
    ((_, fields),) = entries
    return Result.from_json(fields["result"])


async def test_a_snippet_runs_on_a_host(queue: QueueSandbox, host: HostProcess) -> None:
    result = await queue.run("print(2+2)", member_id=1)
    assert (result.outcome, result.stdout) == (Outcome.OK, "4\n"), result
    assert "landlock" in result.layers and "seccomp" in result.layers
    assert [(h.name, h.workers, h.problem) for h in queue.hosts] == [(host.name, 1, "")]
    assert {layer.name for layer in queue.layers if layer.available} >= {"landlock", "seccomp", "rlimits"}
    assert queue.identity.startswith(f"{host.name}: running as ")
    assert queue.available


async def test_errors_and_limits_come_back_as_results(queue: QueueSandbox) -> None:
    error = await queue.run("raise ValueError('no')")
    assert (error.outcome, error.error_line) == (Outcome.ERROR, "ValueError: no")
    slow = await queue.run("while True: pass", wall_seconds=1)
    assert slow.outcome is Outcome.TIMEOUT, slow


async def test_a_second_client_refuses_the_same_members_second_run(queue_url: str, host: HostProcess) -> None:
    """As another shard would: the member's run is in progress on the host, so the second is refused there too."""
    limits = SandboxLimits(cooldown_seconds=2.0)
    async with QueueSandbox(queue_url, limits) as shard_a, QueueSandbox(queue_url, limits) as shard_b:
        first = asyncio.create_task(shard_a.run("import time\ntime.sleep(1.5)\nprint('a')", member_id=21))
        await asyncio.sleep(0.5)
        again = await shard_b.run("print('b')", member_id=21)
        assert (again.outcome, again.reason) == (Outcome.BUSY, ALREADY_RUNNING)
        assert (await first).stdout == "a\n"
        cooling = await shard_b.run("print('b')", member_id=21)
        assert (cooling.outcome, cooling.reason) == (Outcome.COOLDOWN, COOLING_DOWN)
        other = await shard_b.run("print('other')", member_id=22)
        assert (other.outcome, other.stdout) == (Outcome.OK, "other\n")


async def test_the_heartbeat_counts_jobs(queue: QueueSandbox, server: redis.Redis, host: HostProcess) -> None:
    async def beat() -> Heartbeat:
        fields = await server.hgetall(KEYS.host(host.name))
        return Heartbeat.from_fields(host.name, {str(k): str(v) for k, v in fields.items()})

    before = await beat()
    assert before.workers == 1 and before.started <= await redis_clock(server)
    assert 0 < await server.pttl(KEYS.host(host.name)) <= 10_000
    await queue.run("print(1)")
    for _ in range(50):  # refreshed every 2 s
        if (await beat()).done > before.done:
            break
        await asyncio.sleep(0.2)
    else:
        pytest.fail("the heartbeat never counted the job")


async def test_a_job_past_its_deadline_is_answered_busy_without_running(server: redis.Redis, host: HostProcess) -> None:
    stream = KEYS.replies(f"test-{uuid.uuid4().hex}")
    late = await redis_clock(server) + 2.0  # the host could start it, but not finish a 5 s run by then
    job = QueuedJob(uuid.uuid4().hex, stream, "print('ran')", None, 0, None, None, late)
    await server.xadd(KEYS.jobs, job.to_fields())
    result = await reply_to(server, stream)
    assert (result.outcome, result.reason, result.stdout) == (Outcome.BUSY, HOSTS_BUSY, "")
    assert await server.ttl(stream) > 0  # reply streams expire if their bot is gone
    assert await server.xlen(KEYS.jobs) == 0  # answered, acknowledged and deleted


async def test_a_third_delivery_is_crashed_not_run_again(server: redis.Redis, host: HostProcess) -> None:
    """A job two hosts already took and never answered (both died running it) is not given to a third run."""
    stream = KEYS.replies(f"test-{uuid.uuid4().hex}")
    job = QueuedJob(uuid.uuid4().hex, stream, "print('ran')", None, 0, None, None, await redis_clock(server) + 60)
    async with server.pipeline(transaction=True) as pipe:  # taken by a "ghost" before the real host can read it
        pipe.xadd(KEYS.jobs, job.to_fields())
        pipe.xreadgroup(KEYS.group, "ghost", {KEYS.jobs: ">"}, count=1)
        _, taken = await pipe.execute()
    ((entry_id, _),) = stream_entries(taken)
    await server.xclaim(KEYS.jobs, KEYS.group, "ghost", 0, [entry_id], retrycount=2)  # ...and by a second one
    result = await reply_to(server, stream)  # the host claims it after CLAIM_AFTER s of silence
    assert (result.outcome, result.reason, result.stdout) == (Outcome.CRASHED, GAVE_UP, "")
    assert await server.xpending(KEYS.jobs, KEYS.group) == {
        "pending": 0,
        "min": None,
        "max": None,
        "consumers": [],
    }


async def test_a_malformed_job_is_dropped_and_the_host_goes_on(queue: QueueSandbox, server: redis.Redis) -> None:
    await server.xadd(KEYS.jobs, {"v": "1", "id": "x"})
    result = await queue.run("print('after')")
    assert (result.outcome, result.stdout) == (Outcome.OK, "after\n")
    assert await server.xlen(KEYS.jobs) == 0


def test_serve_needs_a_queue(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from bot.cli import main

    monkeypatch.delenv("TORCHQUIZ_SANDBOX_QUEUE", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env
    assert main(["sandbox", "serve"]) == 2
    assert capsys.readouterr().err == "torchquiz: sandbox serve needs --redis URL (or TORCHQUIZ_SANDBOX_QUEUE)\n"
    assert main(["sandbox", "serve", "--redis", "redis://127.0.0.1:1/0", "--workers", "0"]) == 2
    assert capsys.readouterr().err == "torchquiz: --workers must be between 1 and 64\n"
