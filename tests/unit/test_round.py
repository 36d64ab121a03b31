from __future__ import annotations

import pytest

from bot.engine import (
    AlreadyAnswered,
    AlreadyTried,
    InvalidChoice,
    NoAttemptsLeft,
    QuestionClosed,
    QuestionRound,
    SameCodeAgain,
)
from bot.packs import Pack


def make_round(pack: Pack, index: int = 1, *, attempts: int = 2, speed: bool = False) -> QuestionRound:
    return QuestionRound(
        "r1-0", pack.questions[index], opened_at=1000.0, time_limit=120, attempts=attempts, speed_scoring=speed
    )


def test_right_first_time_earns_full_points(autograd_pack: Pack) -> None:
    rnd = make_round(autograd_pack)
    outcome = rnd.answer(7, "B", 1010.0)
    assert outcome.correct and outcome.finished
    assert outcome.points == 100


def test_wrong_then_right_earns_half(autograd_pack: Pack) -> None:
    rnd = make_round(autograd_pack)
    first = rnd.answer(7, "A", 1001.0)
    assert not first.correct and not first.finished and first.attempts_left == 1
    second = rnd.answer(7, "B", 1002.0)
    assert second.correct and second.points == 50


def test_third_attempt_is_refused(autograd_pack: Pack) -> None:
    rnd = make_round(autograd_pack)
    rnd.answer(7, "A", 1001.0)
    last = rnd.answer(7, "C", 1002.0)
    assert last.finished and not last.correct and last.points == 0
    with pytest.raises(NoAttemptsLeft):
        rnd.answer(7, "B", 1003.0)


def test_click_after_the_deadline_is_closed(autograd_pack: Pack) -> None:
    rnd = make_round(autograd_pack)
    with pytest.raises(QuestionClosed):
        rnd.answer(7, "B", 1120.0)


def test_click_after_close_is_closed(autograd_pack: Pack) -> None:
    rnd = make_round(autograd_pack)
    rnd.close(1005.0)
    with pytest.raises(QuestionClosed):
        rnd.answer(7, "B", 1006.0)
    with pytest.raises(QuestionClosed):
        rnd.take_hint(7, 1006.0)


def test_repeating_a_wrong_choice_is_not_a_second_attempt(autograd_pack: Pack) -> None:
    rnd = make_round(autograd_pack)
    rnd.answer(7, "A", 1001.0)
    with pytest.raises(AlreadyTried):
        rnd.answer(7, "A", 1001.1)
    assert rnd.progress(7).tried == ["A"]
    assert rnd.answer(7, "B", 1002.0).points == 50


def test_answering_again_after_a_correct_answer(autograd_pack: Pack) -> None:
    rnd = make_round(autograd_pack)
    rnd.answer(7, "B", 1001.0)
    with pytest.raises(AlreadyAnswered):
        rnd.answer(7, "B", 1001.1)


def test_unknown_letter_is_rejected(autograd_pack: Pack) -> None:
    rnd = make_round(autograd_pack)
    with pytest.raises(InvalidChoice):
        rnd.answer(7, "E", 1001.0)


def test_hint_costs_a_quarter_once(autograd_pack: Pack) -> None:
    rnd = make_round(autograd_pack)
    first = rnd.take_hint(7, 1001.0)
    again = rnd.take_hint(7, 1002.0)
    assert first.charged and not again.charged
    assert first.text == autograd_pack.questions[1].hint
    assert rnd.answer(7, "B", 1003.0).points == 75


def test_hint_after_answering_is_free(autograd_pack: Pack) -> None:
    rnd = make_round(autograd_pack)
    rnd.answer(7, "B", 1001.0)
    hint = rnd.take_hint(7, 1002.0)
    assert not hint.charged
    assert rnd.progress(7).points == 100


def test_speed_scoring_in_live_rounds(autograd_pack: Pack) -> None:
    rnd = make_round(autograd_pack, speed=True)
    assert rnd.answer(1, "B", 1000.0).points == 100
    assert rnd.answer(2, "B", 1060.0).points == 75
    assert rnd.answer(3, "B", 1119.9).points == 50


def test_members_are_independent_and_counted(autograd_pack: Pack) -> None:
    rnd = make_round(autograd_pack)
    rnd.answer(1, "A", 1001.0)
    rnd.answer(2, "B", 1001.0)
    rnd.answer(3, "A", 1001.0)
    assert rnd.choice_counts() == {"A": 2, "B": 1, "C": 0, "D": 0}
    assert rnd.everyone_finished({2}) and not rnd.everyone_finished({1, 2})


def test_code_submissions_count_attempts_and_repeat_once(autograd_pack: Pack) -> None:
    rnd = make_round(autograd_pack)
    first = rnd.submit_code(7, "print(1)", passed=False, now=1001.0)
    assert not first.finished and first.attempts_left == 1
    with pytest.raises(SameCodeAgain):
        rnd.check_can_submit(7, 1002.0, "print(1)\n")
    second = rnd.submit_code(7, "print(2)", passed=True, now=1003.0)
    assert second.correct and second.points == 50
    with pytest.raises(AlreadyAnswered):
        rnd.check_can_submit(7, 1004.0)
