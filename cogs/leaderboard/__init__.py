"""`/leaderboard`: server and global boards by points or accuracy, paged with buttons routed by custom_id."""

from __future__ import annotations

from bot.client import TorchQuizBot
from cogs.leaderboard._cog import LeaderboardCog


async def setup(bot: TorchQuizBot) -> None:
    await bot.add_cog(LeaderboardCog(bot))
