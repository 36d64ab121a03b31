"""`Sandbox`: everything the bot, the grader and the CLI ask of whatever runs members' code.

Two transports satisfy it: `SandboxPool` (warm workers in this process's care, `pool.py`) and `QueueSandbox`
(jobs handed to worker hosts through Redis, `bot/sandbox/queue/`). Callers are typed against this protocol, so
which one runs the code is decided once, at start-up (`TORCHQUIZ_SANDBOX_QUEUE`).

The contract both keep: `run` never raises (except `CancelledError`); a refusal, a dead worker or host, a lost
connection, isolation missing: every failure is a `Result`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Protocol

from bot.sandbox.isolation import LayerStatus
from bot.sandbox.limits import SandboxLimits
from bot.sandbox.result import Result


class Sandbox(Protocol):
    """Runs code for members and answers with a `Result`; `start` before the first run, `aclose` at the end."""

    @property
    def limits(self) -> SandboxLimits:
        """The budgets a run gets when the caller does not give its own, and the admission rules."""
        ...

    @property
    def available(self) -> bool: ...

    @property
    def unavailable_reason(self) -> str | None:
        """Why `run` would answer UNAVAILABLE now, in one line; None when code can run."""
        ...

    @property
    def layers(self) -> tuple[LayerStatus, ...]:
        """The isolation layers as the workers found them (for `doctor`); empty when nobody has reported yet."""
        ...

    @property
    def identity(self) -> str:
        """Which user the workers run as, in one line; empty when unknown."""
        ...

    async def start(self) -> None:
        """Get ready to run; never raises (a failure shows in `unavailable_reason`)."""
        ...

    async def run(
        self,
        code: str,
        *,
        check: str | None = None,
        seed: int = 0,
        member_id: int | None = None,
        wall_seconds: float | None = None,
        memory_mb: int | None = None,
    ) -> Result:
        """Run `code` (then `check` with `seed`, if given) for `member_id`; every outcome is a Result."""
        ...

    async def aclose(self) -> None: ...


if TYPE_CHECKING:
    from bot.sandbox.pool import SandboxPool
    from bot.sandbox.queue.client import QueueSandbox

    def _transports(pool: SandboxPool, queue: QueueSandbox) -> tuple[Sandbox, ...]:
        """mypy proves here that every transport is a `Sandbox`."""
        return (pool, queue)


@asynccontextmanager
async def open_sandbox(limits: SandboxLimits, queue: str = "") -> AsyncIterator[Sandbox]:
    """The configured transport, started, and closed when the block ends: local workers with `limits`, or the
    worker hosts behind the Redis URL `queue` (what the command line uses, so an operator tries a deployment)."""
    sandbox: Sandbox
    if queue:
        from bot.sandbox.queue.client import QueueSandbox

        sandbox = QueueSandbox(queue, limits)
    else:
        from bot.sandbox.pool import SandboxPool

        sandbox = SandboxPool(limits)
    await sandbox.start()
    try:
        yield sandbox
    finally:
        await sandbox.aclose()
