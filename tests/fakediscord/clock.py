"""Clocks for the fake's deadlines.

Discord refuses an interaction callback sent later than 3 s after the interaction and any use of the
interaction token after 15 min. Tests must be able to cross those lines without sleeping for real, so the
fake reads time only through a ``Clock`` (any zero-argument callable returning seconds) that tests can
replace with a :class:`ManualClock`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]
"""A source of monotonic seconds. ``time.monotonic`` is the default."""


def system_clock() -> float:
    """The default clock: real monotonic time."""
    return time.monotonic()


class ManualClock:
    """A clock that only moves when a test calls :meth:`advance`.

    Combine it with real time: the value is ``time.monotonic()`` plus the total advanced so far, so the
    fake still sees time pass during a test while the test can jump over a deadline instantly.
    """

    def __init__(self) -> None:
        self._offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        """Jump forward by ``seconds`` (e.g. ``clock.advance(3.2)`` to miss the 3 s response deadline)."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._offset += seconds
