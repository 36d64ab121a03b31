"""Untimed practice by pack, topic and difficulty."""

from __future__ import annotations

from bot.client import TorchQuizBot
from cogs.practice._cog import PracticeCog


async def setup(bot: TorchQuizBot) -> None:
    await bot.add_cog(PracticeCog(bot))
