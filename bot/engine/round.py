"""One question, open until its deadline, answered by any number of members with limited attempts each.

The round is pure and synchronous: every method takes the current time, so tests can drive deadlines without
sleeping, and the Discord layer can call it from the event loop without awaiting anything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from bot.domain.questions import LETTERS, Question
from bot.engine.errors import (
    AlreadyAnswered,
    AlreadyTried,
    InvalidChoice,
    NoAttemptsLeft,
    QuestionClosed,
    SameCodeAgain,
)
from bot.engine.scoring import Score, score_correct, speed_factor


def code_key(code: str) -> str:
    """A short, stable name for a code submission: how attempts on code questions are keyed and stored."""
    return "code:" + hashlib.sha256(code.strip().encode("utf-8")).hexdigest()[:12]


@dataclass
class MemberProgress:
    """What one member has done on one question."""

    tried: list[str] = field(default_factory=list)
    hints: int = 0
    finished: bool = False
    correct: bool = False
    points: int = 0
    answered_at: float | None = None


@dataclass(frozen=True)
class AnswerOutcome:
    member_id: int
    choice: str
    attempt: int
    correct: bool
    attempts_left: int
    finished: bool
    points: int
    score: Score | None


@dataclass(frozen=True)
class HintOutcome:
    text: str
    charged: bool


class QuestionRound:
    """A question open from `opened_at` until `deadline`, or until `close()` is called."""

    def __init__(
        self,
        round_id: str,
        question: Question,
        *,
        opened_at: float,
        time_limit: float,
        attempts: int,
        speed_scoring: bool = False,
    ) -> None:
        self.round_id = round_id
        self.question = question
        self.opened_at = opened_at
        self.deadline = opened_at + time_limit
        self.max_attempts = attempts
        self.speed_scoring = speed_scoring
        self.closed_at: float | None = None
        self.members: dict[int, MemberProgress] = {}

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.question.choices or ())]

    def is_open(self, now: float) -> bool:
        return self.closed_at is None and now < self.deadline

    def close(self, now: float) -> None:
        if self.closed_at is None:
            self.closed_at = min(now, self.deadline)

    def progress(self, member_id: int) -> MemberProgress:
        return self.members.setdefault(member_id, MemberProgress())

    def answer(self, member_id: int, choice: str, now: float, *, streak_before: int = 0) -> AnswerOutcome:
        """Record one button answer; raises a `QuizError` when the attempt cannot count."""
        self._check_open(now)
        choice = choice.upper()
        if choice not in self.letters:
            raise InvalidChoice(choice)
        member = self._member_who_can_answer(member_id)
        if choice in member.tried:
            raise AlreadyTried(choice)
        return self._attempt(member_id, choice, choice == self.question.answer, now, streak_before)

    def check_can_submit(self, member_id: int, now: float, code: str | None = None) -> None:
        """Raise unless the member may submit (this) code now; called before spending a sandbox run on it."""
        self._check_open(now)
        member = self._member_who_can_answer(member_id)
        if code is not None and code_key(code) in member.tried:
            raise SameCodeAgain()

    def submit_code(
        self, member_id: int, code: str, *, passed: bool, now: float, streak_before: int = 0
    ) -> AnswerOutcome:
        """Record a graded code submission; the same code twice is one attempt, not two."""
        self._check_open(now)
        member = self._member_who_can_answer(member_id)
        key = code_key(code)
        if key in member.tried:
            raise SameCodeAgain()
        return self._attempt(member_id, key, passed, now, streak_before)

    def replay_attempt(self, member_id: int, key: str, *, correct: bool, now: float, streak_before: int = 0) -> None:
        """Apply a stored attempt as it was judged then (code submissions are stored by key, not by code)."""
        self._check_open(now)
        member = self._member_who_can_answer(member_id)
        if key not in member.tried:
            self._attempt(member_id, key, correct, now, streak_before)

    def _check_open(self, now: float) -> None:
        if not self.is_open(now):
            raise QuestionClosed()

    def _member_who_can_answer(self, member_id: int) -> MemberProgress:
        member = self.progress(member_id)
        if member.correct:
            raise AlreadyAnswered()
        if member.finished or len(member.tried) >= self.max_attempts:
            raise NoAttemptsLeft()
        return member

    def _attempt(self, member_id: int, key: str, correct: bool, now: float, streak_before: int) -> AnswerOutcome:
        member = self.progress(member_id)
        member.tried.append(key)
        attempt = len(member.tried)
        score: Score | None = None
        if correct:
            speed = speed_factor(self.opened_at, self.deadline, now) if self.speed_scoring else None
            score = score_correct(
                self.question.difficulty,
                attempt=attempt,
                hints=member.hints,
                streak_before=streak_before,
                speed=speed,
            )
            member.correct = True
            member.points = score.points
        member.finished = correct or attempt >= self.max_attempts
        if member.finished:
            member.answered_at = now
        return AnswerOutcome(
            member_id=member_id,
            choice=key,
            attempt=attempt,
            correct=correct,
            attempts_left=self.max_attempts - attempt,
            finished=member.finished,
            points=member.points,
            score=score,
        )

    def take_hint(self, member_id: int, now: float) -> HintOutcome:
        """Show the hint; it costs points only the first time, and only while the member can still answer."""
        if not self.is_open(now):
            raise QuestionClosed()
        member = self.progress(member_id)
        charged = not member.finished and member.hints == 0
        if charged:
            member.hints = 1
        return HintOutcome(text=self.question.hint, charged=charged)

    def everyone_finished(self, member_ids: set[int]) -> bool:
        return all(self.members.get(m, MemberProgress()).finished for m in member_ids)

    def choice_counts(self) -> dict[str, int]:
        """How many members chose each letter (every attempt counts once per member and letter)."""
        counts = dict.fromkeys(self.letters, 0)
        for member in self.members.values():
            for letter in member.tried:
                if letter in counts:
                    counts[letter] += 1
        return counts
