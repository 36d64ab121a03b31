"""Ratings from how an answer went, and FSRS scheduling through the real `fsrs` package."""

from __future__ import annotations

import fsrs
import pytest

from bot.domain.plays import PlayMode
from bot.engine.review import (
    RATING_RULES_TEXT,
    CardState,
    ReviewScheduler,
    format_parameters,
    parse_parameters,
    rating_for,
)

DAY = 86_400.0
T0 = 1_750_000_000.0  # a fixed moment, so no test depends on the clock


def rate(
    *,
    correct: bool = True,
    attempts: int = 1,
    hints: int = 0,
    timed_out: bool = False,
    seconds: float | None = 50.0,
    time_limit: float | None = 120.0,
) -> fsrs.Rating:
    return rating_for(
        correct=correct, attempts=attempts, hints=hints, timed_out=timed_out, seconds=seconds, time_limit=time_limit
    )


# -- the rating rule -----------------------------------------------------------------------------------------


def test_a_wrong_answer_is_again() -> None:
    assert rate(correct=False) is fsrs.Rating.Again
    assert rate(correct=False, attempts=2, hints=1, seconds=1.0) is fsrs.Rating.Again


def test_running_out_of_time_is_again_even_with_a_right_answer_recorded() -> None:
    assert rate(correct=True, timed_out=True, seconds=1.0) is fsrs.Rating.Again


def test_right_after_a_hint_or_on_a_later_attempt_is_hard() -> None:
    assert rate(hints=1, seconds=1.0) is fsrs.Rating.Hard
    assert rate(attempts=2, seconds=1.0) is fsrs.Rating.Hard
    assert rate(attempts=3, hints=2, seconds=200.0, time_limit=None) is fsrs.Rating.Hard


def test_right_first_time_without_a_hint_is_good() -> None:
    assert rate(seconds=31.0, time_limit=120.0) is fsrs.Rating.Good
    assert rate(seconds=None) is fsrs.Rating.Good  # no measured time: never Easy


def test_fast_means_a_quarter_of_the_time_limit() -> None:
    assert rate(seconds=30.0, time_limit=120.0) is fsrs.Rating.Easy
    assert rate(seconds=30.01, time_limit=120.0) is fsrs.Rating.Good
    assert rate(seconds=4.0, time_limit=16.0) is fsrs.Rating.Easy


def test_fast_means_twenty_seconds_when_untimed() -> None:
    assert rate(seconds=20.0, time_limit=None) is fsrs.Rating.Easy
    assert rate(seconds=20.5, time_limit=None) is fsrs.Rating.Good


def test_the_rule_members_read_names_every_rating() -> None:
    for name in ("Again", "Hard", "Good", "Easy", "quarter of the time limit", "20 seconds"):
        assert name in RATING_RULES_TEXT
    assert rating_for.__doc__ is not None and "quarter of the time limit" in rating_for.__doc__


# -- scheduling ----------------------------------------------------------------------------------------------


@pytest.fixture
def scheduler() -> ReviewScheduler:
    return ReviewScheduler(enable_fuzzing=False)


def test_a_new_card_is_created_with_its_log_entry(scheduler: ReviewScheduler) -> None:
    card, entry = scheduler.review(
        None, user_id=7, pack_id="p", question_id="q", rating=fsrs.Rating.Good, at=T0, mode=PlayMode.PRACTICE
    )
    assert (card.user_id, card.pack_id, card.question_id) == (7, "p", "q")
    assert card.due > T0 and card.last_review == pytest.approx(T0)
    assert (card.reps, card.lapses) == (1, 0)
    assert (entry.user_id, entry.rating, entry.reviewed_at, entry.mode) == (7, fsrs.Rating.Good, T0, "practice")


def test_again_comes_back_sooner_than_good(scheduler: ReviewScheduler) -> None:
    again, _ = scheduler.review(None, user_id=1, pack_id="p", question_id="q", rating=fsrs.Rating.Again, at=T0)
    good, _ = scheduler.review(None, user_id=1, pack_id="p", question_id="q", rating=fsrs.Rating.Good, at=T0)
    easy, _ = scheduler.review(None, user_id=1, pack_id="p", question_id="q", rating=fsrs.Rating.Easy, at=T0)
    assert again.due < good.due < easy.due
    assert again.due - T0 <= 10 * 60  # a missed question is seen again within minutes


def test_intervals_grow_while_answers_stay_good(scheduler: ReviewScheduler) -> None:
    card: CardState | None = None
    at = T0
    intervals: list[float] = []
    for _ in range(6):
        card, _ = scheduler.review(card, user_id=1, pack_id="p", question_id="q", rating=fsrs.Rating.Good, at=at)
        intervals.append(card.due - at)
        at = card.due  # answered exactly when due
    assert intervals == sorted(intervals) and len(set(intervals)) == len(intervals)
    assert intervals[-1] > 30 * DAY
    assert card is not None and card.state == fsrs.State.Review and card.reps == 6


def test_forgetting_a_learnt_card_is_a_lapse_and_brings_it_back_soon(scheduler: ReviewScheduler) -> None:
    card: CardState | None = None
    at = T0
    for _ in range(4):
        card, _ = scheduler.review(card, user_id=1, pack_id="p", question_id="q", rating=fsrs.Rating.Good, at=at)
        at = card.due
    assert card is not None and card.state == fsrs.State.Review
    forgotten, _ = scheduler.review(card, user_id=1, pack_id="p", question_id="q", rating=fsrs.Rating.Again, at=at)
    assert forgotten.state == fsrs.State.Relearning
    assert forgotten.lapses == 1
    assert forgotten.due - at < DAY < card.due - (card.last_review or 0)


def test_retrievability_fades_with_time(scheduler: ReviewScheduler) -> None:
    card, _ = scheduler.review(None, user_id=1, pack_id="p", question_id="q", rating=fsrs.Rating.Good, at=T0)
    soon = scheduler.retrievability(card, T0 + DAY)
    later = scheduler.retrievability(card, T0 + 30 * DAY)
    assert 0 < later < soon <= 1


def test_cards_convert_to_fsrs_and_back_unchanged(scheduler: ReviewScheduler) -> None:
    card, _ = scheduler.review(None, user_id=3, pack_id="p", question_id="q", rating=fsrs.Rating.Hard, at=T0)
    native = card.to_fsrs()
    assert native.due.tzinfo is not None and native.due.timestamp() == pytest.approx(card.due)
    back = CardState.from_fsrs(native, user_id=3, pack_id="p", question_id="q", reps=card.reps, lapses=card.lapses)
    assert back == card


def test_the_scheduler_uses_the_retention_it_is_given() -> None:
    card: CardState | None = None
    strict, relaxed = (
        ReviewScheduler(desired_retention=0.95, enable_fuzzing=False),
        ReviewScheduler(desired_retention=0.8, enable_fuzzing=False),
    )
    card, _ = strict.review(card, user_id=1, pack_id="p", question_id="q", rating=fsrs.Rating.Easy, at=T0)
    high, _ = strict.review(card, user_id=1, pack_id="p", question_id="q", rating=fsrs.Rating.Good, at=card.due)
    low, _ = relaxed.review(card, user_id=1, pack_id="p", question_id="q", rating=fsrs.Rating.Good, at=card.due)
    assert high.due < low.due  # wanting to remember more means reviewing sooner
    with pytest.raises(ValueError, match="retention"):
        ReviewScheduler(desired_retention=1.5)


def test_parameters_round_trip_through_the_env_format() -> None:
    defaults = ReviewScheduler().parameters
    text = format_parameters(defaults)
    assert "," in text and " " not in text
    assert parse_parameters(text) == pytest.approx(defaults)
    assert ReviewScheduler(parse_parameters(text)).parameters == pytest.approx(defaults)


def test_bad_parameters_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="numbers"):
        parse_parameters("0.2,abc")
    with pytest.raises(ValueError, match="Expected 21 parameters"):
        parse_parameters("0.2,1.0")
    too_big = list(ReviewScheduler().parameters)
    too_big[0] = 1000.0
    with pytest.raises(ValueError, match="out of bounds"):
        parse_parameters(format_parameters(too_big))


def test_a_card_is_reviewed_only_as_its_own_member_and_question(scheduler: ReviewScheduler) -> None:
    card, _ = scheduler.review(None, user_id=1, pack_id="p", question_id="q", rating=fsrs.Rating.Good, at=T0)
    with pytest.raises(ValueError, match="another member or question"):
        scheduler.review(card, user_id=2, pack_id="p", question_id="q", rating=fsrs.Rating.Good, at=T0 + 60)
