"""Buttons that Discord routes back by their custom_id alone, so they keep working after a restart.

Every click on one goes through `handle`; whatever it raises reaches the one error path (`reply_error`), so a
member always gets an answer. discord.py would otherwise only log an exception from a dynamic item.
"""

from __future__ import annotations

from typing import Any, TypeVar

import discord
from discord.ext import commands

from bot.replies import reply_error

CogT = TypeVar("CogT", bound=commands.Cog)


class RoutedButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"(?!)"):
    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.handle(interaction)
        except Exception as exc:
            await reply_error(interaction, exc)

    async def handle(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError


def cog_of(interaction: discord.Interaction, kind: type[CogT]) -> CogT:
    """The loaded cog of this type, for a button callback that has only the interaction to go on."""
    cog = interaction.client.get_cog(kind.__cog_name__)  # type: ignore[attr-defined]
    assert isinstance(cog, kind)
    return cog
