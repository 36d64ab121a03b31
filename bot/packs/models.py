"""The pack format's models, re-exported where pack code has always found them (they live in `bot.domain`)."""

from bot.domain.questions import (
    CHOICE_TYPES,
    DEFAULT_ATTEMPTS,
    DEFAULT_TIME_LIMIT,
    LETTERS,
    MIN_WRONG_SOLUTIONS,
    VERIFIABLE_TYPES,
    Badge,
    Defaults,
    Difficulty,
    Pack,
    Question,
    QuestionType,
    Slug,
    Text,
    Verify,
    WrongSolution,
)

__all__ = [
    "CHOICE_TYPES",
    "DEFAULT_ATTEMPTS",
    "DEFAULT_TIME_LIMIT",
    "LETTERS",
    "MIN_WRONG_SOLUTIONS",
    "VERIFIABLE_TYPES",
    "Badge",
    "Defaults",
    "Difficulty",
    "Pack",
    "Question",
    "QuestionType",
    "Slug",
    "Text",
    "Verify",
    "WrongSolution",
]
