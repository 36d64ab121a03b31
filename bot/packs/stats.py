"""Counts of questions by pack, type and difficulty, as `packs check` prints them (and the README lists them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.packs.models import LETTERS, Pack, Question

TYPES = ("conceptual", "predict_output", "model_choice", "hyperparameter", "metrics", "debug", "code")
SHORT_TYPES = ("concept", "predict", "model", "hyper", "metrics", "debug", "code")
DIFFICULTIES = ("beginner", "intermediate", "advanced", "expert")
SHORT_DIFFICULTIES = ("beg", "int", "adv", "exp")


def count_table(packs: Sequence[Pack]) -> str:
    """A fixed-width table: one row per pack, a total row, questions by type then by difficulty."""
    header = ["pack", "total", *SHORT_TYPES, *SHORT_DIFFICULTIES]
    rows = [_row(pack.id, list(pack.questions)) for pack in packs]
    rows.append(_row("all packs", [q for pack in packs for q in pack.questions]))
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for row in table:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def _row(name: str, questions: list[Question]) -> list[str]:
    types = [sum(q.type == kind for q in questions) for kind in TYPES]
    levels = [sum(q.difficulty == level for q in questions) for level in DIFFICULTIES]
    return [name, str(len(questions)), *(str(n) for n in [*types, *levels])]


LONGEST_LIMIT = 0.30
"""At most this share of multiple-choice questions may have the correct choice as their unique longest option."""
LETTER_LIMIT = 0.35
"""No answer letter may hold more than this share of the keys."""


@dataclass(frozen=True)
class AnswerCues:
    """Patterns a test-wise member could score with, without knowing PyTorch."""

    multiple_choice: int
    longest_correct: int
    """Questions whose correct choice is the unique longest option."""
    letters: dict[str, int]

    @property
    def longest_share(self) -> float:
        return self.longest_correct / self.multiple_choice if self.multiple_choice else 0.0

    @property
    def largest_letter_share(self) -> float:
        return max(self.letters.values()) / self.multiple_choice if self.multiple_choice else 0.0

    def lines(self) -> list[str]:
        """What `packs check` prints, with a WARN line for each figure past its limit."""
        spread = " · ".join(f"{letter} {count}" for letter, count in sorted(self.letters.items()))
        lines = [
            f"answer cues: the correct choice is the unique longest in {self.longest_correct} of "
            f"{self.multiple_choice} multiple-choice questions ({self.longest_share:.0%}; limit {LONGEST_LIMIT:.0%})",
            f"answer cues: answer letters {spread} (largest {self.largest_letter_share:.0%}; limit {LETTER_LIMIT:.0%})",
        ]
        if self.longest_share > LONGEST_LIMIT:
            lines.append("WARN the longest option is the answer too often: lengthen the distractors")
        if self.largest_letter_share > LETTER_LIMIT:
            lines.append("WARN one answer letter holds too many keys: move some answers to other letters")
        return lines


def answer_cues(packs: Sequence[Pack]) -> AnswerCues:
    longest = 0
    letters: dict[str, int] = {}
    questions = [q for pack in packs for q in pack.questions if q.choices and q.answer]
    for question in questions:
        assert question.choices is not None and question.answer is not None
        lengths = [len(choice) for choice in question.choices]
        correct = lengths[LETTERS.index(question.answer)]
        if correct == max(lengths) and lengths.count(correct) == 1:
            longest += 1
        letters[question.answer] = letters.get(question.answer, 0) + 1
    return AnswerCues(len(questions), longest, letters)
