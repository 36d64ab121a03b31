"""A live quiz session: everybody in a channel answers the same questions at once.

The session is pure state driven by explicit times, like the rest of the engine, which makes it replayable:
after a restart the Discord layer rebuilds a session from the stored joins, rounds, attempts and hints and gets
exactly the state it had, points included.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.questions import Badge, Pack, Question
from bot.engine.errors import QuestionClosed, QuizError
from bot.engine.round import AnswerOutcome, HintOutcome, MemberProgress, QuestionRound


class Phase(StrEnum):
    LOBBY = "lobby"
    QUESTION = "question"
    BETWEEN = "between"
    FINISHED = "finished"


class SessionEnded(QuizError):
    def __init__(self) -> None:
        super().__init__("This quiz session has ended.")


@dataclass(frozen=True)
class Standing:
    member_id: int
    points: int
    correct: int


@dataclass(frozen=True)
class MemberResult:
    """One member's final outcome on one question, as stored."""

    member_id: int
    correct: bool
    points: int
    attempts: int
    hints: int
    finished: bool = False
    """Whether the member answered to the end (right, or out of attempts) before the question closed."""
    seconds: float | None = None
    """From the question's opening to the member's last answer, when they finished."""


@dataclass(frozen=True)
class RoundReveal:
    """What the channel is shown when a question closes."""

    round: QuestionRound
    counts: dict[str, int]
    fastest: tuple[int, float] | None  # member and seconds taken, for the first correct answer
    results: tuple[MemberResult, ...]


@dataclass(frozen=True)
class SessionSummary:
    standings: tuple[Standing, ...]
    badge: Badge | None
    badge_winners: tuple[int, ...]
    questions_played: int


class LiveSession:
    def __init__(self, session_id: str, pack: Pack, questions: list[Question], *, time_limit: int) -> None:
        if not questions:
            raise ValueError("a live session needs at least one question")
        self.session_id = session_id
        self.pack = pack
        self.questions = questions
        self.time_limit = time_limit
        self.phase = Phase.LOBBY
        self.participants: dict[int, float] = {}
        self.index = -1
        self.current: QuestionRound | None = None
        self.points: dict[int, int] = {}
        self.correct: dict[int, int] = {}
        self.streaks: dict[int, int] = {}
        self.reveals: list[RoundReveal] = []

    # -- joining ---------------------------------------------------------------------------------------------

    def join(self, member_id: int, now: float) -> bool:
        """Add a participant; False when already in. Members may join until the session ends."""
        if self.phase is Phase.FINISHED:
            raise SessionEnded()
        if member_id in self.participants:
            return False
        self.participants[member_id] = now
        self.points.setdefault(member_id, 0)
        self.correct.setdefault(member_id, 0)
        return True

    # -- questions -------------------------------------------------------------------------------------------

    def round_id(self, index: int) -> str:
        return f"{self.session_id}-{index}"

    @property
    def has_next(self) -> bool:
        return self.index + 1 < len(self.questions)

    def open_next(self, now: float, *, time_limit: float | None = None) -> QuestionRound:
        if self.phase is Phase.FINISHED:
            raise SessionEnded()
        if self.phase is Phase.QUESTION:
            raise RuntimeError("the current question is still open")
        if not self.has_next:
            raise RuntimeError("no questions left")
        self.index += 1
        question = self.questions[self.index]
        self.current = QuestionRound(
            self.round_id(self.index),
            question,
            opened_at=now,
            time_limit=time_limit if time_limit is not None else self.time_limit,
            attempts=question.effective_attempts(self.pack.defaults),
            speed_scoring=True,
        )
        self.phase = Phase.QUESTION
        return self.current

    def _open_round(self, round_id: str) -> QuestionRound:
        if self.phase is Phase.FINISHED:
            raise SessionEnded()
        current = self.current
        if self.phase is not Phase.QUESTION or current is None or current.round_id != round_id:
            raise QuestionClosed()
        return current

    def answer(self, round_id: str, member_id: int, choice: str, now: float) -> AnswerOutcome:
        """A click on an answer button; a member who never pressed Join joins with their first answer."""
        current = self._open_round(round_id)
        outcome = current.answer(member_id, choice, now, streak_before=self.streaks.get(member_id, 0))
        self.join(member_id, now)
        return outcome

    def take_hint(self, round_id: str, member_id: int, now: float) -> HintOutcome:
        current = self._open_round(round_id)
        self.join(member_id, now)
        return current.take_hint(member_id, now)

    def everyone_done(self) -> bool:
        """True when every participant has finished the open question (and there is at least one)."""
        current = self.current
        if self.phase is not Phase.QUESTION or current is None or not self.participants:
            return False
        return current.everyone_finished(set(self.participants))

    def close_current(self, now: float) -> RoundReveal:
        """Close the open question: counts, fastest correct member, and every participant's result."""
        current = self.current
        if self.phase is not Phase.QUESTION or current is None:
            raise RuntimeError("no question is open")
        current.close(now)
        self.phase = Phase.BETWEEN if self.has_next else Phase.FINISHED
        results: list[MemberResult] = []
        for member_id in sorted(self.participants):
            progress = current.members.get(member_id, MemberProgress())
            seconds = None if progress.answered_at is None else progress.answered_at - current.opened_at
            results.append(
                MemberResult(
                    member_id,
                    progress.correct,
                    progress.points,
                    len(progress.tried),
                    progress.hints,
                    finished=progress.finished,
                    seconds=seconds,
                )
            )
            self.points[member_id] = self.points.get(member_id, 0) + progress.points
            if progress.correct:
                self.correct[member_id] = self.correct.get(member_id, 0) + 1
                self.streaks[member_id] = self.streaks.get(member_id, 0) + 1
            else:
                self.streaks[member_id] = 0
        fastest = min(
            (
                (member_id, progress.answered_at - current.opened_at)
                for member_id, progress in current.members.items()
                if progress.correct and progress.answered_at is not None
            ),
            key=lambda pair: pair[1],
            default=None,
        )
        reveal = RoundReveal(current, current.choice_counts(), fastest, tuple(results))
        self.reveals.append(reveal)
        return reveal

    def stop(self, now: float) -> RoundReveal | None:
        """End early (moderator's /quiz stop or a restart): close the open question, if any, then finish."""
        reveal = self.close_current(now) if self.phase is Phase.QUESTION else None
        self.phase = Phase.FINISHED
        return reveal

    # -- standings -------------------------------------------------------------------------------------------

    def standings(self) -> tuple[Standing, ...]:
        ranked = sorted(
            self.participants,
            key=lambda m: (-self.points.get(m, 0), -self.correct.get(m, 0), self.participants[m]),
        )
        return tuple(Standing(m, self.points.get(m, 0), self.correct.get(m, 0)) for m in ranked)

    def summary(self) -> SessionSummary:
        """Final standings and badge winners: the pack's badge goes to members who got every question of a
        session that covered the whole pack right."""
        played = len(self.reveals)
        whole_pack = played == len(self.pack.questions)
        winners = tuple(s.member_id for s in self.standings() if whole_pack and played and s.correct == played)
        badge = self.pack.badge if winners else None
        return SessionSummary(self.standings(), badge, winners if badge else (), played)
