"""The timed challenge extension."""

from __future__ import annotations

from bot.client import TorchQuizBot
from cogs.challenge._cog import ChallengeCog


async def setup(bot: TorchQuizBot) -> None:
    await bot.add_cog(ChallengeCog(bot))
