"""The help extension."""

from __future__ import annotations

from bot.client import TorchQuizBot
from cogs.help._cog import HelpCog


async def setup(bot: TorchQuizBot) -> None:
    await bot.add_cog(HelpCog(bot))
