"""Shared sandbox fixtures: one real, warm pool per test module, with every isolation layer on.

Use it from a module with ``pytestmark = pytest.mark.asyncio(loop_scope="module")``: the pool's pipes belong to
the module's event loop. Every run goes through `run`, which bounds it with `asyncio.wait_for` so a broken pool
fails a test instead of hanging the suite.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio

from bot.sandbox import Result, SandboxLimits, SandboxPool

RUN_TIMEOUT = 30.0
TEST_LIMITS = SandboxLimits(cooldown_seconds=0.0, queue_size=16)

Runner = Callable[..., Awaitable[Result]]


async def bounded(pool: SandboxPool, code: str, **options: Any) -> Result:
    return await asyncio.wait_for(pool.run(code, **options), RUN_TIMEOUT)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def pool() -> AsyncIterator[SandboxPool]:
    async with SandboxPool(TEST_LIMITS) as started:
        if not started.available:
            pytest.fail(f"the sandbox is unavailable on this host: {started.unavailable_reason}")
        yield started


@pytest.fixture(scope="module")
def run(pool: SandboxPool) -> Runner:
    """`await run(code, **options)`: `pool.run` bounded by RUN_TIMEOUT."""

    async def run_bounded(code: str, **options: Any) -> Result:
        return await bounded(pool, code, **options)

    return run_bounded
