"""The baseline for `bench/interactions.py`: a discord.py bot that only acknowledges button clicks.

`/panel` posts five buttons; every click is answered with a one-word ephemeral message, which is the least a
bot can do for an interaction. Run as ``python bench/bare_bot.py --http-base URL --gateway URL``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakediscord.patch import patch_discord

LABELS = ("A", "B", "C", "D", "Hint")


class Panel(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        for label in LABELS:
            button: discord.ui.Button[Panel] = discord.ui.Button(label=label, custom_id=f"bare:{label}")
            button.callback = self.acknowledge  # type: ignore[method-assign]
            self.add_item(button)

    async def acknowledge(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


class BareBot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0)
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(name="panel", description="Post the buttons")
        async def panel(interaction: discord.Interaction[Any]) -> None:
            await interaction.response.send_message("Click!", view=Panel())

    async def setup_hook(self) -> None:
        self.add_view(Panel())
        await self.tree.sync()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--http-base", required=True)
    parser.add_argument("--gateway", required=True)
    options = parser.parse_args()
    patch_discord(options.http_base, options.gateway)
    asyncio.run(BareBot().start("fake.bot.token"))


if __name__ == "__main__":
    main()
