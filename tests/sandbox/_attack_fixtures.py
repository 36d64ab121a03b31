"""Fixtures for the attack suite: the targets (secret, database, listeners, token) and one pool per mode.

Kept out of ``conftest.py`` (the pool engineer's file) and imported by ``test_attacks.py`` explicitly. One pool
per module and mode keeps the suite fast: a worker's warm-up costs about two seconds, a run tens of ms.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from bot.sandbox import SandboxLimits, SandboxPool
from tests.sandbox.attacks.cases import Targets, open_targets

MODES = [True, False]
MODE_IDS = ["namespaces", "no-namespaces"]


@dataclass(frozen=True)
class PoolUnderAttack:
    pool: SandboxPool
    namespaces_requested: bool

    @property
    def namespaces_active(self) -> bool:
        return any(layer.name == "namespaces" and layer.available for layer in self.pool.layers)


def attack_limits(use_namespaces: bool) -> SandboxLimits:
    """The production defaults, one worker, and no cooldown (every case comes from the same caller)."""
    return SandboxLimits(workers=1, wall_seconds=5.0, use_namespaces=use_namespaces, cooldown_seconds=0.0)


@pytest.fixture(scope="module")
def attack_targets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Targets]:
    """Created before any pool, so the token is in the bot's environment when workers start, as in production."""
    with open_targets(tmp_path_factory.mktemp("attack-targets")) as targets:
        yield targets


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=MODES, ids=MODE_IDS)
async def attack_pool(request: pytest.FixtureRequest, attack_targets: Targets) -> AsyncIterator[PoolUnderAttack]:
    async with SandboxPool(attack_limits(request.param)) as pool:
        if not pool.available:
            pytest.fail(f"the sandbox pool is unavailable: {pool.unavailable_reason}")
        yield PoolUnderAttack(pool, request.param)
