"""The live quiz extension."""

from __future__ import annotations

from bot.client import TorchQuizBot
from cogs.quiz._cog import QuizCog


async def setup(bot: TorchQuizBot) -> None:
    await bot.add_cog(QuizCog(bot))
