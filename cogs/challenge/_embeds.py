"""Embeds of the timed challenge: a problem, its reveal, and the closing summary."""

from __future__ import annotations

import discord

from bot.engine import AnswerOutcome, ChallengeRun, ChallengeSummary, QuestionResult, QuestionRound
from bot.engine.scoring import HINT_COST, base_points
from bot.ui.format import (
    DIFFICULTY_COLOURS,
    TYPE_LABELS,
    choice_lines,
    choice_text,
    clip,
    code_block,
    countdown,
    plural,
)


def problem_embed(run: ChallengeRun, current: QuestionRound) -> discord.Embed:
    question = current.question
    parts = [question.prompt]
    if question.code:
        parts.append(code_block(question.code))
    parts.append(choice_lines(question))
    embed = discord.Embed(
        title=clip(f"{run.pack.title} · Problem {run.position}/{len(run.questions)}", 256),
        description="\n\n".join(parts),
        colour=DIFFICULTY_COLOURS[question.difficulty],
    )
    embed.add_field(name="Type", value=TYPE_LABELS[question.type])
    embed.add_field(name="Difficulty", value=question.difficulty.title())
    embed.add_field(name="Points", value=str(base_points(question.difficulty)))
    embed.add_field(name="Attempts", value=str(current.max_attempts))
    embed.add_field(name="Closes", value=countdown(current.deadline))
    embed.set_footer(text=f"A hint costs {int(HINT_COST * 100)}% of the points.")
    return embed


def verdict_line(result: QuestionResult, outcome: AnswerOutcome | None) -> str:
    if result.correct:
        return f"✅ **Correct!** +{result.points} points"
    if result.timed_out:
        return "⏰ **Time's up.** No points for this one."
    last = f" ({outcome.choice})" if outcome is not None else ""
    return f"❌ **Not this time{last}.** No attempts left."


def reveal_embed(run: ChallengeRun, result: QuestionResult, outcome: AnswerOutcome | None) -> discord.Embed:
    question = result.question
    answer = question.answer or "?"
    description = "\n\n".join(
        [
            verdict_line(result, outcome),
            f"**Answer: {answer}.** {choice_text(question, answer)}",
            question.explanation,
        ]
    )
    index = run.questions.index(question) + 1
    embed = discord.Embed(
        title=clip(f"{run.pack.title} · Problem {index}/{len(run.questions)} · closed", 256),
        description=description,
        colour=discord.Colour.green() if result.correct else discord.Colour.dark_grey(),
    )
    return embed


def summary_embed(run: ChallengeRun, summary: ChallengeSummary, *, badge_is_new: bool) -> discord.Embed:
    lines = [
        f"**{summary.correct}/{summary.total}** correct · **{summary.points}** points · "
        f"best streak {plural(summary.best_streak, 'answer')}",
    ]
    for number, result in enumerate(run.results, start=1):
        mark = "✅" if result.correct else ("⏰" if result.timed_out else "❌")
        lines.append(f"{mark} {number}. {clip(result.question.prompt, 80)} — {result.points}")
    if summary.badge is not None:
        status = "earned" if badge_is_new else "earned again (you already hold it)"
        lines.append(f"\n{summary.badge.emoji} Badge {status}: **{summary.badge.name}**")
    elif run.pack.badge is not None:
        lines.append(f"\nGet every problem right to earn {run.pack.badge.emoji} **{run.pack.badge.name}**.")
    return discord.Embed(
        title=clip(f"{run.pack.title} · challenge complete", 256),
        description="\n".join(lines),
        colour=discord.Colour.gold() if summary.badge else discord.Colour.blurple(),
    )
