"""`/help`: the commands this bot offers and how points are scored."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.engine.scoring import RULES_TEXT
from bot.ui.format import clip

AnyCommand = app_commands.Command[Any, ..., Any] | app_commands.Group


def help_embed(commands_: list[AnyCommand]) -> discord.Embed:
    lines = [f"`/{c.qualified_name}` — {c.description}" for c in sorted(commands_, key=lambda c: c.name)]
    embed = discord.Embed(
        title="TorchQuiz help",
        description="Practise PyTorch with timed challenges, hints and explanations.",
        colour=discord.Colour.blurple(),
    )
    embed.add_field(name="Commands", value=clip("\n".join(lines), 1024), inline=False)
    embed.add_field(name="Scoring", value=RULES_TEXT, inline=False)
    embed.set_footer(text="Buttons A–E answer; 💡 Hint shows a clue. The countdown shows when a problem closes.")
    return embed


class HelpCog(commands.Cog, name="Help"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="How TorchQuiz works: commands and scoring.")
    async def help(self, interaction: discord.Interaction) -> None:
        listed = [c for c in self.bot.tree.get_commands() if isinstance(c, app_commands.Command | app_commands.Group)]
        await interaction.response.send_message(embed=help_embed(listed), ephemeral=True)
