"""Rendering charts off the event loop, in one worker process, with a bound and a fallback.

matplotlib holds the GIL while it draws, so a thread would still stall the bot's event loop; a separate process
does not. The pool has one worker (charts are rare, and one process keeps matplotlib warm), is started with
"spawn" so it inherits no memory of the bot, and at most `MAX_WAITING` renders may wait for it: past that, or if
rendering fails or takes longer than `TIMEOUT`, the caller gets None and shows its text embed instead.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from bot.ui.chart import ChartData, render

log = logging.getLogger(__name__)

TIMEOUT = 10.0
MAX_WAITING = 4


class ChartRenderer:
    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._slots = asyncio.Semaphore(MAX_WAITING)

    async def render(self, data: ChartData) -> bytes | None:
        """The chart as PNG bytes, or None when it cannot be drawn now (the caller falls back to text)."""
        if self._slots.locked():
            log.warning("chart skipped: %d renders are already waiting", MAX_WAITING)
            return None
        async with self._slots:
            loop = asyncio.get_running_loop()
            try:
                async with asyncio.timeout(TIMEOUT):
                    return await loop.run_in_executor(self._executor(), render, data)
            except Exception:  # a broken font cache, a dead worker, a timeout: the text embed still works
                log.exception("could not render a chart")
                self._reset()
                return None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def _reset(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, True, cancel_futures=True)
