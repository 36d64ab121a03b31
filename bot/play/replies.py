"""What a member is told after a click, in one wording for every mode, driven by the engine's outcomes."""

from __future__ import annotations

from bot.domain.questions import Question
from bot.engine import AnswerOutcome, HintOutcome
from bot.ui.format import choice_text, code_block, plural

HINT_CHARGED = "This hint costs a quarter of the points."
HINT_FREE = "No extra cost."


def answer_reply(outcome: AnswerOutcome, *, earns_points: bool = True) -> str:
    """The private answer to a button click: right (with points), wrong with attempts left, or the last try."""
    shown = outcome.choice if not outcome.choice.startswith("code:") else "That code"
    if outcome.correct:
        points = f" +{outcome.points} points" if earns_points else ""
        return f"✅ **{shown}** is right!{points}"
    if outcome.finished:
        return f"❌ **{shown}** is not right, and that was your last attempt."
    return f"❌ **{shown}** is not right. {plural(outcome.attempts_left, 'attempt')} left."


def hint_reply(hint: HintOutcome) -> str:
    return f"💡 **Hint:** {hint.text}\n-# {HINT_CHARGED if hint.charged else HINT_FREE}"


BAR_WIDTH = 10


def answer_key(question: Question) -> str:
    """The right answer as every reveal shows it: the letter and its text, or a reference solution for code."""
    if question.type == "code":
        return "**A reference solution:**\n" + code_block(question.solution or "")
    answer = question.answer or "?"
    return f"**Answer: {answer}.** {choice_text(question, answer)}"


def reveal_text(question: Question) -> str:
    """The answer and why, the same words in every mode once a question closes."""
    return f"{answer_key(question)}\n\n{question.explanation}"


def answer_bars(counts: dict[str, int], answer: str | None) -> str:
    """How many chose each option, as bars, the right one marked (live quizzes and the daily question)."""
    total = sum(counts.values())
    lines = []
    for letter, count in counts.items():
        filled = round(BAR_WIDTH * count / total) if total else 0
        mark = " ✅" if letter == answer else ""
        lines.append(f"`{letter}` {'█' * filled}{'░' * (BAR_WIDTH - filled)} {count}{mark}")
    return "\n".join(lines) or "No answers."
