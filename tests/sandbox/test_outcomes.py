"""Each limit ends a run with its own outcome and a one-line summary, and the pool stays usable afterwards."""

from __future__ import annotations

import pytest

from bot.sandbox import Outcome
from tests.sandbox.conftest import Runner

pytestmark = pytest.mark.asyncio(loop_scope="module")

KIB = 1024


async def test_spin_hits_the_time_limit(run: Runner) -> None:
    result = await run("print('started')\nwhile True:\n    pass\n", wall_seconds=1)
    assert result.outcome is Outcome.TIMEOUT
    assert result.summary() == "stopped: time limit (1 s)"
    assert result.stdout == "started\n"  # output before the kill is kept (line-buffered)
    assert 1.0 <= result.duration < 2.0


async def test_sleep_hits_the_time_limit(run: Runner) -> None:
    result = await run("import time\ntime.sleep(60)\n", wall_seconds=0.5)
    assert result.outcome is Outcome.TIMEOUT
    assert result.duration < 1.5


@pytest.mark.parametrize(
    "snippet",
    [
        "import torch\nt = torch.empty(10**11)\n",
        "x = [0] * 10**10\n",
        "chunks = []\nwhile True:\n    chunks.append(bytearray(10**7))\n",
    ],
    ids=["tensor", "list-bomb", "gradual"],
)
async def test_allocations_hit_the_memory_limit(run: Runner, snippet: str) -> None:
    result = await run(snippet)
    assert result.outcome is Outcome.MEMORY, result.stderr
    assert result.summary() == "stopped: memory limit (512 MiB)"


async def test_memory_budget_can_be_lowered_per_run(run: Runner) -> None:
    snippet = "import torch\nt = torch.ones(25 * 2**20)\nprint(t.sum().item())\n"  # 100 MiB
    assert (await run(snippet)).outcome is Outcome.OK
    small = await run(snippet, memory_mb=64)
    assert small.outcome is Outcome.MEMORY
    assert small.summary() == "stopped: memory limit (64 MiB)"


async def test_output_past_the_cap_is_cut_and_the_run_stopped(run: Runner) -> None:
    result = await run("print('x' * 100_000)\nprint('never')\n")
    assert result.outcome is Outcome.OUTPUT_LIMIT
    assert result.truncated
    assert result.stdout == "x" * 64 * KIB
    assert result.summary() == "stopped: output limit (64 KiB)"


async def test_endless_output_on_both_streams_is_capped(run: Runner) -> None:
    result = await run("import sys\nwhile True:\n    print('out' * 100)\n    print('err' * 100, file=sys.stderr)\n")
    assert result.outcome is Outcome.OUTPUT_LIMIT
    assert len(result.stdout.encode()) + len(result.stderr.encode()) == 64 * KIB
    assert result.duration < 2


async def test_segfault_is_a_crash_with_its_signal(run: Runner) -> None:
    result = await run("import ctypes\nctypes.string_at(0)\n")
    assert result.outcome is Outcome.CRASHED
    assert result.signal == 11
    assert result.summary() == "crashed: signal 11 (SIGSEGV)"


async def test_the_pool_still_works_after_every_limit(run: Runner) -> None:
    result = await run("print(6 * 7)\n")
    assert (result.outcome, result.stdout) == (Outcome.OK, "42\n")
