"""`/run`: a modal with a code box; the code runs in the sandbox and the output comes back in a code block."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.replies import reply_error
from bot.ui.run_output import render_run

log = logging.getLogger(__name__)

CODE_LIMIT = 4000  # Discord's limit for a text input
STARTER = "import torch\n\nx = torch.arange(6.0).reshape(2, 3)\nprint(x.sum(dim=0))\n"


class RunModal(discord.ui.Modal, title="Run PyTorch code"):
    code: discord.ui.TextInput[RunModal] = discord.ui.TextInput(
        label="Code",
        custom_id="code",
        style=discord.TextStyle.paragraph,
        default=STARTER,
        max_length=CODE_LIMIT,
    )

    def __init__(self, cog: RunCog, *, share: bool) -> None:
        super().__init__(timeout=15 * 60, custom_id="run:code")
        self.cog = cog
        self.share = share

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.cog.run_code(interaction, self.code.value, share=self.share)

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await reply_error(interaction, error)


class RunCog(commands.Cog, name="Run"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot

    @app_commands.command(name="run", description="Run a PyTorch snippet in the sandbox and see its output.")
    @app_commands.describe(share="Post the output in the channel instead of only to you")
    async def run(self, interaction: discord.Interaction, share: bool = False) -> None:
        refusal = await self.refusal(interaction)
        if refusal is not None:
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        await interaction.response.send_modal(RunModal(self, share=share))

    async def refusal(self, interaction: discord.Interaction) -> str | None:
        if interaction.guild_id is not None:
            options = await self.bot.store.guild_settings(interaction.guild_id)
            if not options.run_enabled:
                return "Moderators have switched `/run` off in this server."
        reason = self.bot.sandbox_unavailable()
        if reason is not None:
            return f"`/run` is unavailable: {reason}."
        return None

    async def run_code(self, interaction: discord.Interaction, code: str, *, share: bool) -> None:
        # The run may take up to the wall limit; deferring acknowledges the modal within Discord's 3 s.
        await interaction.response.defer(ephemeral=not share, thinking=True)
        assert self.bot.sandbox is not None
        result = await self.bot.sandbox.run(code, member_id=interaction.user.id)
        log.info("run for %s: %s", interaction.user.id, result.summary())
        content, attachment = render_run(result)
        # The content carries the member's output and error line: it pings no one and unfurls no link they printed.
        quiet = discord.AllowedMentions.none()
        if attachment is not None:
            await interaction.followup.send(
                content, file=attachment, ephemeral=not share, allowed_mentions=quiet, suppress_embeds=True
            )
        else:
            await interaction.followup.send(content, ephemeral=not share, allowed_mentions=quiet, suppress_embeds=True)
