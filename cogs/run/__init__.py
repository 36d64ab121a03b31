"""The /run extension."""

from __future__ import annotations

from bot.client import TorchQuizBot
from cogs.run._cog import RunCog


async def setup(bot: TorchQuizBot) -> None:
    await bot.add_cog(RunCog(bot))
