"""Pool behaviour through real workers: the queue bound, one run per member, the cooldown, dead workers."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.sandbox import Outcome, SandboxLimits, SandboxPool
from tests.sandbox.conftest import RUN_TIMEOUT, bounded

pytestmark = pytest.mark.asyncio(loop_scope="module")

SLOW = "import time\ntime.sleep(1.0)\nprint('done')\n"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def small_pool() -> AsyncIterator[SandboxPool]:
    """One worker, one queue slot, a cooldown: small enough to fill from a test."""
    async with SandboxPool(SandboxLimits(workers=1, queue_size=1, cooldown_seconds=2.0)) as pool:
        assert pool.available, pool.unavailable_reason
        yield pool


async def test_a_full_queue_answers_busy_with_a_retry_estimate(small_pool: SandboxPool) -> None:
    running = asyncio.create_task(bounded(small_pool, SLOW))
    queued = asyncio.create_task(bounded(small_pool, SLOW))
    await asyncio.sleep(0.1)
    refused = await bounded(small_pool, "print('third')\n")
    assert refused.outcome is Outcome.BUSY
    assert refused.reason == "the sandbox queue is full"
    assert refused.retry_after is not None and refused.retry_after >= 1
    assert refused.summary().startswith("busy: the sandbox queue is full; try again in ")
    assert [result.outcome for result in await asyncio.gather(running, queued)] == [Outcome.OK, Outcome.OK]


async def test_one_run_per_member_then_a_cooldown(small_pool: SandboxPool) -> None:
    first = asyncio.create_task(bounded(small_pool, SLOW, member_id=7))
    await asyncio.sleep(0.1)
    again = await bounded(small_pool, "print(1)\n", member_id=7)
    assert again.outcome is Outcome.BUSY and again.reason == "you already have a run in progress"
    assert (await first).outcome is Outcome.OK
    cooling = await bounded(small_pool, "print(1)\n", member_id=7)
    assert cooling.outcome is Outcome.COOLDOWN
    assert cooling.retry_after is not None and 1 <= cooling.retry_after <= 2
    assert cooling.summary() == "cooldown: try again in 2 s"
    other = await bounded(small_pool, "print(2)\n", member_id=8)  # another member is not held up
    assert (other.outcome, other.stdout) == (Outcome.OK, "2\n")
    await asyncio.sleep(cooling.retry_after)
    assert (await bounded(small_pool, "print(3)\n", member_id=7)).outcome is Outcome.OK


async def test_a_cancelled_run_does_not_leak_into_the_next(small_pool: SandboxPool) -> None:
    waiting = asyncio.create_task(small_pool.run("import time\ntime.sleep(0.5)\nprint('old')\n"))
    await asyncio.sleep(0.1)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    result = await bounded(small_pool, "print('new')\n")
    assert (result.outcome, result.stdout) == (Outcome.OK, "new\n")


async def test_dead_and_silent_workers_are_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.sandbox.pool.MARGIN_SECONDS", 1.0)
    async with SandboxPool(SandboxLimits(workers=2, cooldown_seconds=0)) as pool:
        assert pool.available, pool.unavailable_reason
        # Killed while idle: the other worker serves at once, a replacement warms up behind it.
        victim = pool.worker_pids[0]
        os.kill(victim, signal.SIGKILL)
        await asyncio.sleep(0.2)
        result = await bounded(pool, "print('still here')\n")
        assert (result.outcome, result.stdout) == (Outcome.OK, "still here\n")
        # Killed during a run: that run is CRASHED, never an exception, and later runs work.
        running = asyncio.create_task(bounded(pool, SLOW))
        await asyncio.sleep(0.3)
        for pid in pool.worker_pids:
            os.kill(pid, signal.SIGKILL)
        crashed = await running
        assert crashed.outcome is Outcome.CRASHED
        assert crashed.summary() == "crashed: the sandbox worker died"
        async with asyncio.timeout(RUN_TIMEOUT):
            while len(pool.worker_pids) < 2:  # noqa: ASYNC110 (polling the pool's view of processes)
                await asyncio.sleep(0.1)
        assert victim not in pool.worker_pids
        assert (await bounded(pool, "print(1)\n")).outcome is Outcome.OK
        # A worker that stops answering (here: stopped) is given up after wall + margin, killed and replaced.
        for pid in pool.worker_pids:
            os.kill(pid, signal.SIGSTOP)
        hung = await asyncio.gather(*(bounded(pool, "print('hung')\n", wall_seconds=0.5) for _ in range(2)))
        assert {result.summary() for result in hung} == {"crashed: the sandbox worker stopped answering"}
        assert (await bounded(pool, "print(2)\n")).stdout == "2\n"


async def test_closing_ends_runs_with_a_result_and_refuses_new_ones() -> None:
    pool = SandboxPool(SandboxLimits(workers=1, cooldown_seconds=0))
    not_started = await bounded(pool, "print(1)\n")
    assert (not_started.outcome, not_started.reason) == (Outcome.UNAVAILABLE, "the sandbox has not been started")
    await pool.start()
    running = asyncio.create_task(bounded(pool, "import time\ntime.sleep(4)\n"))
    waiting = asyncio.create_task(bounded(pool, SLOW))
    await asyncio.sleep(0.3)
    await asyncio.wait_for(pool.aclose(), RUN_TIMEOUT)  # the busy worker gets a 1 s grace, then SIGKILL
    assert (await running).outcome is Outcome.CRASHED
    assert (await waiting).outcome is Outcome.UNAVAILABLE
    closed = await bounded(pool, "print(1)\n")
    assert closed.summary() == "unavailable: the sandbox is shut down"


async def test_oversized_code_and_bad_limits_are_errors_not_exceptions(small_pool: SandboxPool) -> None:
    huge = await bounded(small_pool, "#" * 300_000)
    assert huge.outcome is Outcome.ERROR and huge.error_line == "ValueError: the code is longer than 256 KiB"
    assert (await bounded(small_pool, "pass", wall_seconds=0)).outcome is Outcome.ERROR
