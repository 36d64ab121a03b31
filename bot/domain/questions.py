"""The question-pack format as pydantic models (the README documents it for authors).

They live here, apart from the YAML loader, so the engine can use them without loading any file machinery.

Validation is strict on purpose: a pack that loads is a pack every mode can play. Limits on text lengths keep
every question inside Discord's embed limits, so a long prompt is refused here rather than by Discord mid-quiz.
"""

from __future__ import annotations

import string
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

Difficulty = Literal["beginner", "intermediate", "advanced", "expert"]
QuestionType = Literal["conceptual", "predict_output", "model_choice", "hyperparameter", "metrics", "debug", "code"]
CHOICE_TYPES: frozenset[str] = frozenset(
    {"conceptual", "predict_output", "model_choice", "hyperparameter", "metrics", "debug"}
)
VERIFIABLE_TYPES: frozenset[str] = frozenset({"predict_output", "debug"})
LETTERS = string.ascii_uppercase[:5]

# Ids end up inside component custom_ids (at most 100 characters), so they stay short and plain.
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

DEFAULT_TIME_LIMIT = 120
DEFAULT_ATTEMPTS = 2


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Badge(_Strict):
    name: Annotated[Text, StringConstraints(max_length=80)]
    emoji: Annotated[str, StringConstraints(max_length=32)] = "🏅"


class Defaults(_Strict):
    # Follow-ups on an interaction expire after 15 minutes, so no single question may outlast ten.
    time_limit: int = Field(default=DEFAULT_TIME_LIMIT, ge=2, le=600)
    attempts: int = Field(default=DEFAULT_ATTEMPTS, ge=1, le=5)


class Verify(_Strict):
    """What running the question's code must produce: printed output, or an exception type."""

    output: str | None = None
    raises: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$")] | None = None

    @field_validator("raises")
    @classmethod
    def _one_of(cls, value: str | None, info: ValidationInfo) -> str | None:
        has_output = info.data.get("output") is not None
        if has_output == (value is not None):
            raise ValueError("give exactly one of 'output' or 'raises'")
        return value


class WrongSolution(_Strict):
    """A plausible wrong answer to a `code` question, which its check must reject (`packs check` proves it)."""

    reason: Annotated[Text, StringConstraints(max_length=200)]
    code: Annotated[str, StringConstraints(min_length=1, max_length=1500)]


MIN_WRONG_SOLUTIONS = 3


class Question(_Strict):
    id: Slug
    type: QuestionType
    difficulty: Difficulty
    prompt: Annotated[Text, StringConstraints(max_length=1000)]
    code: Annotated[str, StringConstraints(max_length=1500)] | None = None
    choices: list[Annotated[Text, StringConstraints(max_length=200)]] | None = Field(
        default=None, validate_default=True
    )
    answer: str | None = Field(default=None, validate_default=True)
    hint: Annotated[Text, StringConstraints(max_length=500)]
    explanation: Annotated[Text, StringConstraints(max_length=1000)]
    time_limit: int | None = Field(default=None, ge=2, le=600)
    attempts: int | None = Field(default=None, ge=1, le=5)
    tags: list[Slug] = Field(min_length=1)
    verify: Verify | None = None
    starter: str | None = Field(default=None, max_length=1500, validate_default=True)
    check: str | None = Field(default=None, max_length=4000, validate_default=True)
    solution: str | None = Field(default=None, max_length=1500, validate_default=True)
    wrong_solutions: list[WrongSolution] = Field(default_factory=list, max_length=10)

    @field_validator("choices")
    @classmethod
    def _choices_fit_type(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        kind = info.data.get("type")
        if kind == "code":
            if value is not None:
                raise ValueError("a code question has no choices")
            return value
        if value is None:
            raise ValueError(f"is missing: a {kind} question needs 2 to 5 choices")
        if not 2 <= len(value) <= len(LETTERS):
            raise ValueError(f"give 2 to {len(LETTERS)} choices, not {len(value)}")
        if len(set(value)) != len(value):
            raise ValueError("two choices have the same text")
        return value

    @field_validator("answer")
    @classmethod
    def _answer_is_a_choice(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("type")
        if kind == "code":
            if value is not None:
                raise ValueError("a code question is graded by its check, not by an answer letter")
            return value
        if value is None:
            raise ValueError("is missing: give the letter of the correct choice")
        choices = info.data.get("choices")
        letter = value.strip().upper()
        if choices is not None and letter not in LETTERS[: len(choices)]:
            raise ValueError(f"{value!r} is not one of the choices {LETTERS[0]}–{LETTERS[len(choices) - 1]}")
        return letter

    @field_validator("verify")
    @classmethod
    def _verify_needs_code(cls, value: Verify | None, info: ValidationInfo) -> Verify | None:
        if value is None:
            return value
        if info.data.get("type") not in VERIFIABLE_TYPES:
            raise ValueError("only predict_output and debug questions carry a verify block")
        if not info.data.get("code"):
            raise ValueError("a verify block needs the question's code to run")
        return value

    @field_validator("starter", "check", "solution")
    @classmethod
    def _code_parts(cls, value: str | None, info: ValidationInfo) -> str | None:
        is_code = info.data.get("type") == "code"
        if is_code and not (value and value.strip()):
            raise ValueError("is missing: a code question needs it")
        if not is_code and value is not None:
            raise ValueError("only code questions have this field")
        return value

    @field_validator("wrong_solutions")
    @classmethod
    def _wrong_only_for_code(cls, value: list[WrongSolution], info: ValidationInfo) -> list[WrongSolution]:
        if value and info.data.get("type") != "code":
            raise ValueError("only code questions have wrong solutions")
        return value

    @property
    def correct_choice(self) -> str | None:
        return self.answer

    def effective_time_limit(self, defaults: Defaults) -> int:
        return self.time_limit if self.time_limit is not None else defaults.time_limit

    def effective_attempts(self, defaults: Defaults) -> int:
        return self.attempts if self.attempts is not None else defaults.attempts


class Requires(_Strict):
    """What a pack needs from the installation, as version specifiers ("torch: '>=2.4'").

    The model checks only that a specifier is well formed; the loader compares it with what is installed and
    refuses the pack, saying why, when it is not met (a question about a newer API would be wrong otherwise).
    """

    torch: str | None = None

    @field_validator("torch")
    @classmethod
    def _specifier(cls, value: str | None) -> str | None:
        if value is None:
            return value
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            SpecifierSet(value)
        except InvalidSpecifier:
            raise ValueError(f"{value!r} is not a version specifier such as '>=2.4'") from None
        return value


class Pack(_Strict):
    id: Slug
    title: Annotated[Text, StringConstraints(max_length=100)]
    description: Annotated[Text, StringConstraints(max_length=500)]
    author: Annotated[Text, StringConstraints(max_length=100)]
    badge: Badge | None = None
    defaults: Defaults = Defaults()
    requires: Requires | None = None
    questions: list[Question] = Field(min_length=1, max_length=200)

    @field_validator("questions")
    @classmethod
    def _unique_ids(cls, value: list[Question]) -> list[Question]:
        seen: set[str] = set()
        for question in value:
            if question.id in seen:
                raise ValueError(f"question id {question.id!r} is used twice")
            seen.add(question.id)
        return value

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)
