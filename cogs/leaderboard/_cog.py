"""`/leaderboard [scope] [period] [pack] [sort]`: a server's or every server's board, ten members a page.

Only ranked results count (challenges, live quizzes, the daily question; practice and review never do). The board
is posted in the channel with page buttons that only the member who asked may press (`_buttons`). Mentions in it
never ping. A board by accuracy leaves out members with fewer than five ranked answers, and says so.
"""

from __future__ import annotations

from discord import AllowedMentions, Interaction, app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.engine.errors import QuizError
from bot.ui.format import clip
from bot.ui.pack_choices import pack_choices
from cogs.leaderboard._board import BoardSpec, Period, Scope, Sort, board_embed, load_board
from cogs.leaderboard._buttons import DYNAMIC_ITEMS, board_view


class LeaderboardCog(commands.Cog, name="Leaderboard"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    @app_commands.command(name="leaderboard", description="The top members here or everywhere, by points or accuracy.")
    @app_commands.describe(
        scope="This server (default) or every server",
        period="The last 7 days, the last 30 days, or all time (default)",
        pack="Only this pack's questions",
        sort="By points (default), or by accuracy among members with 5 answers or more",
    )
    async def leaderboard(
        self,
        interaction: Interaction,
        scope: Scope = "server",
        period: Period = "all",
        pack: str | None = None,
        sort: Sort = "points",
    ) -> None:
        if pack is not None and self.bot.packs.get(pack, interaction.guild_id) is None:
            raise QuizError(f"There is no pack called `{clip(pack, 80)}`.")
        spec = BoardSpec(interaction.user.id, scope=scope, period=period, sort=sort, pack_id=pack)
        board = await load_board(self.bot, spec, interaction.guild_id, 1)
        view = board_view(board)
        if view is None:
            await interaction.response.send_message(embed=board_embed(board), allowed_mentions=AllowedMentions.none())
        else:
            await interaction.response.send_message(
                embed=board_embed(board), view=view, allowed_mentions=AllowedMentions.none()
            )

    @leaderboard.autocomplete("pack")
    async def _pack_names(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        return pack_choices(self.bot.packs, interaction.guild_id, current)
