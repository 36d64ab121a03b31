"""Cards and review logs on a real SQLite database: what /review shows a member and the optimizer reads."""

from __future__ import annotations

import fsrs
import pytest

from bot.domain.plays import PlayMode
from bot.engine.review import CardState, ReviewScheduler
from bot.storage import ResultRecord, Store

DAY = 86_400.0
T0 = 1_750_000_000.0


@pytest.fixture
def scheduler() -> ReviewScheduler:
    return ReviewScheduler(enable_fuzzing=False)


async def answer(
    store: Store,
    scheduler: ReviewScheduler,
    question: str,
    rating: fsrs.Rating,
    at: float,
    *,
    user: int = 7,
    pack: str = "autograd-basics",
) -> CardState:
    """What the bot does when a question closes: load the card, review it, store both."""
    before = await store.card(user, pack, question)
    card, entry = scheduler.review(
        before, user_id=user, pack_id=pack, question_id=question, rating=rating, at=at, mode=PlayMode.CHALLENGE
    )
    assert await store.record_review(card, entry)
    return card


async def test_a_review_stores_the_card_and_its_log(store: Store, scheduler: ReviewScheduler) -> None:
    assert await store.card(7, "autograd-basics", "q1") is None
    card = await answer(store, scheduler, "q1", fsrs.Rating.Good, T0)
    assert await store.card(7, "autograd-basics", "q1") == card
    again = await answer(store, scheduler, "q1", fsrs.Rating.Good, card.due)
    assert (await store.card(7, "autograd-basics", "q1")) == again and again.reps == 2
    logs = await store.review_logs()
    assert [(e.question_id, e.rating, e.reviewed_at, e.mode) for e in logs] == [
        ("q1", fsrs.Rating.Good, T0, PlayMode.CHALLENGE),
        ("q1", fsrs.Rating.Good, card.due, PlayMode.CHALLENGE),
    ]


async def test_replaying_the_same_review_changes_nothing(store: Store, scheduler: ReviewScheduler) -> None:
    card = await answer(store, scheduler, "q1", fsrs.Rating.Good, T0)
    replayed, entry = scheduler.review(
        card, user_id=7, pack_id="autograd-basics", question_id="q1", rating=fsrs.Rating.Good, at=T0
    )
    assert not await store.record_review(replayed, entry)
    assert await store.card(7, "autograd-basics", "q1") == card
    assert len(await store.review_logs(7)) == 1


async def test_a_card_and_an_entry_of_different_questions_are_refused(store: Store, scheduler: ReviewScheduler) -> None:
    card, _ = scheduler.review(None, user_id=7, pack_id="p", question_id="a", rating=fsrs.Rating.Good, at=T0)
    _, entry = scheduler.review(None, user_id=7, pack_id="p", question_id="b", rating=fsrs.Rating.Good, at=T0)
    with pytest.raises(ValueError, match="different"):
        await store.record_review(card, entry)
    assert await store.review_logs() == []


async def test_due_cards_come_most_overdue_first(store: Store, scheduler: ReviewScheduler) -> None:
    # Answered at different times, so they fall due at different times.
    late = await answer(store, scheduler, "late", fsrs.Rating.Good, T0 + 2 * DAY)
    oldest = await answer(store, scheduler, "oldest", fsrs.Rating.Good, T0)
    middle = await answer(store, scheduler, "middle", fsrs.Rating.Good, T0 + DAY)
    await answer(store, scheduler, "someone-else", fsrs.Rating.Again, T0, user=8)
    now = late.due + 1
    due = await store.due_cards(7, now, limit=10)
    assert [c.question_id for c in due] == ["oldest", "middle", "late"]
    assert [c.question_id for c in await store.due_cards(7, now, limit=2)] == ["oldest", "middle"]
    assert await store.due_cards(7, oldest.due - 1, limit=10) == []
    assert [c.question_id for c in await store.due_cards(7, middle.due, limit=10)] == ["oldest", "middle"]


async def test_review_counts_say_how_many_are_due_and_when_the_next_is(
    store: Store, scheduler: ReviewScheduler
) -> None:
    assert await store.review_counts(7, T0) == (0, None)
    first = await answer(store, scheduler, "a", fsrs.Rating.Good, T0)
    second = await answer(store, scheduler, "b", fsrs.Rating.Good, T0 + DAY)
    third = await answer(store, scheduler, "c", fsrs.Rating.Easy, T0 + DAY)
    assert first.due < second.due < third.due
    assert await store.review_counts(7, T0) == (0, first.due)
    assert await store.review_counts(7, second.due) == (2, third.due)  # stored exactly: REAL is a double
    assert await store.review_counts(7, third.due + DAY) == (3, None)
    assert await store.review_counts(8, third.due) == (0, None)


async def test_cards_of_a_member(store: Store, scheduler: ReviewScheduler) -> None:
    await answer(store, scheduler, "b", fsrs.Rating.Good, T0)
    await answer(store, scheduler, "a", fsrs.Rating.Hard, T0, pack="dtypes")
    await answer(store, scheduler, "z", fsrs.Rating.Good, T0, user=8)
    assert [(c.pack_id, c.question_id) for c in await store.cards_of(7)] == [("autograd-basics", "b"), ("dtypes", "a")]


async def test_review_logs_of_everyone_or_one_member(store: Store, scheduler: ReviewScheduler) -> None:
    await answer(store, scheduler, "a", fsrs.Rating.Again, T0 + 5)
    await answer(store, scheduler, "a", fsrs.Rating.Easy, T0, user=8)
    entries = await store.review_logs()
    assert [(e.user_id, e.rating) for e in entries] == [(8, fsrs.Rating.Easy), (7, fsrs.Rating.Again)]
    assert [e.user_id for e in await store.review_logs(7)] == [7]


async def test_accuracy_by_tag_from_results(store: Store) -> None:
    await store.start_play("p", mode="challenge", owner_id=7, pack_id="autograd-basics", started_at=0.0)
    for i in range(4):
        await store.open_round(f"p-{i}", play_id="p", position=i, question_id=f"q{i}", opened_at=0, deadline=9)

    def result(i: int, correct: bool, tags: list[str], guild: int | None = 1, user: int = 7) -> ResultRecord:
        return ResultRecord(f"p-{i}", user, guild, "autograd-basics", f"q{i}", correct, 0, 1, 0, tags, 1.0)

    await store.record_results(
        [
            result(0, True, ["autograd", "tensors"]),
            result(1, False, ["autograd"]),
            result(2, True, ["autograd"], guild=2),
            result(3, True, ["tensors"], user=8),
        ]
    )
    assert await store.accuracy_by_tag(7) == {"autograd": (2, 3), "tensors": (1, 1)}
    assert await store.accuracy_by_tag(7, guild_id=1) == {"autograd": (1, 2), "tensors": (1, 1)}
    assert await store.accuracy_by_tag(9) == {}
