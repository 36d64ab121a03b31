"""The profile extension."""

from __future__ import annotations

from bot.client import TorchQuizBot
from cogs.profile._cog import ProfileCog


async def setup(bot: TorchQuizBot) -> None:
    await bot.add_cog(ProfileCog(bot))
