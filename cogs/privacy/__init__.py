"""`/privacy hide|show`, `/export-my-data` and `/forget-me`: a member's say over what TorchQuiz keeps and shows."""

from __future__ import annotations

from bot.client import TorchQuizBot
from cogs.privacy._cog import PrivacyCog


async def setup(bot: TorchQuizBot) -> None:
    await bot.add_cog(PrivacyCog(bot))
