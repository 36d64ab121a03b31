"""The profile chart: a real PNG, drawn in a worker process while the event loop keeps answering."""

from __future__ import annotations

import asyncio
import time

from bot.charts import ChartRenderer
from bot.ui.chart import ChartData, render

DATA = ChartData(
    "alice · PyTorch study group",
    [(f"2026-11-{day:02d}", (day * 37) % 200) for day in range(1, 31)],
    [("autograd", 0.91, "memory"), ("broadcasting", 0.62, "memory"), ("losses", 0.31, "accuracy")],
)
PNG = b"\x89PNG\r\n\x1a\n"


def test_the_chart_is_a_png_even_with_nothing_to_show() -> None:
    assert render(DATA).startswith(PNG)
    assert render(ChartData("bob", [("2026-11-01", 0)], [])).startswith(PNG)


async def test_the_event_loop_keeps_answering_while_a_chart_renders() -> None:
    renderer = ChartRenderer()
    gaps: list[float] = []
    done = asyncio.Event()

    async def heartbeat() -> None:
        last = time.monotonic()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    beating = asyncio.create_task(heartbeat())
    try:
        first = await renderer.render(DATA)  # includes starting the worker and importing matplotlib
        second = await renderer.render(DATA)
    finally:
        done.set()
        await beating
        await renderer.aclose()
    assert first is not None and first.startswith(PNG) and second == first
    assert len(gaps) > 20, "the heartbeat hardly ran: the renders did not take long enough to prove anything"
    assert max(gaps) < 0.25, f"the event loop stalled for {max(gaps):.2f} s while a chart rendered"
