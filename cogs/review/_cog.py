"""`/review`: the member's due cards, most overdue first, untimed and private.

Every question a member has answered, in any mode, is a card; FSRS (the `fsrs` package) decides when it comes
back, from how each answer went (`bot.engine.review.rating_for`). Review earns no leaderboard points.
"""

from __future__ import annotations

import secrets

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.domain.plays import PlayMode
from bot.domain.questions import Pack, Question
from bot.engine import ChallengeRun
from bot.play.private import start_private_play
from bot.ui.format import countdown


class ReviewCog(commands.Cog, name="Review"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot

    async def cog_unload(self) -> None:
        await self.bot.plays.release(PlayMode.REVIEW, self.bot.clock(), shutting_down=self.bot.shutting_down)

    @app_commands.command(name="review", description="Review the questions that are due for you (spaced repetition).")
    async def review(self, interaction: discord.Interaction) -> None:
        now = self.bot.clock()
        member = interaction.user.id
        size = self.bot.settings.review_session_size
        due = await self.bot.store.due_cards(member, now, size * 2)
        items: list[tuple[Pack, Question]] = []
        for card in due:
            pack = self.bot.packs.get(card.pack_id, interaction.guild_id)
            if pack is None or (card.question_id not in {q.id for q in pack.questions}):
                continue  # a pack this server cannot see, or a question that was removed
            question = pack.question(card.question_id)
            if question.type == "code" and self.bot.sandbox_unavailable() is not None:
                continue
            items.append((pack, question))
        count, next_due = await self.bot.store.review_counts(member, now)
        if not items:
            if next_due is not None:
                text = f"Nothing is due for review. Your next card comes back {countdown(next_due)}."
            else:
                text = (
                    "You have no cards yet: every question you answer (`/practice`, `/challenge`, quizzes) becomes one."
                )
            await interaction.response.send_message(text, ephemeral=True)
            return
        items = items[:size]
        later = f" Next after these: {countdown(next_due)}." if next_due is not None else ""
        intro = f"🔁 {count} card(s) due; here are {len(items)}, most overdue first.{later}"
        run = ChallengeRun(
            secrets.token_hex(5),
            items[0][0],
            member,
            [question for _, question in items],
            packs=[pack for pack, _ in items],
            timed=False,
        )
        await start_private_play(self.bot, interaction, run, PlayMode.REVIEW, intro=intro)
