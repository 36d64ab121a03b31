"""`/practice [pack] [topic] [difficulty] [count]`: untimed questions, privately, with the explanation after each.

Practice feeds spaced review and topic mastery (every answer is a review of that question's card) but earns no
leaderboard points.
"""

from __future__ import annotations

import random
import secrets
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.domain.plays import PlayMode
from bot.domain.questions import Pack, Question
from bot.engine import ChallengeRun, QuizError
from bot.play.private import start_private_play
from bot.ui.format import clip
from bot.ui.pack_choices import pack_choices, topic_choices

Difficulty = Literal["beginner", "intermediate", "advanced", "expert"]


class PracticeCog(commands.Cog, name="Practice"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot

    async def cog_unload(self) -> None:
        await self.bot.plays.release(PlayMode.PRACTICE, self.bot.clock(), shutting_down=self.bot.shutting_down)

    @app_commands.command(name="practice", description="Untimed practice, privately; explanations after each answer.")
    @app_commands.describe(
        pack="Only this pack (default: every pack)",
        topic="Only questions on this topic",
        difficulty="Only questions of this difficulty",
        count="How many questions (default 5)",
    )
    async def practice(
        self,
        interaction: discord.Interaction,
        pack: str | None = None,
        topic: str | None = None,
        difficulty: Difficulty | None = None,
        count: app_commands.Range[int, 1, 25] | None = None,
    ) -> None:
        chosen = self._questions(interaction.guild_id, pack, topic, difficulty)
        if not chosen:
            raise QuizError("No questions match that choice; try another topic or difficulty.")
        size = count or self.bot.settings.practice_default_count
        picked = random.sample(chosen, min(size, len(chosen)))
        packs = [item_pack for item_pack, _ in picked]
        questions = [question for _, question in picked]
        main = packs[0] if pack is None else self.bot.packs.get(pack, interaction.guild_id) or packs[0]
        run = ChallengeRun(secrets.token_hex(5), main, interaction.user.id, questions, packs=packs, timed=False)
        what = " · ".join(part for part in (topic, difficulty, main.title if pack else None) if part)
        intro = (
            f"📝 Practice{f' ({clip(what, 80)})' if what else ''}: {len(questions)} question(s), untimed, no points."
        )
        await start_private_play(self.bot, interaction, run, PlayMode.PRACTICE, intro=intro)

    def _questions(
        self, guild_id: int | None, pack_id: str | None, topic: str | None, difficulty: str | None
    ) -> list[tuple[Pack, Question]]:
        if pack_id is not None:
            only = self.bot.packs.get(pack_id, guild_id)
            if only is None:
                raise QuizError(f"There is no pack called `{clip(pack_id, 80)}`.")
            packs = [only]
        else:
            packs = self.bot.packs.available(guild_id)
        sandbox_down = self.bot.sandbox_unavailable() is not None
        return [
            (item_pack, question)
            for item_pack in packs
            for question in item_pack.questions
            if (topic is None or topic in question.tags)
            and (difficulty is None or question.difficulty == difficulty)
            and not (sandbox_down and question.type == "code")
        ]

    @practice.autocomplete("pack")
    async def _packs(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return pack_choices(self.bot.packs, interaction.guild_id, current)

    @practice.autocomplete("topic")
    async def _topics(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return topic_choices(self.bot.packs, interaction.guild_id, current)
