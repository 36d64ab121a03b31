"""Who may run now: the queue bound, runs per member and the cooldown.

Pure bookkeeping with an injectable clock, kept apart from the pool's processes so it is tested without any.
Refusals are `Result`s with a `retry_after` estimate, so a member is told "try again in N s" rather than being
queued without limit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.sandbox.limits import SandboxLimits
from bot.sandbox.result import Outcome, Result, refusal

SMOOTHING = 0.3
"""Weight of the newest run in the moving average of run durations used for estimates."""
PRUNE_AT = 1024

# What a member is told; the queue's shared admission (`bot/sandbox/queue/admission.py`) says the same.
ALREADY_RUNNING = "you already have a run in progress"
COOLING_DOWN = "you ran code a moment ago"
QUEUE_FULL = "the sandbox queue is full"


@dataclass(frozen=True)
class Ticket:
    member_id: int | None
    admitted_at: float


class Admission:
    def __init__(self, limits: SandboxLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = limits
        self._clock = clock
        self._active: list[Ticket] = []
        self._cooldown_until: dict[int, float] = {}
        self._typical_duration = min(1.0, limits.wall_seconds)

    @property
    def active(self) -> int:
        """Runs admitted and not finished: running on a worker or waiting for one."""
        return len(self._active)

    @property
    def capacity(self) -> int:
        return self._limits.workers + self._limits.queue_size

    def refuse(self, member_id: int | None) -> Result | None:
        """The refusal for a new run by `member_id` right now, or None if it may be admitted."""
        now = self._clock()
        if member_id is not None:
            mine = [ticket for ticket in self._active if ticket.member_id == member_id]
            if len(mine) >= self._limits.per_member:
                left = self._limits.wall_seconds - (now - mine[0].admitted_at)
                return refusal(
                    Outcome.BUSY,
                    ALREADY_RUNNING,
                    retry_after=round_up(max(left, 0.0) + self._limits.cooldown_seconds),
                )
            until = self._cooldown_until.get(member_id, 0.0)
            if until > now:
                return refusal(Outcome.COOLDOWN, COOLING_DOWN, retry_after=round_up(until - now))
        if self.active >= self.capacity:
            return refusal(Outcome.BUSY, QUEUE_FULL, retry_after=self.queue_wait())
        return None

    def queue_wait(self) -> float:
        """Rough time until a run admitted now would start: the rounds of runs ahead times a typical run."""
        ahead = max(self.active - self._limits.workers + 1, 1)
        rounds = math.ceil(ahead / self._limits.workers)
        return round_up(rounds * self._typical_duration)

    def admit(self, member_id: int | None) -> Ticket:
        ticket = Ticket(member_id, self._clock())
        self._active.append(ticket)
        return ticket

    def finish(self, ticket: Ticket, duration: float | None = None) -> None:
        """The run is over; `duration` is None when it never started, which costs the member no cooldown."""
        self._active.remove(ticket)
        if duration is None:
            return
        now = self._clock()
        self._typical_duration += SMOOTHING * (duration - self._typical_duration)
        if ticket.member_id is not None and self._limits.cooldown_seconds > 0:
            self._cooldown_until[ticket.member_id] = now + self._limits.cooldown_seconds
        if len(self._cooldown_until) > PRUNE_AT:
            self._cooldown_until = {m: t for m, t in self._cooldown_until.items() if t > now}


def round_up(seconds: float) -> float:
    """Seconds for a retry estimate: a tenth of a second up, and never under one second."""
    return max(1.0, math.ceil(seconds * 10) / 10)
