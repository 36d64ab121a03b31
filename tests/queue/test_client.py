"""`QueueSandbox` against a real Redis and a stand-in host written here: replies by job id, once, or BUSY.

No sandbox runs in this file (the "host" is a few lines that read the jobs stream and answer), so it is quick;
`test_hosts.py` runs the same client against real worker hosts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from bot.sandbox import Outcome, Result, SandboxLimits
from bot.sandbox.queue import QueueSandbox
from bot.sandbox.queue.client import HOSTS_BUSY
from bot.sandbox.queue.wire import Keys, QueuedJob, reply_fields, stream_entries
from tests.servers.postgres import free_port

LIMITS = SandboxLimits(wall_seconds=1.0, cooldown_seconds=0.0)
KEYS = Keys()


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[QueueSandbox]:
    sandbox = QueueSandbox(redis_url, LIMITS, queue_wait=0.5, reply_grace=0.5)
    await sandbox.start()
    yield sandbox
    await sandbox.aclose()


@pytest.fixture
async def server(redis_url: str) -> AsyncIterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def take_jobs(server: redis.Redis, count: int) -> list[QueuedJob]:
    """What a host would read: the next `count` jobs of the stream, in order."""
    jobs: list[QueuedJob] = []
    last = "0-0"
    while len(jobs) < count:
        response = await server.xread({KEYS.jobs: last}, block=2_000)
        for entry_id, fields in stream_entries(response):
            last = entry_id
            jobs.append(QueuedJob.from_fields(fields))
    return jobs


async def answer(server: redis.Redis, job: QueuedJob, result: Result) -> None:
    await server.xadd(job.reply_to, reply_fields(job.id, result.to_json(), "stand-in"))


def test_a_result_survives_json_with_its_observations() -> None:
    result = Result(
        Outcome.ERROR,
        stdout="4\n",
        stderr="Traceback…\n",
        duration=0.25,
        layers=("landlock", "seccomp"),
        error_line="ValueError: no",
        observations=({"name": "y", "kind": "tensor", "shape": [2]},),
        check_stopped="ValueError: no",
        timings={"run": 3.5},
    )
    back = Result.from_json(result.to_json())
    assert back == result and back.timings == result.timings
    with pytest.raises(TypeError):
        Result.from_json("[]")


def test_a_job_survives_its_stream_fields() -> None:
    job = QueuedJob("j1", "replies", "print(1)\n", None, 7, None, None, 1e9)
    assert QueuedJob.from_fields({str(k): str(v) for k, v in job.to_fields().items()}) == job
    checked = QueuedJob("j2", "replies", "x = 1\n", "expect('x', x)\n", 3, 2.5, 256, 1e9 + 0.5)
    assert QueuedJob.from_fields({str(k): str(v) for k, v in checked.to_fields().items()}) == checked
    with pytest.raises(ValueError, match="no 'code'"):
        QueuedJob.from_fields({"v": "1", "id": "j", "reply_to": "r", "seed": "0", "deadline": "1"})
    with pytest.raises(ValueError, match="unknown job format"):
        QueuedJob.from_fields({"v": "99"})


async def test_each_reply_reaches_the_run_that_asked(queue: QueueSandbox, server: redis.Redis) -> None:
    runs = [asyncio.create_task(queue.run(f"print({n})", member_id=n)) for n in range(5)]
    jobs = await take_jobs(server, 5)
    assert {job.reply_to for job in jobs} == {queue.reply_stream}
    for job in reversed(jobs):  # answered out of order
        await answer(server, job, Result(Outcome.OK, stdout=job.code[6:-1] + "\n"))
    results = await asyncio.gather(*runs)
    assert [result.stdout for result in results] == [f"{n}\n" for n in range(5)]
    assert await server.xlen(queue.reply_stream) == 0  # the reader deletes what it has read


async def test_a_second_reply_for_the_same_job_is_ignored(queue: QueueSandbox, server: redis.Redis) -> None:
    run = asyncio.create_task(queue.run("print('once')"))
    (job,) = await take_jobs(server, 1)
    await answer(server, job, Result(Outcome.OK, stdout="first\n"))
    await answer(server, job, Result(Outcome.OK, stdout="second\n"))
    assert (await run).stdout == "first\n"
    for _ in range(50):
        if queue.ignored_replies:
            break
        await asyncio.sleep(0.05)
    assert queue.ignored_replies == 1
    later = asyncio.create_task(queue.run("print('next')"))
    (_, job) = await take_jobs(server, 2)
    await answer(server, job, Result(Outcome.OK, stdout="next\n"))
    assert (await later).stdout == "next\n"


async def test_no_reply_by_the_deadline_is_busy(queue: QueueSandbox, server: redis.Redis) -> None:
    began = asyncio.get_running_loop().time()
    result = await queue.run("print(1)")
    waited = asyncio.get_running_loop().time() - began
    assert (result.outcome, result.reason) == (Outcome.BUSY, HOSTS_BUSY)
    assert result.summary() == "busy: the sandbox hosts are busy; try again in 1 s"
    assert 2.0 - 0.1 <= waited < 4.0  # wall 1 s + queue wait 0.5 s + grace 0.5 s
    assert await server.xlen(KEYS.jobs) == 0  # the abandoned job is taken out of the queue


async def test_an_unreadable_reply_is_a_crash_not_an_exception(queue: QueueSandbox, server: redis.Redis) -> None:
    run = asyncio.create_task(queue.run("print(1)"))
    (job,) = await take_jobs(server, 1)
    await server.xadd(job.reply_to, {"id": job.id, "result": "{not json", "host": "stand-in"})
    result = await run
    assert (result.outcome, result.reason) == (Outcome.CRASHED, "the sandbox host sent an unreadable result")


async def test_a_cancelled_run_still_takes_its_reply(queue: QueueSandbox, server: redis.Redis) -> None:
    run = asyncio.create_task(queue.run("print(1)"))
    (job,) = await take_jobs(server, 1)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    await answer(server, job, Result(Outcome.OK, stdout="1\n"))
    for _ in range(50):
        if await server.xlen(job.reply_to) == 0:
            break
        await asyncio.sleep(0.05)
    assert queue.ignored_replies == 0  # the run's own task was still waiting for it


async def test_an_unreachable_queue_is_unavailable_and_never_raises() -> None:
    sandbox = QueueSandbox(f"redis://127.0.0.1:{free_port()}/0", LIMITS)
    await sandbox.start()
    try:
        assert sandbox.unavailable_reason == "the sandbox queue is unreachable (ConnectionError)"
        result = await sandbox.run("print(1)")
        assert result.outcome is Outcome.UNAVAILABLE
        assert result.summary() == "unavailable: the sandbox queue is unreachable (ConnectionError)"
    finally:
        await sandbox.aclose()
    assert (await sandbox.run("print(1)")).reason == "the sandbox is shut down"


async def test_bad_requests_are_refused_before_the_queue(queue: QueueSandbox, server: redis.Redis) -> None:
    assert (await queue.run("x" * (300 * 1024))).error_line == "ValueError: the code is longer than 256 KiB"
    assert (await queue.run("print(1)", wall_seconds=0)).error_line == "ValueError: limits must be positive"
    assert await server.xlen(KEYS.jobs) == 0
