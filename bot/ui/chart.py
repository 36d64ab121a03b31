"""The progress chart of `/profile`: points per day over the last 30 days, and topic mastery as bars.

Drawn with matplotlib's object API (`Figure` on the Agg canvas, saved to a buffer), never `pyplot`, which keeps
global state and is not safe to use from a bot. Colours follow Discord's dark theme, and the sizes are chosen to
stay readable when a phone shrinks the image to the width of a message. This module is imported only in the
chart worker process (`bot/charts.py`), so the bot itself never loads matplotlib.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

BACKGROUND = "#313338"  # Discord's dark message background
PANEL = "#2b2d31"
TEXT = "#dbdee1"
MUTED = "#949ba4"
BLURPLE = "#5865f2"
GREEN = "#57f287"
YELLOW = "#fee75c"
RED = "#ed4245"
TOPICS_SHOWN = 8


@dataclass(frozen=True)
class ChartData:
    """Everything a chart shows, as plain values (it crosses into the chart process)."""

    title: str
    days: Sequence[tuple[str, int]]
    """(YYYY-MM-DD, points) for each of the last days, oldest first, zero days included."""
    topics: Sequence[tuple[str, float, str]]
    """(tag, score 0..1, "memory" or "accuracy"), strongest first."""


def render(data: ChartData) -> bytes:
    """The chart as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 7.2), dpi=110, facecolor=BACKGROUND, layout="constrained")
    FigureCanvasAgg(figure)
    points_axes, topics_axes = figure.subplots(2, 1, height_ratios=(1, 1.15))
    figure.suptitle(data.title, color=TEXT, fontsize=17, fontweight="bold")
    _points(points_axes, data.days)
    _topics(topics_axes, data.topics)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor=BACKGROUND)
    return buffer.getvalue()


def _style(axes: object, title: str) -> None:
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    axes.set_facecolor(PANEL)
    axes.set_title(title, color=TEXT, fontsize=14, loc="left")
    axes.tick_params(colors=MUTED, labelsize=11)
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.grid(axis="y" if title.startswith("Points") else "x", color="#3f4147", linewidth=0.8)
    axes.set_axisbelow(True)


def _points(axes: object, days: Sequence[tuple[str, int]]) -> None:
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    _style(axes, "Points per day, last 30 days")
    values = [points for _, points in days]
    positions = list(range(len(values)))
    axes.bar(positions, values, color=BLURPLE, width=0.8)
    step = max(len(days) // 5, 1)
    ticks = positions[::step]
    axes.set_xticks(ticks, [days[i][0][5:] for i in ticks])
    if not any(values):
        axes.text(0.5, 0.5, "no points yet", transform=axes.transAxes, ha="center", color=MUTED, fontsize=13)
        axes.set_yticks([])


def _topics(axes: object, topics: Sequence[tuple[str, float, str]]) -> None:
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    _style(axes, "Topics: recall in a week, or accuracy")
    shown = list(topics[:TOPICS_SHOWN])[::-1]  # strongest at the top
    if not shown:
        axes.text(0.5, 0.5, "answer a few questions to see your topics", transform=axes.transAxes,
                  ha="center", color=MUTED, fontsize=13)  # fmt: skip
        axes.set_xticks([])
        axes.set_yticks([])
        return
    scores = [score * 100 for _, score, _ in shown]
    colours = [GREEN if score >= 75 else YELLOW if score >= 50 else RED for score in scores]
    axes.barh(range(len(shown)), scores, color=colours, height=0.65)
    axes.set_yticks(range(len(shown)), [f"{tag}{'*' if source == 'accuracy' else ''}" for tag, _, source in shown])
    axes.set_xlim(0, 100)
    axes.xaxis.set_major_formatter(lambda value, _: f"{value:.0f}%")
    for row, score in enumerate(scores):
        inside = score > 85  # a label past the bar's end would leave the axes: write it on the bar instead
        axes.text(score - 1.5 if inside else score + 1.5, row, f"{score:.0f}%", va="center",
                  ha="right" if inside else "left", color=BACKGROUND if inside else TEXT, fontsize=11)  # fmt: skip
    if any(source == "accuracy" for _, _, source in shown):
        axes.set_xlabel("* accuracy so far (no review card yet)", color=MUTED, fontsize=10)
