"""The terminal side of `python -m bot packs play`: where lines come from and go to, and how text is styled.

Kept apart from the session loop so the loop can be driven by scripted lines in tests, and so the grader (the
real sandbox in `play.py`) is a small protocol rather than a dependency.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.engine.scoring import HINT_COST, base_points
from bot.packs.models import Question
from bot.sandbox.grader import Grade

MAX_WIDTH = 100


class Grader(Protocol):
    """Grades a code submission against a question (the real one wraps `bot.sandbox.grader.Grader`)."""

    def start(self) -> str | None:
        """Get ready to grade; returns why grading is impossible, or None. Called before each code problem."""

    def grade(self, code: str, question: Question) -> Grade:
        """Grade `code` as a submission to `question`; every outcome, a refusal included, is a `Grade`."""


@dataclass
class Console:
    """Where a session reads lines and writes text.

    `read_line(prompt)` returns one line without its newline, or None at the end of input; `color` turns on
    ANSI colours (only ever for a terminal).
    """

    read_line: Callable[[str], str | None]
    write: Callable[[str], None]
    color: bool = False
    width: int = MAX_WIDTH


class Style:
    """ANSI colours when the console is a terminal, plain text otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text

    def good(self, text: str) -> str:
        return self._wrap("32", text)

    def bad(self, text: str) -> str:
        return self._wrap("31", text)

    def strong(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)


def terminal_width() -> int:
    return min(shutil.get_terminal_size((MAX_WIDTH, 24)).columns, MAX_WIDTH)


def indent(code: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line.strip() else "" for line in code.rstrip().splitlines())


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def hint_cost(question: Question) -> str:
    """What the first hint takes off a correct answer ("37.5"), from the engine's own scoring constants."""
    return f"{base_points(question.difficulty) * HINT_COST:g}"
