"""One member's pass through a list of questions: the timed challenge, and untimed practice and review.

A problem closes when the member answers it correctly, runs out of attempts, or its deadline passes (untimed
runs have none); then the next one opens. The run keeps the member's streak and the per-problem results that
make the summary and badge. Questions may come from several packs (practice by topic, review of due cards).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.questions import Badge, Pack, Question
from bot.engine.errors import QuestionClosed
from bot.engine.round import AnswerOutcome, HintOutcome, QuestionRound


@dataclass(frozen=True)
class QuestionResult:
    """The final outcome of one problem for the member, as stored and summarised."""

    round_id: str
    question: Question
    correct: bool
    points: int
    attempts: int
    hints: int
    timed_out: bool
    streak_after: int


@dataclass(frozen=True)
class ChallengeSummary:
    correct: int
    total: int
    points: int
    best_streak: int
    badge: Badge | None


UNTIMED_SECONDS = 7 * 24 * 3600.0
"""The "deadline" of an untimed problem: far enough that nobody meets it, finite so arithmetic stays simple."""


class ChallengeRun:
    """A member's pass through questions. All state changes take `now` so tests control time.

    ``packs`` (aligned with ``questions``) says which pack each question comes from when they are mixed;
    ``pack`` is the run's own (its title and badge). ``timed=False`` gives every problem no deadline.
    """

    def __init__(
        self,
        run_id: str,
        pack: Pack,
        member_id: int,
        questions: list[Question] | None = None,
        *,
        packs: Sequence[Pack] | None = None,
        timed: bool = True,
    ) -> None:
        self.run_id = run_id
        self.pack = pack
        self.member_id = member_id
        self.questions = questions if questions is not None else list(pack.questions)
        self.packs = list(packs) if packs is not None else [pack] * len(self.questions)
        if len(self.packs) != len(self.questions):
            raise ValueError("give one pack per question")
        self.timed = timed
        self.index = -1
        self.current: QuestionRound | None = None
        self.results: list[QuestionResult] = []
        self.streak = 0
        self.best_streak = 0

    @property
    def finished(self) -> bool:
        return self.index >= len(self.questions) - 1 and (self.current is None or self.current.closed_at is not None)

    @property
    def position(self) -> int:
        """1-based number of the current problem."""
        return self.index + 1

    def open_next(self, now: float) -> QuestionRound | None:
        """Open the next problem, or return None when the set is done."""
        if self.current is not None and self.current.closed_at is None:
            raise RuntimeError("the current problem is still open")
        if self.index + 1 >= len(self.questions):
            self.current = None
            return None
        self.index += 1
        question, defaults = self.questions[self.index], self.packs[self.index].defaults
        self.current = QuestionRound(
            f"{self.run_id}-{self.index}",
            question,
            opened_at=now,
            time_limit=question.effective_time_limit(defaults) if self.timed else UNTIMED_SECONDS,
            attempts=question.effective_attempts(defaults),
        )
        return self.current

    def pack_of(self, index: int) -> Pack:
        """The pack question ``index`` (0-based) comes from."""
        return self.packs[index]

    def round(self, round_id: str) -> QuestionRound:
        """The open round with this id; an older or unknown round is closed to clicks."""
        if self.current is None or self.current.round_id != round_id or self.current.closed_at is not None:
            raise QuestionClosed()
        return self.current

    def answer(self, round_id: str, choice: str, now: float) -> AnswerOutcome:
        current = self.round(round_id)
        outcome = current.answer(self.member_id, choice, now, streak_before=self.streak)
        if outcome.finished:
            self._close(current, now, timed_out=False)
        return outcome

    def submit_code(self, round_id: str, code: str, *, passed: bool, now: float) -> AnswerOutcome:
        current = self.round(round_id)
        outcome = current.submit_code(self.member_id, code, passed=passed, now=now, streak_before=self.streak)
        if outcome.finished:
            self._close(current, now, timed_out=False)
        return outcome

    def replay_attempt(self, round_id: str, key: str, *, correct: bool, now: float) -> None:
        """Apply a stored attempt (see `QuestionRound.replay_attempt`), closing the problem if it finished it."""
        current = self.round(round_id)
        current.replay_attempt(self.member_id, key, correct=correct, now=now, streak_before=self.streak)
        if current.progress(self.member_id).finished:
            self._close(current, now, timed_out=False)

    def close_current(self, now: float) -> QuestionResult | None:
        """Close the open problem as missed (a stored close, or a restart after its deadline)."""
        current = self.current
        if current is None or current.closed_at is not None:
            return None
        return self._close(current, now, timed_out=True)

    def take_hint(self, round_id: str, now: float) -> HintOutcome:
        return self.round(round_id).take_hint(self.member_id, now)

    def expire(self, now: float) -> QuestionResult | None:
        """Close the current problem if its deadline has passed; returns its result when it did."""
        current = self.current
        if current is None or current.closed_at is not None or current.is_open(now):
            return None
        return self._close(current, now, timed_out=True)

    def abandon(self, now: float) -> None:
        """End the run early (the member started another); an open problem counts as missed."""
        if self.current is not None and self.current.closed_at is None:
            self._close(self.current, now, timed_out=True)
        self.index = len(self.questions) - 1

    def _close(self, current: QuestionRound, now: float, *, timed_out: bool) -> QuestionResult:
        current.close(now)
        member = current.progress(self.member_id)
        if member.correct:
            self.streak += 1
            self.best_streak = max(self.best_streak, self.streak)
        else:
            self.streak = 0
        result = QuestionResult(
            round_id=current.round_id,
            question=current.question,
            correct=member.correct,
            points=member.points,
            attempts=len(member.tried),
            hints=member.hints,
            timed_out=timed_out and not member.finished,
            streak_after=self.streak,
        )
        self.results.append(result)
        return result

    def summary(self) -> ChallengeSummary:
        correct = sum(r.correct for r in self.results)
        total = len(self.questions)
        badge = self.pack.badge if correct == total and len(self.results) == total else None
        return ChallengeSummary(
            correct=correct,
            total=total,
            points=sum(r.points for r in self.results),
            best_streak=self.best_streak,
            badge=badge,
        )
