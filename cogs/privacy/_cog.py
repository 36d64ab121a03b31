"""`/privacy hide|show`, `/export-my-data` and `/forget-me`: every answer is private to the member who asked.

- `/privacy hide` leaves global leaderboards (server boards, where members know each other, still show you);
  `/privacy show` comes back.
- `/export-my-data` sends everything stored about the member as one JSON file (`Store.export_member`: table name to
  rows). It is never split: when the file is larger than this interaction may attach, the member is told so.
- `/forget-me` asks first (`_forget.ForgetView`), then ends the member's running plays and deletes everything
  (`Store.forget_member`), and reports what went.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from cogs.privacy._forget import WARNING, ForgetView

HIDDEN = (
    "🙈 You're hidden from global leaderboards now. Server leaderboards still show you."
    " `/privacy show` brings you back."
)
SHOWN = "👀 Global leaderboards show you again. `/privacy hide` hides you."


def export_file_name(user_id: int, now: float) -> str:
    return f"torchquiz-data-{user_id}-{datetime.fromtimestamp(now, tz=UTC):%Y%m%d}.json"


def export_bytes(data: dict[str, list[dict[str, object]]]) -> bytes:
    """The export as a file: readable JSON; anything JSON has no type for (none today) as text."""
    return (json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def export_summary(data: dict[str, list[dict[str, object]]]) -> str:
    counts = ", ".join(f"{table} {len(rows)}" for table, rows in data.items() if rows and table != "privacy")
    return "📦 Everything TorchQuiz stores about you, as JSON (table → rows)." + (
        f"\n-# Rows: {counts}." if counts else "\n-# TorchQuiz stores no answers of yours yet."
    )


def size_text(size: int) -> str:
    return f"{size / 2**20:.1f} MiB" if size >= 2**20 else f"{size / 2**10:.0f} KiB"


class PrivacyCog(commands.Cog, name="Privacy"):
    privacy = app_commands.Group(name="privacy", description="Whether global leaderboards show you")

    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot

    @privacy.command(name="hide", description="Leave global leaderboards (server leaderboards still show you).")
    async def hide(self, interaction: discord.Interaction) -> None:
        await self.bot.store.set_hidden(interaction.user.id, True)
        await interaction.response.send_message(HIDDEN, ephemeral=True)

    @privacy.command(name="show", description="Appear on global leaderboards again.")
    async def show(self, interaction: discord.Interaction) -> None:
        await self.bot.store.set_hidden(interaction.user.id, False)
        await interaction.response.send_message(SHOWN, ephemeral=True)

    @app_commands.command(name="export-my-data", description="Everything TorchQuiz stores about you, as a JSON file.")
    async def export_my_data(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.bot.store.export_member(interaction.user.id)
        payload = export_bytes(data)
        limit = interaction.filesize_limit
        if len(payload) > limit:
            await interaction.followup.send(
                f"Your data comes to {size_text(len(payload))}, more than the {size_text(limit)} a file can be here,"
                " so it can't be sent as one file. Ask the bot's operator for a copy.",
                ephemeral=True,
            )
            return
        name = export_file_name(interaction.user.id, self.bot.clock())
        await interaction.followup.send(
            export_summary(data), file=discord.File(io.BytesIO(payload), filename=name), ephemeral=True
        )

    @app_commands.command(name="forget-me", description="Delete everything TorchQuiz stores about you (asks first).")
    async def forget_me(self, interaction: discord.Interaction) -> None:
        view = ForgetView(self.bot, interaction.user.id)
        await interaction.response.send_message(WARNING, view=view, ephemeral=True)
        view.origin = interaction
