"""Closing questions and finishing plays, the same way for every mode.

`Finisher.record` stores each member's final outcome of a question (the result row, with its topics and the
member's streak) and turns it into a spaced-repetition review: every question a member answers, in any mode,
is a card for that member, rated from how it went (`bot.engine.review.rating_for`). Modes that earn no points
(practice, review) store their results unranked and with 0 points, so leaderboards never count them. `Finisher.finish`
awards the pack's badge when one was earned and sets the play's final status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.domain.plays import EARNS_POINTS, PlayMode, PlayStatus
from bot.domain.questions import Badge
from bot.engine.review import CardState, ReviewScheduler, rating_for
from bot.storage import ResultRecord
from bot.storage.protocol import Storage


@dataclass(frozen=True)
class Outcome:
    """One member's final outcome of one question, with what its review rating needs."""

    result: ResultRecord
    timed_out: bool
    seconds: float | None
    """From the question's opening to the member's last answer; None when they never answered."""
    time_limit: float | None
    """None for untimed modes."""


class Finisher:
    def __init__(self, store: Storage, scheduler: ReviewScheduler) -> None:
        self.store = store
        self.scheduler = scheduler

    async def record(self, mode: PlayMode, outcomes: Sequence[Outcome]) -> dict[int, CardState]:
        """Store results and reviews; returns each member's card after it (when it comes back)."""
        results = [
            outcome.result if mode in EARNS_POINTS else replace(outcome.result, points=0, ranked=False)
            for outcome in outcomes
        ]
        await self.store.record_results(results)
        cards: dict[int, CardState] = {}
        for outcome, result in zip(outcomes, results, strict=True):
            rating = rating_for(
                correct=result.correct,
                attempts=result.attempts,
                hints=result.hints,
                timed_out=outcome.timed_out,
                seconds=outcome.seconds,
                time_limit=outcome.time_limit,
            )
            card = await self.store.card(result.user_id, result.pack_id, result.question_id)
            updated, entry = self.scheduler.review(
                card,
                user_id=result.user_id,
                pack_id=result.pack_id,
                question_id=result.question_id,
                rating=rating,
                at=result.created_at,
                mode=mode,
            )
            await self.store.record_review(updated, entry)
            cards[result.user_id] = updated
        return cards

    async def finish(
        self,
        play_id: str,
        *,
        now: float,
        status: PlayStatus,
        badge: tuple[Badge, str] | None = None,
        winners: Sequence[int] = (),
        guild_id: int | None = None,
    ) -> set[int]:
        """End the play; award ``badge`` (with its pack id) to ``winners``. Returns who got it for the first time."""
        new: set[int] = set()
        if badge is not None:
            earned, pack_id = badge
            for member in winners:
                if await self.store.award_badge(
                    member, pack_id=pack_id, name=earned.name, emoji=earned.emoji, guild_id=guild_id, awarded_at=now
                ):
                    new.add(member)
        await self.store.finish_play(play_id, ended_at=now, status=status.value)
        return new
