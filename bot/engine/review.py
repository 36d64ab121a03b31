"""Spaced review with FSRS: how an answer becomes a rating, and when the question comes back.

Every question a member answers is a card for that member. `rating_for` turns how the answer went into one of
FSRS's four ratings; `ReviewScheduler` (over the `fsrs` package) moves the card and says when it is due again.
Pure: no Discord, no storage. Times are unix seconds, as stored; `fsrs` works in timezone-aware UTC datetimes,
and the conversion happens only here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS

from bot.domain.plays import PlayMode

Rating = fsrs.Rating

FAST_FRACTION = 0.25
"""Within this share of the time limit, a right first answer without a hint is Easy."""
FAST_UNTIMED_SECONDS = 20.0
"""Without a time limit, within this many seconds it is Easy."""

RATING_RULES_TEXT = (
    "**Again:** a wrong answer, or no answer in time — the question comes back soon\n"
    "**Hard:** right, but after a hint or on a later attempt\n"
    "**Good:** right the first time, without a hint\n"
    "**Easy:** right the first time, without a hint, within a quarter of the time limit"
    " (within 20 seconds when untimed)"
)
"""The rule of `rating_for`, as members read it in /help."""


def rating_for(
    *,
    correct: bool,
    attempts: int,
    hints: int,
    timed_out: bool,
    seconds: float | None,
    time_limit: float | None,
) -> fsrs.Rating:
    """How well a member knew a question, from how their answer went.

    - **Again**: the final answer was wrong, or time ran out (even with a right answer recorded after it);
    - **Hard**: right, but after taking a hint or on a later attempt (`attempts` > 1);
    - **Good**: right on the first attempt without a hint;
    - **Easy**: right on the first attempt without a hint, and fast: within a quarter of the time limit, or
      within 20 seconds when the question is untimed (`time_limit` None). Without a measured time
      (`seconds` None) a right first answer is Good.
    """
    if timed_out or not correct:
        return fsrs.Rating.Again
    if hints > 0 or attempts > 1:
        return fsrs.Rating.Hard
    if seconds is None:
        return fsrs.Rating.Good
    fast_within = FAST_UNTIMED_SECONDS if time_limit is None else time_limit * FAST_FRACTION
    return fsrs.Rating.Easy if seconds <= fast_within else fsrs.Rating.Good


def to_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def to_seconds(moment: datetime) -> float:
    return moment.timestamp()


@dataclass(frozen=True)
class CardState:
    """One member's FSRS card for one question, as stored (times in unix seconds)."""

    user_id: int
    pack_id: str
    question_id: str
    state: int
    """An `fsrs.State` value: 1 learning, 2 review, 3 relearning."""
    step: int | None
    """The (re)learning step; None in the review state."""
    stability: float | None
    difficulty: float | None
    due: float
    last_review: float | None
    reps: int = 0
    """Reviews so far."""
    lapses: int = 0
    """Times the card was forgotten after it had been learnt (rated Again in the review state)."""

    def to_fsrs(self) -> fsrs.Card:
        # An explicit card_id: fsrs otherwise stamps the clock and sleeps a millisecond per card.
        return fsrs.Card(
            card_id=0,
            state=fsrs.State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=to_datetime(self.due),
            last_review=None if self.last_review is None else to_datetime(self.last_review),
        )

    @classmethod
    def from_fsrs(
        cls, card: fsrs.Card, *, user_id: int, pack_id: str, question_id: str, reps: int = 0, lapses: int = 0
    ) -> CardState:
        return cls(
            user_id=user_id,
            pack_id=pack_id,
            question_id=question_id,
            state=int(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=to_seconds(card.due),
            last_review=None if card.last_review is None else to_seconds(card.last_review),
            reps=reps,
            lapses=lapses,
        )


@dataclass(frozen=True)
class ReviewEntry:
    """One review, as the log keeps it for the optimizer."""

    user_id: int
    pack_id: str
    question_id: str
    rating: fsrs.Rating
    reviewed_at: float
    duration_ms: int | None = None
    mode: PlayMode = PlayMode.REVIEW


class ReviewScheduler:
    """FSRS with TorchQuiz's settings: optimised `parameters` (None: FSRS's defaults), the desired retention,
    and fuzzing (a little randomness in long intervals so cards learnt together do not all come back together;
    tests switch it off)."""

    def __init__(
        self,
        parameters: Sequence[float] | None = None,
        *,
        desired_retention: float = 0.9,
        enable_fuzzing: bool = True,
    ) -> None:
        if not 0 < desired_retention < 1:
            raise ValueError(f"desired retention must be between 0 and 1, not {desired_retention}")
        chosen = tuple(DEFAULT_PARAMETERS if parameters is None else parameters)
        self._fsrs = fsrs.Scheduler(
            parameters=chosen, desired_retention=desired_retention, enable_fuzzing=enable_fuzzing
        )

    @property
    def parameters(self) -> tuple[float, ...]:
        return tuple(self._fsrs.parameters)

    @property
    def desired_retention(self) -> float:
        return self._fsrs.desired_retention

    def review(
        self,
        card: CardState | None,
        *,
        user_id: int,
        pack_id: str,
        question_id: str,
        rating: fsrs.Rating,
        at: float,
        duration_ms: int | None = None,
        mode: PlayMode = PlayMode.REVIEW,
    ) -> tuple[CardState, ReviewEntry]:
        """The card after a review rated `rating` at `at` (a new card when `card` is None), and its log entry."""
        if card is not None and (card.user_id, card.pack_id, card.question_id) != (user_id, pack_id, question_id):
            raise ValueError("the card belongs to another member or question")
        before = fsrs.Card(card_id=0, due=to_datetime(at)) if card is None else card.to_fsrs()
        after, _ = self._fsrs.review_card(before, rating, review_datetime=to_datetime(at))
        reps = 0 if card is None else card.reps
        lapses = 0 if card is None else card.lapses
        if card is not None and card.state == fsrs.State.Review and rating == fsrs.Rating.Again:
            lapses += 1
        updated = CardState.from_fsrs(
            after, user_id=user_id, pack_id=pack_id, question_id=question_id, reps=reps + 1, lapses=lapses
        )
        entry = ReviewEntry(
            user_id=user_id,
            pack_id=pack_id,
            question_id=question_id,
            rating=rating,
            reviewed_at=at,
            duration_ms=duration_ms,
            mode=mode,
        )
        return updated, entry

    def retrievability(self, card: CardState, at: float) -> float:
        """FSRS's estimate, 0..1, that the member would answer the card right at `at` (0 for a card never
        reviewed)."""
        return float(self._fsrs.get_card_retrievability(card.to_fsrs(), current_datetime=to_datetime(at)))


def parse_parameters(text: str) -> tuple[float, ...]:
    """Parameters as `python -m bot review optimize` prints them (comma-separated); ValueError when they are
    not numbers, or not as many as FSRS takes, or out of FSRS's bounds."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        raise ValueError(f"FSRS parameters must be comma-separated numbers, not {text!r}") from None
    fsrs.Scheduler(parameters=values)  # raises ValueError naming the count or each bound broken
    return values


def format_parameters(parameters: Sequence[float]) -> str:
    """Comma-separated, exact enough to schedule identically (what `parse_parameters` reads)."""
    return ",".join(f"{value:.6g}" for value in parameters)
