"""`/settings`: per-server options, for moderators (the Manage Server permission)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SettingsCog(commands.GroupCog, group_name="settings", group_description="Server options (moderators)"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        # default_permissions only hides the commands; a server can override that, so check again here.
        permissions = interaction.permissions
        if not (permissions.manage_guild or permissions.administrator):
            raise app_commands.MissingPermissions(["manage_guild"])
        return True

    @app_commands.command(name="run", description="Allow or forbid /run in this server.")
    @app_commands.describe(allowed="Whether members may run code with /run")
    async def run(self, interaction: discord.Interaction, allowed: bool) -> None:
        assert interaction.guild_id is not None
        await self.bot.store.set_run_enabled(interaction.guild_id, allowed)
        state = "allowed" if allowed else "switched off"
        await interaction.response.send_message(f"`/run` is now {state} in this server.", ephemeral=True)

    @app_commands.command(name="show", description="Show this server's TorchQuiz options.")
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        options = await self.bot.store.guild_settings(interaction.guild_id)
        await interaction.response.send_message(
            f"`/run`: {'allowed' if options.run_enabled else 'switched off'}", ephemeral=True
        )
