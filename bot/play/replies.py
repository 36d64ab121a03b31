"""What a member is told after a click, in one wording for every mode, driven by the engine's outcomes."""

from __future__ import annotations

from bot.engine import AnswerOutcome, HintOutcome
from bot.ui.format import plural

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
