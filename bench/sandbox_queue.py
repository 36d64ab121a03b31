"""Sandbox queue benchmark: `python bench/sandbox.py --queue` (about a minute on two cores).

Measures what the Redis queue (docs/queue.md) costs and buys, on this machine, with a throwaway redis-server and
worker hosts started as `python -m bot sandbox serve` subprocesses:

* round trip of `print(1)`: the local warm pool against the queue to one host, one worker each, p50 and p99;
* throughput of a small training job (100 SGD steps) sent all at once through the queue, to one host and then
  to two hosts (one worker each).
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.snippets import TRAINING
from bot.sandbox import Outcome, Result, Sandbox, SandboxLimits, SandboxPool
from bot.sandbox.queue import QueueSandbox
from tests.queue.hosts import HostProcess
from tests.servers.redis import RedisServer

SNIPPET = "print(1)\n"
RUNS = 50
IDLE_BETWEEN_RUNS = 0.15
"""A member's runs arrive seconds apart, so each finds its runner ready; the benchmark leaves it that time."""
THROUGHPUT_JOBS = 40
LIMITS = SandboxLimits(workers=1, cooldown_seconds=0.0, queue_size=THROUGHPUT_JOBS)


def expect_ok(result: Result) -> Result:
    if result.outcome is not Outcome.OK:
        raise SystemExit(f"benchmark run failed: {result.summary()}\n{result.stderr}")
    return result


async def round_trips(sandbox: Sandbox) -> tuple[list[float], list[float]]:
    """(end-to-end seconds, seconds inside the worker) of RUNS sequential runs of SNIPPET."""
    expect_ok(await sandbox.run(SNIPPET))
    total: list[float] = []
    inside: list[float] = []
    for _ in range(RUNS):
        await asyncio.sleep(IDLE_BETWEEN_RUNS)
        started = time.perf_counter()
        result = expect_ok(await sandbox.run(SNIPPET))
        total.append(time.perf_counter() - started)
        inside.append(result.duration)
    return total, inside


async def throughput(sandbox: Sandbox) -> float:
    """Jobs per second for THROUGHPUT_JOBS training jobs sent at once."""
    await asyncio.gather(*(sandbox.run(TRAINING) for _ in range(2)))  # every worker has run it once
    started = time.perf_counter()
    results = await asyncio.gather(*(sandbox.run(TRAINING) for _ in range(THROUGHPUT_JOBS)))
    elapsed = time.perf_counter() - started
    for result in results:
        expect_ok(result)
    return THROUGHPUT_JOBS / elapsed


async def wait_for_hosts(queue: QueueSandbox, count: int) -> None:
    for _ in range(100):
        if len(queue.hosts) >= count:
            return
        await asyncio.sleep(0.1)
    raise SystemExit(f"the client never saw {count} hosts")


def ms(samples: list[float], quantile: int) -> str:
    value = statistics.median(samples) if quantile == 50 else statistics.quantiles(samples, n=100)[quantile - 1]
    return f"{value * 1000:.1f} ms"


async def main() -> None:
    import torch

    print(f"sandbox queue benchmark: {os.cpu_count()} cores, Linux {platform.release()}, torch {torch.__version__}")
    began = time.monotonic()
    async with SandboxPool(LIMITS) as pool:
        if not pool.available:
            raise SystemExit(f"sandbox unavailable: {pool.unavailable_reason}")
        local, local_inside = await round_trips(pool)
    with RedisServer() as server, tempfile.TemporaryDirectory(prefix="torchquiz-bench-") as logs:
        url = server.new_database_url()
        first = HostProcess(url, Path(logs)).start()
        second = HostProcess(url, Path(logs))
        try:
            async with QueueSandbox(url, replace(LIMITS, workers=2), queue_wait=120.0) as queue:
                await wait_for_hosts(queue, 1)
                queued, queued_inside = await round_trips(queue)
                one_host = await throughput(queue)
                second.start()
                await wait_for_hosts(queue, 2)
                two_hosts = await throughput(queue)
        finally:
            second.stop()
            first.stop()

    added = (statistics.median(queued) - statistics.median(local)) * 1000
    rows = [
        (f"print(1), {RUNS} runs, one worker", "p50", "p99", "in worker p50"),
        ("  local warm pool", ms(local, 50), ms(local, 99), ms(local_inside, 50)),
        ("  queue (Redis, one host)", ms(queued, 50), ms(queued, 99), ms(queued_inside, 50)),
        (
            "  added by the queue (p50)",
            f"{added:.1f} ms",
            "",
            "",
        ),
        (f"100 SGD steps, {THROUGHPUT_JOBS} jobs at once", "jobs/s", "", ""),
        ("  queue, one host (1 worker)", f"{one_host:.1f}", "", ""),
        ("  queue, two hosts (1 worker each)", f"{two_hosts:.1f}", "", ""),
        ("  scaling (2 / 1)", f"{two_hosts / one_host:.2f}x", "", ""),
    ]
    for name, *cells in rows:
        print(f"{name:<38}{cells[0]:>12}{cells[1]:>12}{cells[2]:>16}")
    print(f"(benchmark took {time.monotonic() - began:.0f} s)")
