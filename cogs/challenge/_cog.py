"""`/challenge pack`: the timed challenge, played privately by one member (a private play, `bot.play.private`)."""

from __future__ import annotations

import secrets

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.domain.plays import PlayMode
from bot.engine import ChallengeRun
from bot.play.private import start_private_play
from bot.ui.format import clip
from bot.ui.pack_choices import pack_choices


class ChallengeCog(commands.Cog, name="Challenge"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot

    async def cog_unload(self) -> None:
        await self.bot.plays.release(PlayMode.CHALLENGE, self.bot.clock(), shutting_down=self.bot.shutting_down)

    @app_commands.command(name="challenge", description="Play a pack's problems against the clock, privately.")
    @app_commands.describe(pack="The question pack to play")
    async def challenge(self, interaction: discord.Interaction, pack: str) -> None:
        chosen = self.bot.packs.get(pack, interaction.guild_id)
        if chosen is None:
            await interaction.response.send_message(
                f"There is no pack called `{clip(pack, 80)}`. Pick one from the list as you type.",
                ephemeral=True,
            )
            return
        questions = list(chosen.questions)
        if self.bot.sandbox_unavailable() is not None:
            # Code problems need the sandbox; play the rest rather than refuse the whole pack.
            questions = [q for q in questions if q.type != "code"]
        if not questions:
            reason = self.bot.sandbox_unavailable()
            await interaction.response.send_message(
                f"That pack has only code problems, and code can't run right now: {reason}.", ephemeral=True
            )
            return
        run = ChallengeRun(secrets.token_hex(5), chosen, interaction.user.id, questions)
        await start_private_play(self.bot, interaction, run, PlayMode.CHALLENGE)

    @challenge.autocomplete("pack")
    async def _pack_names(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return pack_choices(self.bot.packs, interaction.guild_id, current)
