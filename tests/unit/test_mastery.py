"""Topic mastery: what a member would remember today (FSRS) or, for topics without cards, their accuracy."""

from __future__ import annotations

import fsrs
import pytest

from bot.engine.mastery import HORIZON_SECONDS, TopicMastery, strongest, topic_mastery, weakest
from bot.engine.review import CardState, ReviewScheduler

DAY = 86_400.0
T0 = 1_750_000_000.0


@pytest.fixture
def scheduler() -> ReviewScheduler:
    return ReviewScheduler(enable_fuzzing=False)


def learnt(scheduler: ReviewScheduler, question: str, ratings: list[fsrs.Rating]) -> CardState:
    card: CardState | None = None
    at = T0
    for rating in ratings:
        card, _ = scheduler.review(card, user_id=1, pack_id="p", question_id=question, rating=rating, at=at)
        at = max(card.due, at + 60)
    assert card is not None
    return card


def test_a_topic_with_cards_scores_what_the_member_would_remember(scheduler: ReviewScheduler) -> None:
    good = fsrs.Rating.Good
    solid = learnt(scheduler, "solid", [good] * 5)
    shaky = learnt(scheduler, "shaky", [fsrs.Rating.Again, fsrs.Rating.Hard])
    now = T0 + 10 * DAY
    result = topic_mastery(
        [(solid, ["autograd"]), (shaky, ["autograd", "broadcasting"])], {}, scheduler=scheduler, now=now
    )
    by_tag = {m.tag: m for m in result}
    ahead = now + HORIZON_SECONDS  # recall is estimated a week ahead
    expected = (scheduler.retrievability(solid, ahead) + scheduler.retrievability(shaky, ahead)) / 2
    autograd = by_tag["autograd"]
    assert (autograd.source, autograd.questions) == ("memory", 2)
    assert autograd.score == pytest.approx(expected)
    assert by_tag["broadcasting"].score == pytest.approx(scheduler.retrievability(shaky, ahead))
    assert [m.tag for m in result] == ["autograd", "broadcasting"]  # strongest first


def test_a_question_missed_today_is_weaker_than_one_known_today(scheduler: ReviewScheduler) -> None:
    missed = learnt(scheduler, "missed", [fsrs.Rating.Again])
    known = learnt(scheduler, "known", [fsrs.Rating.Easy])
    result = topic_mastery([(missed, ["losses"]), (known, ["autograd"])], {}, scheduler, T0)
    assert [m.tag for m in result] == ["autograd", "losses"]
    assert result[0].score > result[1].score


def test_memory_fades_until_the_next_review(scheduler: ReviewScheduler) -> None:
    card = learnt(scheduler, "q", [fsrs.Rating.Good])
    week = topic_mastery([(card, ["autograd"])], {}, scheduler, T0 + 7 * DAY)[0].score
    year = topic_mastery([(card, ["autograd"])], {}, scheduler, T0 + 365 * DAY)[0].score
    assert 0 < year < week < 1


def test_a_topic_without_cards_falls_back_to_accuracy(scheduler: ReviewScheduler) -> None:
    card = learnt(scheduler, "q", [fsrs.Rating.Good] * 3)
    result = topic_mastery(
        [(card, ["autograd"])],
        {"autograd": (0, 4), "dtypes": (3, 4), "losses": (0, 0)},
        scheduler,
        T0 + DAY,
    )
    by_tag = {m.tag: m for m in result}
    assert by_tag["autograd"].source == "memory"  # cards win over accuracy for the same tag
    assert by_tag["dtypes"] == TopicMastery("dtypes", 0.75, "accuracy", 4)
    assert "losses" not in by_tag  # nothing answered: no estimate


def test_strongest_and_weakest() -> None:
    masteries = [
        TopicMastery("a", 0.9, "memory", 3),
        TopicMastery("b", 0.2, "accuracy", 5),
        TopicMastery("c", 0.6, "memory", 1),
        TopicMastery("d", 0.2, "accuracy", 9),
    ]
    assert [m.tag for m in strongest(masteries, 2)] == ["a", "c"]
    assert [m.tag for m in weakest(masteries, 2)] == ["d", "b"]  # ties: the better-evidenced first
    assert strongest(masteries, 0) == [] and len(weakest(masteries, 10)) == 4


def test_no_history_means_no_topics(scheduler: ReviewScheduler) -> None:
    assert topic_mastery([], {}, scheduler, T0) == []
