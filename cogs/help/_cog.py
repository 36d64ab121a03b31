"""`/help`: the commands this bot offers, how points are scored, how reviews are rated and the daily streak.

Rule text comes from where the rules are defined (`bot.engine.scoring.RULES_TEXT`, `bot.engine.review`'s
`RATING_RULES_TEXT`, `bot.domain.plays.EARNS_POINTS`), so `/help` cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.domain.plays import EARNS_POINTS, PlayMode
from bot.engine.review import RATING_RULES_TEXT
from bot.engine.scoring import RULES_TEXT
from bot.ui.format import clip

AnyCommand = app_commands.Command[Any, ..., Any] | app_commands.Group

DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024

MODE_NAMES = {
    PlayMode.CHALLENGE: "`/challenge`",
    PlayMode.LIVE: "live quizzes (`/quiz`)",
    PlayMode.PRACTICE: "`/practice`",
    PlayMode.REVIEW: "`/review`",
    PlayMode.DAILY: "the daily question (`/daily`)",
}

DAILY_TEXT = (
    "One question a day per server, the same for everyone, posted in the server's channel at its local time "
    "(`/settings daily`). Answer privately with its buttons, or with `/daily` if you missed the post. It closes "
    "at local midnight and then shows the answer and how many chose each option.\n"
    "**Daily streak:** each day you answer the daily question right adds one day. A wrong answer, or a day "
    "without a right one, ends it: your next right answer starts a new streak. `/profile` shows your current "
    "and best daily streak."
)


def joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def points_text() -> str:
    """Which modes count on leaderboards, from `EARNS_POINTS`."""
    earning = [MODE_NAMES[mode] for mode in PlayMode if mode in EARNS_POINTS]
    teaching = [MODE_NAMES[mode] for mode in PlayMode if mode not in EARNS_POINTS]
    return (
        f"{joined(earning)} earn points. {joined(teaching)} earn **no leaderboard points**: they are for learning, "
        "untimed, with the explanation after each answer. Every answer, in any mode, still feeds your review cards "
        "and your topic mastery on `/profile`."
    )


def review_text() -> str:
    return (
        "Every question you answer becomes a card that comes back when you are about to forget it (FSRS). "
        f"How you answered rates it:\n{RATING_RULES_TEXT}"
    )


def command_line(command: AnyCommand) -> str:
    if isinstance(command, app_commands.Group):
        subcommands = " · ".join(sub.name for sub in command.commands)
        return f"`/{command.qualified_name}` {subcommands} — {command.description}"
    return f"`/{command.qualified_name}` — {command.description}"


def help_embed(commands_: list[AnyCommand]) -> discord.Embed:
    lines = [command_line(c) for c in sorted(commands_, key=lambda c: c.name)]
    intro = (
        "Practise PyTorch with timed challenges, live quizzes, untimed practice, spaced review and a daily question."
    )
    embed = discord.Embed(
        title="TorchQuiz help",
        description=clip("\n".join([intro, "", *lines]), DESCRIPTION_LIMIT),
        colour=discord.Colour.blurple(),
    )
    embed.add_field(name="Scoring", value=clip(RULES_TEXT, FIELD_LIMIT), inline=False)
    embed.add_field(name="Practice and review", value=clip(points_text(), FIELD_LIMIT), inline=False)
    embed.add_field(name="Review ratings", value=clip(review_text(), FIELD_LIMIT), inline=False)
    embed.add_field(name="Daily question", value=clip(DAILY_TEXT, FIELD_LIMIT), inline=False)
    embed.set_footer(text="Buttons A–E answer; 💡 Hint shows a clue. The countdown shows when a problem closes.")
    return embed


class HelpCog(commands.Cog, name="Help"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="How TorchQuiz works: commands, scoring, reviews and the daily.")
    async def help(self, interaction: discord.Interaction) -> None:
        listed = [c for c in self.bot.tree.get_commands() if isinstance(c, app_commands.Command | app_commands.Group)]
        await interaction.response.send_message(embed=help_embed(listed), ephemeral=True)
