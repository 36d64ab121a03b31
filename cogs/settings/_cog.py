"""`/settings`: per-server options, for members with the Manage Server permission.

Options: where live quizzes may run, which role counts as moderator, the default time and number of questions
for `/quiz start`, and whether `/run` is allowed. Each subcommand answers with the server's options as they now
stand, so a moderator sees the effect at once.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.storage import GuildSettings


def describe(options: GuildSettings, bot: TorchQuizBot) -> str:
    defaults = bot.settings
    channel = f"<#{options.quiz_channel_id}>" if options.quiz_channel_id else "any channel"
    role = f"<@&{options.moderator_role_id}>" if options.moderator_role_id else "none (Manage Server only)"
    time = options.default_time_limit or defaults.quiz_time_limit
    count = options.default_count or defaults.quiz_count
    return (
        f"**Quiz channel:** {channel}\n"
        f"**Moderator role:** {role}\n"
        f"**Quiz defaults:** {count} questions, {time} s each\n"
        f"**/run:** {'allowed' if options.run_enabled else 'switched off'}"
    )


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SettingsCog(commands.GroupCog, name="Settings", group_name="settings", group_description="Server options"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        # default_permissions only hides the commands; a server can override that, so check again here.
        permissions = interaction.permissions
        if not (permissions.manage_guild or permissions.administrator):
            raise app_commands.MissingPermissions(["manage_guild"])
        return True

    async def _update(self, interaction: discord.Interaction, done: str, **changes: object) -> None:
        assert interaction.guild_id is not None
        options = await self.bot.store.update_guild_settings(interaction.guild_id, **changes)
        await interaction.response.send_message(f"{done}\n\n{describe(options, self.bot)}", ephemeral=True)

    @app_commands.command(name="run", description="Allow or forbid /run in this server.")
    @app_commands.describe(allowed="Whether members may run code with /run")
    async def run(self, interaction: discord.Interaction, allowed: bool) -> None:
        state = "allowed" if allowed else "switched off"
        await self._update(interaction, f"`/run` is now {state} in this server.", run_enabled=int(allowed))

    @app_commands.command(name="quiz-channel", description="Limit live quizzes to one channel (empty: any).")
    @app_commands.describe(channel="The only channel where /quiz start works; leave empty to allow any")
    async def quiz_channel(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        done = f"Live quizzes now run only in {channel.mention}." if channel else "Live quizzes may run in any channel."
        await self._update(interaction, done, quiz_channel_id=channel.id if channel else None)

    @app_commands.command(name="moderator-role", description="A role whose members may run quizzes (empty: none).")
    @app_commands.describe(role="Members with this role may start, skip and stop quizzes")
    async def moderator_role(self, interaction: discord.Interaction, role: discord.Role | None = None) -> None:
        done = f"{role.mention} can now run quizzes." if role else "Only Manage Server can run quizzes now."
        await self._update(interaction, done, moderator_role_id=role.id if role else None)

    @app_commands.command(name="quiz-defaults", description="Default time per question and number of questions.")
    @app_commands.describe(time="Seconds per question", count="Questions per quiz")
    async def quiz_defaults(
        self,
        interaction: discord.Interaction,
        time: app_commands.Range[int, 5, 600] | None = None,
        count: app_commands.Range[int, 1, 50] | None = None,
    ) -> None:
        changes: dict[str, object] = {}
        if time is not None:
            changes["default_time_limit"] = time
        if count is not None:
            changes["default_count"] = count
        await self._update(interaction, "Quiz defaults updated." if changes else "Nothing changed.", **changes)

    @app_commands.command(name="show", description="Show this server's TorchQuiz options.")
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        options = await self.bot.store.guild_settings(interaction.guild_id)
        await interaction.response.send_message(describe(options, self.bot), ephemeral=True)
