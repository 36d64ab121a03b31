"""Rebuilding plays from what was stored, by replaying it through the engine at the original times.

Pure: storage reads the rows, these functions rebuild the state, and the Discord layer decides what to do with
it (resume a problem whose deadline is still ahead, or close it with its results saved). Replaying, rather than
restoring numbers, means the points are exactly what members were told when they clicked.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from bot.engine.challenge import ChallengeRun
from bot.engine.errors import QuizError
from bot.engine.live import LiveSession


@dataclass(frozen=True)
class StoredRound:
    round_id: str
    opened_at: float
    deadline: float
    closed_at: float | None


def replay_run(
    run: ChallengeRun,
    rounds: Sequence[StoredRound],
    attempts: Sequence[tuple[str, str, bool, float]],
    hints: Sequence[tuple[str, float]],
) -> None:
    """Replay a private run's rounds, attempts (round, choice or code key, correct, time) and hints.

    A round the storage saw closed is closed again; the last round stays open if nothing closed it, whatever the
    clock says now (the caller decides whether its deadline is still ahead).
    """
    for stored in rounds:
        current = run.open_next(stored.opened_at)
        if current is None or current.round_id != stored.round_id:
            raise ValueError(f"stored round {stored.round_id} does not match the run's questions")
        current.deadline = stored.deadline
        events: list[tuple[float, bool, str, bool]] = [
            (at, True, "", False) for rid, at in hints if rid == stored.round_id
        ]
        events += [(at, False, choice, correct) for rid, choice, correct, at in attempts if rid == stored.round_id]
        for at, is_hint, choice, correct in sorted(events, key=lambda event: (event[0], not event[1])):
            with contextlib.suppress(QuizError):
                if is_hint:
                    run.take_hint(stored.round_id, at)
                else:
                    run.replay_attempt(stored.round_id, choice, correct=correct, now=at)
        if stored.closed_at is not None:
            run.close_current(stored.closed_at)


def replay_live(
    session: LiveSession,
    *,
    participants: Sequence[tuple[int, float]],
    rounds: Sequence[StoredRound],
    attempts: Sequence[tuple[str, int, str, float]],
    hints: Sequence[tuple[str, int, float]],
    now: float,
) -> LiveSession:
    """A live session exactly as it stood, with its open question (if any) closed at ``now``."""
    for member_id, joined_at in participants:
        session.join(member_id, joined_at)
    for stored in rounds:
        session.open_next(stored.opened_at, time_limit=stored.deadline - stored.opened_at)
        events: list[tuple[float, int, str | None]] = [
            (at, member, choice) for round_id, member, choice, at in attempts if round_id == stored.round_id
        ]
        events += [(at, member, None) for round_id, member, at in hints if round_id == stored.round_id]
        for at, member, choice in sorted(events, key=lambda e: (e[0], e[2] is not None)):
            with contextlib.suppress(QuizError):
                if choice is None:
                    session.take_hint(stored.round_id, member, at)
                else:
                    session.answer(stored.round_id, member, choice, at)
        closed_at = stored.closed_at if stored.closed_at is not None else min(now, stored.deadline)
        session.close_current(closed_at)
    return session
