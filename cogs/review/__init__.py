"""Spaced review of the questions each member has answered (FSRS)."""

from __future__ import annotations

from bot.client import TorchQuizBot
from cogs.review._cog import ReviewCog


async def setup(bot: TorchQuizBot) -> None:
    await bot.add_cog(ReviewCog(bot))
