"""`/profile [member] [scope]`: points, accuracy, streaks, badges, the daily streak, topic mastery and a chart.

Per server by default (points, accuracy and topics from this server's answers), or over every server with
`scope:global`. Topic mastery follows `bot.engine.mastery`: a topic (a question tag) scores the recall FSRS
expects a week ahead over the member's cards on it, or their accuracy on it when they have no card there yet.
Tags live in the packs, so a card whose pack or question this server cannot see counts for no topic.

The text answers at once; the chart (points per day over 30 days, topics as bars) is drawn in the chart process
and added to the same message when it is ready, so a slow or failed chart never delays or loses the profile.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.engine.mastery import TopicMastery, strongest, topic_mastery, weakest
from bot.engine.review import CardState
from bot.packs import PackLibrary
from bot.storage import DailyStreak, Profile, ProfileStats
from bot.ui.chart import ChartData
from bot.ui.format import clip

TOPICS_SHOWN = 3
CHART_DAYS = 30
CHART_NAME = "progress.png"
DAY = 24 * 3600.0
SOURCE_NOTES = {"memory": "recall", "accuracy": "accuracy"}


def profile_embed(member: discord.abc.User, profile: Profile, stats: ProfileStats | None = None) -> discord.Embed:
    """The text profile; `stats` (ranked answers in one server, or everywhere) replaces the all-time totals."""
    embed = discord.Embed(
        title=clip(f"{member.display_name}'s TorchQuiz profile", 256), colour=discord.Colour.blurple()
    )
    if stats is not None:
        profile = replace(profile, points=stats.points, answered=stats.answered, correct=stats.correct)
    accuracy = "—" if profile.accuracy is None else f"{profile.accuracy:.0%} ({profile.correct}/{profile.answered})"
    embed.add_field(name="Points", value=str(profile.points))
    embed.add_field(name="Accuracy", value=accuracy)
    embed.add_field(name="Streak", value=f"{profile.current_streak} now · best {profile.best_streak}")
    if profile.badges:
        shown = [f"{b.emoji} {b.name}" for b in profile.badges[:20]]
        more = len(profile.badges) - len(shown)
        embed.add_field(
            name=f"Badges ({len(profile.badges)})",
            value=clip("\n".join(shown) + (f"\n…and {more} more" if more else ""), 1024),
            inline=False,
        )
    else:
        embed.add_field(name="Badges", value="None yet: get every problem of a challenge right.", inline=False)
    if profile.answered == 0:
        embed.description = "No answers yet. Try `/challenge` to start."
    return embed


def daily_streak_text(streak: DailyStreak) -> str:
    if streak.best == 0:
        return "none yet: answer `/daily` right to start one"
    flame = "🔥 " if streak.current > 0 else ""
    return f"{flame}{streak.current} now · best {streak.best}"


def add_daily_streak(embed: discord.Embed, streak: DailyStreak) -> None:
    """Beside the answer streak, before the badges."""
    embed.insert_field_at(3, name="Daily streak", value=daily_streak_text(streak))


def mastery_line(mastery: TopicMastery) -> str:
    return f"`{mastery.tag}` {mastery.score:.0%} ({SOURCE_NOTES[mastery.source]}, {mastery.questions} q.)"


def add_mastery(embed: discord.Embed, masteries: list[TopicMastery]) -> None:
    """The strongest and weakest topics, and what to practise next; nothing when no topic is known yet.

    FSRS counts recall in whole days, so topics answered today all score the same: then they are listed as
    one "Topics" field rather than called strong or weak on a tie."""
    if not masteries:
        return
    target = weakest(masteries, 1)[0]
    best = strongest(masteries, TOPICS_SHOWN)
    if best[0].score == target.score:
        embed.add_field(name="Topics", value="\n".join(map(mastery_line, best)), inline=False)
    else:
        shown = {m.tag for m in best}
        worst = [m for m in weakest(masteries, TOPICS_SHOWN) if m.tag not in shown]
        embed.add_field(name="Strongest topics", value="\n".join(map(mastery_line, best)), inline=False)
        if worst:
            embed.add_field(name="Weakest topics", value="\n".join(map(mastery_line, worst)), inline=False)
    embed.add_field(name="Practise next", value=f"`/practice topic:{target.tag}`", inline=False)


def cards_with_tags(
    cards: list[CardState], packs: PackLibrary, guild_id: int | None
) -> list[tuple[CardState, list[str]]]:
    """Each card with its question's tags, from the packs this server can see."""
    paired: list[tuple[CardState, list[str]]] = []
    for card in cards:
        pack = packs.get(card.pack_id, guild_id)
        question = next((q for q in pack.questions if q.id == card.question_id), None) if pack else None
        if question is not None:
            paired.append((card, list(question.tags)))
    return paired


class ProfileCog(commands.Cog, name="Profile"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot

    @app_commands.command(name="profile", description="Points, accuracy, streaks, badges, your topics and a chart.")
    @app_commands.describe(member="Whose profile to show (default: yours)", scope="This server (default) or all")
    async def profile(
        self,
        interaction: discord.Interaction,
        member: discord.User | None = None,
        scope: Literal["server", "global"] = "server",
    ) -> None:
        target = member or interaction.user
        now = self.bot.clock()
        store = self.bot.store
        guild_id = interaction.guild_id if scope == "server" else None
        embed = profile_embed(target, await store.profile(target.id), await store.profile_stats(target.id, guild_id))
        embed.set_footer(text="This server" if guild_id is not None else "All servers")
        if interaction.guild_id is not None:
            options = await store.guild_settings(interaction.guild_id)
            add_daily_streak(embed, await store.daily_streak(target.id, interaction.guild_id, options.local_day(now)))
        cards = cards_with_tags(await store.cards_of(target.id), self.bot.packs, interaction.guild_id)
        masteries = topic_mastery(cards, await store.accuracy_by_tag(target.id, guild_id), self.bot.scheduler, now)
        add_mastery(embed, masteries)
        await interaction.response.send_message(embed=embed, ephemeral=True)
        days = await store.points_per_day(target.id, guild_id, now - CHART_DAYS * DAY)
        where = interaction.guild.name if guild_id is not None and interaction.guild else "all servers"
        data = ChartData(f"{target.display_name} · {where}", fill_days(days, now), chart_topics(masteries))
        png = await self.bot.charts.render(data)
        if png is None:
            return  # the text profile stands on its own
        embed.set_image(url=f"attachment://{CHART_NAME}")
        with contextlib.suppress(discord.HTTPException):
            await interaction.edit_original_response(
                embed=embed, attachments=[discord.File(io.BytesIO(png), filename=CHART_NAME)]
            )


def fill_days(days: list[tuple[str, int]], now: float) -> list[tuple[str, int]]:
    """The last `CHART_DAYS` UTC days, oldest first, with 0 for days without points."""
    points = dict(days)
    today = datetime.fromtimestamp(now, tz=UTC).date()
    span = [(today - timedelta(days=back)).isoformat() for back in range(CHART_DAYS - 1, -1, -1)]
    return [(day, points.get(day, 0)) for day in span]


def chart_topics(masteries: list[TopicMastery]) -> list[tuple[str, float, str]]:
    return [(m.tag, m.score, m.source) for m in masteries]
