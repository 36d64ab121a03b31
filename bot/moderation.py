"""Who counts as a moderator: the Manage Server permission, or the role a server set with /settings."""

from __future__ import annotations

import discord

from bot.engine import QuizError
from bot.storage import GuildSettings


class NotModerator(QuizError):
    def __init__(self) -> None:
        super().__init__("Only moderators (Manage Server, or the server's moderator role) can do that.")


def is_moderator(interaction: discord.Interaction, options: GuildSettings) -> bool:
    permissions = interaction.permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    roles = getattr(interaction.user, "roles", [])
    return options.moderator_role_id is not None and any(role.id == options.moderator_role_id for role in roles)


async def require_moderator(interaction: discord.Interaction, options: GuildSettings) -> None:
    if not is_moderator(interaction, options):
        raise NotModerator()
