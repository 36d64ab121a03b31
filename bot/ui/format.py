"""Small formatting helpers that keep text inside Discord's limits."""

from __future__ import annotations

import discord

from bot.packs.models import LETTERS, Question

TYPE_LABELS = {
    "conceptual": "Conceptual",
    "predict_output": "Predict Output",
    "model_choice": "Model Choice",
    "hyperparameter": "Hyperparameter",
    "metrics": "Metrics",
    "debug": "Debug",
    "code": "Code",
}
DIFFICULTY_COLOURS = {
    "beginner": discord.Colour.green(),
    "intermediate": discord.Colour.blue(),
    "advanced": discord.Colour.orange(),
    "expert": discord.Colour.red(),
}


def clip(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def countdown(unix_time: float) -> str:
    """A Discord timestamp that counts down in every client, with no message edits."""
    return f"<t:{int(unix_time)}:R>"


def code_block(code: str, language: str = "python") -> str:
    # A snippet containing three backticks would end the block early; a zero-width joiner keeps it intact.
    fence = "`" * 3
    safe = code.rstrip().replace(fence, "`\u200d``")
    return f"{fence}{language}\n{safe}\n{fence}"


def choice_lines(question: Question) -> str:
    return "\n".join(f"**{letter}.** {text}" for letter, text in zip(LETTERS, question.choices or (), strict=False))


def choice_text(question: Question, letter: str) -> str:
    choices = question.choices or []
    index = LETTERS.index(letter)
    return choices[index] if index < len(choices) else letter


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
