"""Sandbox benchmark: `python bench/sandbox.py` (about a minute on two cores).

Measures what docs/sandbox.md promises, on this machine:

* latency of a trivial autograd snippet through the warm pool (every layer on), interleaved with a cold
  `python -c` of the same snippet so both see the same machine load; the ratio should be at least 40x (the aim
  is 100x), and where a run's time goes, step by step;
* a graded `code` submission: the member's run plus the comparison with a reference prepared ahead, and the
  same when the reference must run too;
* throughput of a small training job (100 SGD steps of a small MLP) with one and with two workers; the ratio
  should be at least 1.6x on two cores;
* the zygote's and the supervisor's resident memory and a running runner's private memory.

`python bench/sandbox.py --queue` measures the Redis queue instead (`bench/sandbox_queue.py`): the round trip
of `print(1)` through the local pool and through a worker host, and the throughput of one host against two.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: make `bot` importable

from bench.snippets import TRAINING  # noqa: E402
from bot.sandbox import Outcome, Result, SandboxLimits, SandboxPool  # noqa: E402
from bot.sandbox.grader import Grader  # noqa: E402
from bot.sandbox.worker_process import WORKER_ENVIRONMENT  # noqa: E402

TRIVIAL = "import torch\nx = torch.tensor(2.0, requires_grad=True)\n(x**3).backward()\nprint(x.grad.item())\n"
CHECK = "g = torch.Generator().manual_seed(seed)\nx = torch.randn(4, 3, generator=g)\nexpect('row sums', rowsum(x))\n"
SOLUTION = "import torch\n\ndef rowsum(x):\n    return x.sum(dim=1)\n"
SUBMISSION = "import torch\n\ndef rowsum(x):\n    return torch.stack([row.sum() for row in x])\n"
STEPS = ("fork", "isolation", "handoff", "code", "exit")
IDLE_BETWEEN_RUNS = 0.15
"""A member's runs arrive seconds apart, so each finds its runner ready; the benchmark leaves it that time."""
HOLD = "import torch\nx = torch.ones(8, requires_grad=True)\n(x * 2).sum().backward()\nimport time\ntime.sleep(1.5)\n"

COLD_RUNS = 12
WARM_PER_COLD = 5
THROUGHPUT_JOBS = 40
LIMITS = SandboxLimits(cooldown_seconds=0.0, queue_size=THROUGHPUT_JOBS)


def expect_ok(result: Result) -> Result:
    if result.outcome is not Outcome.OK:
        raise SystemExit(f"benchmark run failed: {result.summary()}\n{result.stderr}")
    return result


async def cold_run() -> float:
    """Wall time of a fresh interpreter running the snippet, from spawn to exit."""
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        TRIVIAL,
        env=dict(WORKER_ENVIRONMENT),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    output, _ = await process.communicate()
    elapsed = time.monotonic() - started
    if output != b"12.0\n":
        raise SystemExit(f"cold run printed {output!r}")
    return elapsed


async def latency(pool: SandboxPool) -> tuple[list[float], list[float], list[float], dict[str, list[float]]]:
    """(warm end-to-end, warm job-to-answer in the worker, cold, per-step ms) samples, interleaved."""
    warm: list[float] = []
    in_worker: list[float] = []
    cold: list[float] = []
    steps: dict[str, list[float]] = {step: [] for step in STEPS}
    expect_ok(await pool.run(TRIVIAL))
    for _ in range(COLD_RUNS):
        for _ in range(WARM_PER_COLD):
            await asyncio.sleep(IDLE_BETWEEN_RUNS)
            started = time.monotonic()
            result = expect_ok(await pool.run(TRIVIAL))
            warm.append(time.monotonic() - started)
            in_worker.append(result.duration)
            for step in STEPS:
                if step in result.timings:
                    steps[step].append(result.timings[step] / 1000)
        cold.append(await cold_run())
    return warm, in_worker, cold, steps


async def grading(pool: SandboxPool) -> tuple[list[float], list[float]]:
    """(graded with the reference prepared ahead, graded with the reference run alongside) samples."""
    prepared: list[float] = []
    alongside: list[float] = []
    grader = Grader(pool)
    try:
        await grader.grade(SUBMISSION, check=CHECK, solution=SOLUTION)  # prepares the next reference
        for _ in range(COLD_RUNS):
            await asyncio.sleep(3 * IDLE_BETWEEN_RUNS)  # the prepared reference and the runners get ready
            started = time.monotonic()
            grade = await grader.grade(SUBMISSION, check=CHECK, solution=SOLUTION)
            prepared.append(time.monotonic() - started)
            if not grade.passed:
                raise SystemExit(f"benchmark submission failed: {grade.summary()}")
            await asyncio.sleep(3 * IDLE_BETWEEN_RUNS)
            fresh = Grader(pool)
            started = time.monotonic()
            grade = await fresh.grade(SUBMISSION, check=CHECK, solution=SOLUTION)
            alongside.append(time.monotonic() - started)
            await fresh.aclose()
    finally:
        await grader.aclose()
    return prepared, alongside


async def throughput(workers: int) -> tuple[float, float]:
    """(jobs/s, the bot process's own CPU ms per job) for THROUGHPUT_JOBS training jobs sent at once."""
    async with SandboxPool(replace(LIMITS, workers=workers)) as pool:
        await asyncio.gather(*(pool.run(TRAINING) for _ in range(workers)))  # first run per worker
        started, cpu = time.monotonic(), time.process_time()
        results = await asyncio.gather(*(pool.run(TRAINING) for _ in range(THROUGHPUT_JOBS)))
        elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    for result in results:
        expect_ok(result)
    return THROUGHPUT_JOBS / elapsed, cpu / THROUGHPUT_JOBS * 1000


def _spin(iterations: int) -> None:
    total = 0
    for number in range(iterations):
        total += number
    os._exit(0)


def machine_scaling() -> float:
    """How much faster two CPU-bound processes finish two units of work than one process finishes one.

    The ceiling for the sandbox's own scaling: 2.0 on two idle cores, less when something else uses them
    (measured just before and just after the throughput runs, so a busy machine shows up in the table).
    """

    def run(processes: int) -> float:
        started = time.monotonic()
        pids = []
        for _ in range(processes):
            pid = os.fork()
            if pid == 0:
                _spin(5_000_000)
            pids.append(pid)
        for pid in pids:
            os.waitpid(pid, 0)
        return time.monotonic() - started

    return 2 * min(run(1) for _ in range(3)) / min(run(2) for _ in range(3))


def status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def private_kb(pid: int) -> int:
    total = 0
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total


def children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == parent:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def deepest_descendant(root: int) -> int:
    current = root
    while below := children(current):
        current = below[0]
    return current


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", encoding="utf-8", errors="replace") as cmdline:
            return cmdline.read()
    except OSError:
        return ""


async def memory(pool: SandboxPool) -> tuple[int, int, int]:
    """(supervisor RSS, zygote RSS, a running runner's private memory), in kB."""
    (supervisor,) = pool.worker_pids[:1]
    await asyncio.sleep(0.5)  # the next runner is forked and waiting
    kids = await asyncio.to_thread(children, supervisor)
    lines = {pid: await asyncio.to_thread(command_line, pid) for pid in kids}
    zygote = next(pid for pid in kids if "bot.sandbox.zygote" in lines[pid] and not children(pid))
    waiting = [pid for pid in kids if pid != zygote and lines[pid]]  # an empty command line is a zombie
    running = asyncio.create_task(pool.run(HOLD))
    await asyncio.sleep(1.0)
    snippet = await asyncio.to_thread(deepest_descendant, waiting[0]) if waiting else 0
    runner_kb = await asyncio.to_thread(private_kb, snippet) if snippet else 0
    expect_ok(await running)
    supervisor_kb = await asyncio.to_thread(status_kb, supervisor, "VmRSS")
    return supervisor_kb, await asyncio.to_thread(status_kb, zygote, "VmRSS"), runner_kb


def milliseconds(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples) * 1000, statistics.quantiles(samples, n=20)[-1] * 1000


async def main() -> None:
    import torch

    print(f"sandbox benchmark: {os.cpu_count()} cores, Linux {platform.release()}, torch {torch.__version__}")
    began = time.monotonic()
    async with SandboxPool(replace(LIMITS, workers=1)) as pool:
        if not pool.available:
            raise SystemExit(f"sandbox unavailable: {pool.unavailable_reason}")
        layers = ", ".join(expect_ok(await pool.run("pass")).layers)
        warm, forked, cold, steps = await latency(pool)
        supervisor_kb, zygote_kb, child_kb = await memory(pool)
    async with SandboxPool(replace(LIMITS, workers=2)) as pool:
        graded_prepared, graded_alongside = await grading(pool)
    ceiling_before = await asyncio.to_thread(machine_scaling)
    (one, pool_cpu), (two, _) = await throughput(1), await throughput(2)
    ceiling_after = await asyncio.to_thread(machine_scaling)

    warm_median, warm_p95 = milliseconds(warm)
    fork_median, fork_p95 = milliseconds(forked)
    cold_median, cold_p95 = milliseconds(cold)
    prepared_median, prepared_p95 = milliseconds(graded_prepared)
    alongside_median, alongside_p95 = milliseconds(graded_alongside)
    step_rows = [
        (f"    {step}{' (ahead of the job)' if step in {'fork', 'isolation'} else ''}", *milliseconds(values))
        for step, values in steps.items()
        if len(values) > 1
    ]
    rows = [
        ("layers", layers, "", ""),
        ("trivial autograd snippet", "median", "p95", "runs"),
        ("  warm pool, end to end", f"{warm_median:.1f} ms", f"{warm_p95:.1f} ms", str(len(warm))),
        ("  warm pool, job to answer", f"{fork_median:.1f} ms", f"{fork_p95:.1f} ms", str(len(forked))),
        *((name, f"{median:.1f} ms", f"{p95:.1f} ms", "") for name, median, p95 in step_rows),
        ("  cold python -c", f"{cold_median:.0f} ms", f"{cold_p95:.0f} ms", str(len(cold))),
        ("  speed-up (cold / warm median)", f"{cold_median / warm_median:.0f}x", "target >= 40x", ""),
        ("graded code submission", "median", "p95", "runs"),
        (
            "  reference prepared ahead",
            f"{prepared_median:.1f} ms",
            f"{prepared_p95:.1f} ms",
            str(len(graded_prepared)),
        ),
        (
            "  reference run alongside",
            f"{alongside_median:.1f} ms",
            f"{alongside_p95:.1f} ms",
            str(len(graded_alongside)),
        ),
        ("100 SGD steps, small MLP", "jobs/s", "", "jobs"),
        ("  1 worker", f"{one:.1f}", "", str(THROUGHPUT_JOBS)),
        ("  2 workers", f"{two:.1f}", "", str(THROUGHPUT_JOBS)),
        ("  scaling (2 / 1)", f"{two / one:.2f}x", "target >= 1.6x", ""),
        ("  machine ceiling, before / after", f"{ceiling_before:.2f}x", f"{ceiling_after:.2f}x", ""),
        ("  bot process CPU per job", f"{pool_cpu:.2f} ms", "", ""),
        ("memory", "", "", ""),
        ("  zygote resident (VmRSS)", f"{zygote_kb / 1024:.0f} MiB", "", ""),
        ("  supervisor resident (VmRSS)", f"{supervisor_kb / 1024:.0f} MiB", "", ""),
        ("  running runner, private", f"{child_kb / 1024:.1f} MiB", "", ""),
    ]
    for name, *cells in rows:
        print(f"{name:<34}{cells[0]:>12}{cells[1]:>16}{cells[2]:>7}" if name != "layers" else f"layers: {cells[0]}")
    print(f"(benchmark took {time.monotonic() - began:.0f} s)")


if __name__ == "__main__":
    if "--queue" in sys.argv[1:]:
        from bench.sandbox_queue import main as queue_main

        asyncio.run(queue_main())
    else:
        asyncio.run(main())
