"""The quiz engine: rounds, attempts, hints, scoring and badges. It never imports `discord`."""

from bot.engine.challenge import ChallengeRun, ChallengeSummary, QuestionResult
from bot.engine.errors import (
    AlreadyAnswered,
    AlreadyTried,
    InvalidChoice,
    NoAttemptsLeft,
    QuestionClosed,
    QuizError,
    SameCodeAgain,
)
from bot.engine.mastery import TopicMastery, strongest, topic_mastery, weakest
from bot.engine.review import CardState, ReviewEntry, ReviewScheduler, rating_for
from bot.engine.round import AnswerOutcome, HintOutcome, MemberProgress, QuestionRound

__all__ = [
    "AlreadyAnswered",
    "AlreadyTried",
    "AnswerOutcome",
    "CardState",
    "ChallengeRun",
    "ChallengeSummary",
    "HintOutcome",
    "InvalidChoice",
    "MemberProgress",
    "NoAttemptsLeft",
    "QuestionClosed",
    "QuestionResult",
    "QuestionRound",
    "QuizError",
    "ReviewEntry",
    "ReviewScheduler",
    "SameCodeAgain",
    "TopicMastery",
    "rating_for",
    "strongest",
    "topic_mastery",
    "weakest",
]
