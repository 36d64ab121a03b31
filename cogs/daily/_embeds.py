"""What the daily question looks like: the post, the post once its day closed, and a member's private result."""

from __future__ import annotations

import discord

from bot.engine import QuestionRound
from bot.engine.scoring import HINT_COST, base_points
from bot.play.replies import answer_bars, reveal_text
from bot.storage import DailyStreak
from bot.ui.format import choice_lines, clip, code_block, countdown, plural
from bot.ui.question import question_embed

DESCRIPTION_LIMIT = 4000
BAR_WIDTH = 10


def daily_title(day: str) -> str:
    return f"📅 Daily question · {day}"


def daily_question_embed(current: QuestionRound, day: str) -> discord.Embed:
    """The open question, as posted in the channel and as `/daily` shows it."""
    return question_embed(
        daily_title(day),
        current,
        points=str(base_points(current.question.difficulty)),
        footer=(
            f"One question a day, the same for everyone. A hint costs {round(HINT_COST * 100)}% of the points; "
            "a right answer keeps your daily streak going."
        ),
    )


def closed_embed(current: QuestionRound, day: str, *, right: int, finished: int) -> discord.Embed:
    """The post once its day is over: the question, the answer and why, how many chose each option."""
    question = current.question
    parts = [question.prompt]
    if question.code:
        parts.append(code_block(question.code))
    parts.append(choice_lines(question))
    parts.append(reveal_text(question))
    embed = discord.Embed(
        title=clip(f"{daily_title(day)} · closed", 256),
        description=clip("\n\n".join(parts), DESCRIPTION_LIMIT),
        colour=discord.Colour.green(),
    )
    embed.add_field(name="Answers", value=answer_bars(current.choice_counts(), question.answer), inline=False)
    embed.add_field(name="Got it right", value=f"{right} of {plural(finished, 'player')}")
    embed.set_footer(text="A new question comes tomorrow; /profile shows your daily streak.")
    return embed


def streak_line(streak: DailyStreak, *, correct: bool) -> str:
    """The member's daily streak after today's answer (the rule is in `bot.storage.daily`)."""
    best = f" · best {streak.best}" if streak.best > streak.current else ""
    if correct:
        new_best = " · a new best!" if streak.current == streak.best and streak.current > 1 else ""
        return f"🔥 {streak.current}-day streak{best}{new_best}"
    if streak.current > 0:
        return f"🧊 Your {streak.current}-day streak ends here: your next right answer starts a new one."
    return "No daily streak yet: get a daily question right to start one."


def result_embed(
    current: QuestionRound,
    day: str,
    *,
    correct: bool,
    streak: DailyStreak,
    review_note: str | None = None,
) -> discord.Embed:
    """What a member is told privately once they are done with the day's question (the verdict and the points are
    the reply's own line, `answer_reply`): the answer, why, and their daily streak."""
    question = current.question
    parts = [reveal_text(question)]
    if review_note:
        parts.append(review_note)  # a timestamp renders in the description, not in a footer
    embed = discord.Embed(
        title=clip(f"{daily_title(day)} · {'right' if correct else 'not this time'}", 256),
        description=clip("\n\n".join(parts), DESCRIPTION_LIMIT),
        colour=discord.Colour.green() if correct else discord.Colour.dark_grey(),
    )
    embed.add_field(name="Daily streak", value=streak_line(streak, correct=correct), inline=False)
    return embed


def answered_line(*, correct: bool, points: int) -> str:
    """One line for `/daily` once the member is done with today's question."""
    if correct:
        return f"You already got today's question right (+{points} points)."
    return "You already used your attempts on today's question."


def review_line(due: float | None) -> str | None:
    return None if due is None else f"🔁 This question comes back for review {countdown(due)}."
