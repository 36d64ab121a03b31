from __future__ import annotations

import pytest

from bot.engine import ChallengeRun, QuestionClosed
from bot.packs import Pack


def play(run: ChallengeRun, answers: list[str | None], start: float = 0.0) -> None:
    """Answer each problem with a letter, or let it time out with None."""
    now = start
    for answer in answers:
        current = run.open_next(now)
        assert current is not None
        if answer is None:
            now = current.deadline
            assert run.expire(now) is not None
        else:
            now += 1.0
            run.answer(current.round_id, answer, now)
    assert run.open_next(now) is None


def test_all_correct_earns_the_badge_and_streak_bonus(autograd_pack: Pack) -> None:
    run = ChallengeRun("abc", autograd_pack, 7)
    play(run, ["A", "B", "A", "C", "D"])
    summary = run.summary()
    assert summary.correct == 5 and summary.total == 5
    assert summary.badge is not None and summary.badge.name == "Automatic Differentiation Master"
    # 100 + 100·1.1 + 150·1.2 + 150·1.3 + 200·1.4
    assert summary.points == 100 + 110 + 180 + 195 + 280
    assert summary.best_streak == 5


def test_one_miss_means_no_badge(autograd_pack: Pack) -> None:
    run = ChallengeRun("abc", autograd_pack, 7)
    play(run, ["A", "B", "A", None, "D"])
    summary = run.summary()
    assert summary.correct == 4 and summary.badge is None
    assert run.results[3].timed_out and run.results[3].points == 0
    assert run.results[4].points == 200  # the streak restarted after the miss


def test_expire_before_the_deadline_does_nothing(autograd_pack: Pack) -> None:
    run = ChallengeRun("abc", autograd_pack, 7)
    current = run.open_next(0.0)
    assert current is not None
    assert run.expire(current.deadline - 0.5) is None
    assert run.expire(current.deadline) is not None


def test_clicks_on_an_earlier_problem_are_closed(autograd_pack: Pack) -> None:
    run = ChallengeRun("abc", autograd_pack, 7)
    first = run.open_next(0.0)
    assert first is not None
    run.answer(first.round_id, "A", 1.0)
    run.open_next(1.0)
    with pytest.raises(QuestionClosed):
        run.answer(first.round_id, "B", 2.0)


def test_abandon_closes_the_open_problem(autograd_pack: Pack) -> None:
    run = ChallengeRun("abc", autograd_pack, 7)
    run.open_next(0.0)
    run.abandon(5.0)
    assert run.finished
    assert run.results[0].correct is False
    assert run.summary().badge is None
