"""The one path by which failures reach a member: a short private reply, always within Discord's 3 seconds.

Known refusals (domain errors, missing permissions, cooldowns) are explained; anything else is logged with its
traceback and the member gets a generic apology instead of a silent failure.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.engine.errors import QuizError

log = logging.getLogger(__name__)

# Discord's API names differ from what members see in their server settings.
PERMISSION_NAMES = {"manage_guild": "Manage Server", "manage_messages": "Manage Messages"}

GENERIC_FAILURE = "Something went wrong on TorchQuiz's side. It has been logged; please try again."


def describe_error(error: BaseException) -> str | None:
    """A member-facing sentence for an expected error, or None for a bug."""
    original = getattr(error, "original", None)
    if isinstance(error, app_commands.CommandInvokeError) and original is not None:
        error = original
    if isinstance(error, QuizError):
        return error.message
    if isinstance(error, app_commands.MissingPermissions):
        names = ", ".join(PERMISSION_NAMES.get(p, p.replace("_", " ").title()) for p in error.missing_permissions)
        return f"You need the {names} permission to do that."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server channel, not in direct messages."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You can't use this command here."
    return None


async def send_private(interaction: discord.Interaction, content: str) -> None:
    """Reply privately whether or not the interaction was already acknowledged."""
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True)
    else:
        await interaction.response.send_message(content, ephemeral=True)


async def reply_error(interaction: discord.Interaction, error: BaseException) -> None:
    message = describe_error(error)
    if message is None:
        log.error("interaction %s failed", interaction.id, exc_info=error)
        message = GENERIC_FAILURE
    try:
        await send_private(interaction, message)
    except discord.HTTPException:
        log.warning("could not deliver an error reply for interaction %s", interaction.id)


class TorchQuizTree(app_commands.CommandTree[discord.Client]):
    """Command tree whose errors all go through `reply_error`."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await reply_error(interaction, error)
