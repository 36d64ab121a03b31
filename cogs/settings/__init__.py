"""The /settings extension."""

from __future__ import annotations

from bot.client import TorchQuizBot
from cogs.settings._cog import SettingsCog


async def setup(bot: TorchQuizBot) -> None:
    await bot.add_cog(SettingsCog(bot))
