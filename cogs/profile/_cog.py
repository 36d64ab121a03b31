"""`/profile [member]`: points, accuracy, streaks and badges."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.storage import Profile
from bot.ui.format import clip


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


class ProfileCog(commands.Cog, name="Profile"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot

    @app_commands.command(name="profile", description="Show points, accuracy, streaks and badges.")
    @app_commands.describe(member="Whose profile to show (default: yours)")
    async def profile(self, interaction: discord.Interaction, member: discord.User | None = None) -> None:
        target = member or interaction.user
        profile = await self.bot.store.profile(target.id)
        await interaction.response.send_message(embed=profile_embed(target, profile), ephemeral=True)
