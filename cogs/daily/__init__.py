"""The daily question: one question a day per server, the same for everyone, answered privately."""

from __future__ import annotations

from bot.client import TorchQuizBot
from cogs.daily._cog import DailyCog


async def setup(bot: TorchQuizBot) -> None:
    await bot.add_cog(DailyCog(bot))
