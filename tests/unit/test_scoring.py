from __future__ import annotations

import pytest

from bot.engine.scoring import score_correct, speed_factor, streak_bonus


@pytest.mark.parametrize(
    ("difficulty", "points"), [("beginner", 50), ("intermediate", 100), ("advanced", 150), ("expert", 200)]
)
def test_first_attempt_earns_the_base_points(difficulty: str, points: int) -> None:
    assert score_correct(difficulty, attempt=1, hints=0).points == points


def test_second_attempt_earns_half() -> None:
    assert score_correct("intermediate", attempt=2, hints=0).points == 50


def test_a_hint_costs_a_quarter_of_the_base() -> None:
    assert score_correct("expert", attempt=1, hints=1).points == 150


def test_hint_and_second_attempt_never_go_negative() -> None:
    assert score_correct("beginner", attempt=2, hints=1).points == 13  # 25 - 12.5, rounded half up
    assert score_correct("beginner", attempt=2, hints=3).points == 0


def test_speed_falls_from_full_to_half_at_the_deadline() -> None:
    assert speed_factor(100.0, 120.0, 100.0) == 1.0
    assert speed_factor(100.0, 120.0, 110.0) == pytest.approx(0.75)
    assert speed_factor(100.0, 120.0, 120.0) == 0.5
    assert speed_factor(100.0, 120.0, 500.0) == 0.5  # a late click never drops below half
    assert score_correct("intermediate", attempt=1, hints=0, speed=0.5).points == 50


def test_streak_bonus_is_ten_percent_a_step_capped_at_fifty() -> None:
    assert streak_bonus(0) == 0.0
    assert streak_bonus(3) == pytest.approx(0.3)
    assert streak_bonus(9) == 0.5
    assert score_correct("intermediate", attempt=1, hints=0, streak_before=2).points == 120
