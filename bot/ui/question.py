"""The embed of an open question, shared by the timed challenge and live quizzes so both read the same."""

from __future__ import annotations

import discord

from bot.engine import QuestionRound
from bot.ui.format import DIFFICULTY_COLOURS, TYPE_LABELS, choice_lines, clip, code_block, countdown


def question_embed(
    title: str, current: QuestionRound, *, points: str, footer: str, timed: bool = True
) -> discord.Embed:
    """Prompt, code, then the choices (or the starter of a code question); type, difficulty, points, deadline."""
    question = current.question
    parts = [question.prompt]
    if question.code:
        parts.append(code_block(question.code))
    if question.type == "code":
        parts.append("**Starter code** (press Submit code to edit and run it):")
        parts.append(code_block(question.starter or ""))
    else:
        parts.append(choice_lines(question))
    embed = discord.Embed(
        title=clip(title, 256), description="\n\n".join(parts), colour=DIFFICULTY_COLOURS[question.difficulty]
    )
    embed.add_field(name="Type", value=TYPE_LABELS[question.type])
    embed.add_field(name="Difficulty", value=question.difficulty.title())
    embed.add_field(name="Points", value=points)
    embed.add_field(name="Attempts", value=str(current.max_attempts))
    embed.add_field(name="Closes", value=countdown(current.deadline) if timed else "untimed")
    embed.set_footer(text=footer)
    return embed
