"""`/profile [member]`: points, accuracy, streaks, badges, the daily streak in this server and topic mastery.

Topic mastery follows `bot.engine.mastery`: a topic (a question tag) scores the mean recall FSRS expects today
over the member's cards on it, or their accuracy on it when they have no card there yet. Tags live in the packs,
so a card whose pack or question this server cannot see counts for no topic.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.engine.mastery import TopicMastery, strongest, topic_mastery, weakest
from bot.engine.review import CardState
from bot.packs import PackLibrary
from bot.storage import DailyStreak, Profile
from bot.ui.format import clip

TOPICS_SHOWN = 3
SOURCE_NOTES = {"memory": "recall", "accuracy": "accuracy"}


def profile_embed(member: discord.abc.User, profile: Profile) -> discord.Embed:
    embed = discord.Embed(
        title=clip(f"{member.display_name}'s TorchQuiz profile", 256), colour=discord.Colour.blurple()
    )
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

    @app_commands.command(name="profile", description="Points, accuracy, streaks, badges and your topics.")
    @app_commands.describe(member="Whose profile to show (default: yours)")
    async def profile(self, interaction: discord.Interaction, member: discord.User | None = None) -> None:
        target = member or interaction.user
        now = self.bot.clock()
        store = self.bot.store
        embed = profile_embed(target, await store.profile(target.id))
        if interaction.guild_id is not None:
            options = await store.guild_settings(interaction.guild_id)
            add_daily_streak(embed, await store.daily_streak(target.id, interaction.guild_id, options.local_day(now)))
        cards = cards_with_tags(await store.cards_of(target.id), self.bot.packs, interaction.guild_id)
        masteries = topic_mastery(cards, await store.accuracy_by_tag(target.id), self.bot.scheduler, now)
        add_mastery(embed, masteries)
        await interaction.response.send_message(embed=embed, ephemeral=True)
