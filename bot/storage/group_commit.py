"""Group commit: single-row writes that arrive together share one transaction.

A burst of answer clicks in a live quiz would otherwise pay one BEGIN/COMMIT each. Each caller still awaits its
own row being committed, so an answer is acknowledged only after it is stored; they just wait together. Works on
either engine: it only needs a way to open a transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.storage.engine import Executor, Params

Statement = tuple[str, "Params", "asyncio.Future[int]"]


class GroupCommit:
    def __init__(self, transaction: Callable[[], AbstractAsyncContextManager[Executor]]) -> None:
        self._transaction = transaction
        self._queue: list[Statement] = []
        self._flusher: asyncio.Task[None] | None = None

    async def execute(self, sql: str, params: Params) -> int:
        """Run one statement in the next shared transaction; returns its rowcount once committed."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queue.append((sql, params, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="storage-group-commit")
        return await future

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            counts: list[int] = []
            try:
                async with self._transaction() as tx:
                    for sql, params, _ in batch:
                        counts.append(await tx.execute(sql, params))
            except Exception:
                # One bad row must not fail its neighbours: retry each on its own.
                await self._one_by_one(batch)
                continue
            for (_, _, future), count in zip(batch, counts, strict=True):
                if not future.done():
                    future.set_result(count)

    async def _one_by_one(self, batch: list[Statement]) -> None:
        for sql, params, future in batch:
            try:
                async with self._transaction() as tx:
                    count = await tx.execute(sql, params)
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(count)

    async def drain(self) -> None:
        """Wait for everything queued so far to be committed (used before closing the database)."""
        while self._flusher is not None and not self._flusher.done():
            await asyncio.shield(self._flusher)
