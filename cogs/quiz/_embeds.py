"""What the channel sees during a live quiz: lobby, question, reveal with counts and standings, podium."""

from __future__ import annotations

import discord

from bot.engine.live import LiveSession, RoundReveal, SessionSummary, Standing
from bot.engine.scoring import base_points
from bot.play.replies import answer_bars, reveal_text
from bot.ui.format import (
    clip,
    countdown,
    plural,
)
from bot.ui.question import question_embed

MEDALS = ("🥇", "🥈", "🥉")


def lobby_embed(session: LiveSession, moderator_id: int, closes_at: float | None) -> discord.Embed:
    pack = session.pack
    when = f"Starts {countdown(closes_at)}" if closes_at is not None else "Starting…"
    embed = discord.Embed(
        title=clip(f"Live quiz: {pack.title}", 256),
        description=(
            f"{clip(pack.description, 800)}\n\n"
            f"**{plural(len(session.questions), 'question')}**, {session.time_limit} s each. "
            f"Press **Join** to play. {when}."
        ),
        colour=discord.Colour.blurple(),
    )
    embed.add_field(name="Host", value=f"<@{moderator_id}>")
    embed.add_field(name="Players", value=str(len(session.participants)))
    if pack.badge is not None and len(session.questions) == len(pack.questions):
        embed.add_field(name="Badge", value=f"{pack.badge.emoji} {pack.badge.name} for a perfect run")
    embed.set_footer(text="Answers stay private. Faster correct answers earn more: 100% at the start, 50% at the end.")
    return embed


def live_question_embed(session: LiveSession) -> discord.Embed:
    current = session.current
    assert current is not None
    return question_embed(
        f"Question {session.index + 1}/{len(session.questions)} · {session.pack.title}",
        current,
        points=f"up to {base_points(current.question.difficulty)}",
        footer="Click an answer; only you see whether it was right. A hint costs a quarter.",
    )


def standings_lines(standings: tuple[Standing, ...], limit: int) -> str:
    lines = []
    for place, standing in enumerate(standings[:limit], start=1):
        marker = MEDALS[place - 1] if place <= len(MEDALS) else f"{place}."
        lines.append(f"{marker} <@{standing.member_id}> — {standing.points} ({standing.correct} right)")
    return "\n".join(lines) or "Nobody has scored yet."


def reveal_embed(session: LiveSession, reveal: RoundReveal) -> discord.Embed:
    question = reveal.round.question
    answer = question.answer or "?"
    embed = discord.Embed(
        title=clip(f"Question {session.reveals.index(reveal) + 1}/{len(session.questions)} · closed", 256),
        description=clip(reveal_text(question), 4096),
        colour=discord.Colour.green(),
    )
    embed.add_field(name="Answers", value=answer_bars(reveal.counts, answer), inline=False)
    if reveal.fastest is not None:
        member, seconds = reveal.fastest
        embed.add_field(name="Fastest correct", value=f"<@{member}> in {seconds:.1f} s")
    right = sum(result.correct for result in reveal.results)
    embed.add_field(name="Got it right", value=f"{right} of {plural(len(reveal.results), 'player')}")
    embed.add_field(name="Top five", value=standings_lines(session.standings(), 5), inline=False)
    return embed


def podium_embed(session: LiveSession, summary: SessionSummary, *, ended_early: str | None = None) -> discord.Embed:
    description = standings_lines(summary.standings, 10)
    if ended_early:
        description = f"{ended_early}\n\n{description}"
    embed = discord.Embed(
        title=clip(f"🏆 Final standings · {session.pack.title}", 256),
        description=clip(description, 4096),
        colour=discord.Colour.gold(),
    )
    embed.add_field(name="Questions played", value=f"{summary.questions_played} of {len(session.questions)}")
    embed.add_field(name="Players", value=str(len(summary.standings)))
    if summary.badge is not None:
        winners = ", ".join(f"<@{m}>" for m in summary.badge_winners[:20])
        embed.add_field(
            name=f"{summary.badge.emoji} {summary.badge.name}", value=clip(f"Earned by {winners}", 1024), inline=False
        )
    return embed
