"""The /packs extension."""

from __future__ import annotations

from bot.client import TorchQuizBot
from cogs.packs._cog import PacksCog


async def setup(bot: TorchQuizBot) -> None:
    await bot.add_cog(PacksCog(bot))
