"""Every point TorchQuiz awards is computed here, so `/help`, the README and the code agree.

Rules, in the order they apply:
1. base points by difficulty (beginner 50, intermediate 100, advanced 150, expert 200);
2. a correct answer on a later attempt earns half of the base;
3. each hint taken costs a quarter of the base (never below zero);
4. live sessions only: speed — from 100 % at the opening of the question down to 50 % at its deadline;
5. a streak bonus of 10 % per consecutive correct answer before this one, capped at 50 %;
6. a wrong final answer or no answer earns 0, never negative.
"""

from __future__ import annotations

from dataclasses import dataclass

BASE_POINTS: dict[str, int] = {"beginner": 50, "intermediate": 100, "advanced": 150, "expert": 200}
LATER_ATTEMPT_FACTOR = 0.5
HINT_COST = 0.25
SPEED_FLOOR = 0.5
STREAK_STEP = 0.10
STREAK_CAP = 0.50


@dataclass(frozen=True)
class Score:
    points: int
    base: int
    hint_penalty: int
    speed_factor: float
    streak_bonus: float


def base_points(difficulty: str) -> int:
    return BASE_POINTS[difficulty]


def speed_factor(opened_at: float, deadline: float, answered_at: float) -> float:
    """Kahoot's rule: linear from 1.0 at opening to 0.5 at the deadline, clamped to that range."""
    span = deadline - opened_at
    if span <= 0:
        return 1.0
    elapsed = min(max(answered_at - opened_at, 0.0), span)
    return 1.0 - (1.0 - SPEED_FLOOR) * (elapsed / span)


def streak_bonus(streak_before: int) -> float:
    """Bonus fraction for a correct answer that follows `streak_before` consecutive correct answers."""
    return min(STREAK_STEP * max(streak_before, 0), STREAK_CAP)


def score_correct(
    difficulty: str,
    *,
    attempt: int,
    hints: int,
    streak_before: int = 0,
    speed: float | None = None,
) -> Score:
    """Points for a correct answer on `attempt` (1-based) after `hints` hints."""
    base = base_points(difficulty)
    earned = base * (1.0 if attempt <= 1 else LATER_ATTEMPT_FACTOR)
    penalty = base * HINT_COST * max(hints, 0)
    earned = max(earned - penalty, 0.0)
    factor = 1.0 if speed is None else speed
    bonus = streak_bonus(streak_before)
    points = int(earned * factor * (1.0 + bonus) + 0.5)
    return Score(points=points, base=base, hint_penalty=int(penalty), speed_factor=factor, streak_bonus=bonus)


RULES_TEXT = (
    "**Base points:** beginner 50 · intermediate 100 · advanced 150 · expert 200\n"
    "**Second attempt:** a correct later attempt earns half\n"
    "**Hints:** each hint costs a quarter of the base\n"
    "**Speed (live quizzes):** from 100% when a question opens down to 50% at its deadline\n"
    "**Streak:** +10% for each correct answer in a row before this one, up to +50%\n"
    "**Wrong or no answer:** 0 points, never negative"
)
