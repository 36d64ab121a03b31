"""`/quiz start|skip|stop|status`: live quiz sessions that moderators run in a channel, one per channel."""

from __future__ import annotations

import logging
import secrets
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.domain.plays import PlayMode
from bot.engine import QuestionClosed, QuizError
from bot.engine.live import LiveSession, Phase
from bot.moderation import NotModerator, is_moderator
from bot.storage import LiveSnapshot, PlayConflict
from bot.ui.format import clip, countdown, plural
from bot.ui.pack_choices import pack_choices
from cogs.quiz._buttons import DYNAMIC_ITEMS, lobby_view
from cogs.quiz._embeds import lobby_embed, standings_lines
from cogs.quiz._restore import close_interrupted
from cogs.quiz._runner import LiveQuiz

log = logging.getLogger(__name__)

Difficulty = Literal["beginner", "intermediate", "advanced", "expert"]


@app_commands.guild_only()
class QuizCog(commands.GroupCog, name="Quiz", group_name="quiz", group_description="Live quiz sessions"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot
        self.by_channel: dict[int, LiveQuiz] = {}
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        # Read now, before any command can start a quiz; closed once the gateway is up (it edits messages).
        running = await self.bot.store.running_live_sessions()
        interrupted = [session for session in running if self.bot.shard_slice.owns(session.guild_id)]
        self.bot.tasks.spawn(self._close_interrupted(interrupted), name="quiz-close-interrupted")

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        await self.bot.plays.release(PlayMode.LIVE, self.bot.clock(), shutting_down=self.bot.shutting_down)

    async def _close_interrupted(self, interrupted: list[LiveSnapshot]) -> None:
        await self.bot.wait_until_ready()
        closed = await close_interrupted(self.bot, interrupted)
        if closed:
            log.info("closed %d live session(s) interrupted by the last shutdown", closed)

    # -- commands --------------------------------------------------------------------------------------------

    @app_commands.command(name="start", description="Start a live quiz in this channel (moderators).")
    @app_commands.describe(
        pack="The question pack",
        count="How many questions (default: the server's setting)",
        time="Seconds per question (default: the server's setting)",
        difficulty="Only questions of this difficulty",
    )
    async def start(
        self,
        interaction: discord.Interaction,
        pack: str,
        count: app_commands.Range[int, 1, 50] | None = None,
        time: app_commands.Range[int, 5, 600] | None = None,
        difficulty: Difficulty | None = None,
    ) -> None:
        assert interaction.channel_id is not None
        options = await self.bot.store.guild_settings(interaction.guild_id or 0)
        if not is_moderator(interaction, options):
            raise NotModerator()
        if options.quiz_channel_id is not None and interaction.channel_id != options.quiz_channel_id:
            raise QuizError(f"Live quizzes run in <#{options.quiz_channel_id}> on this server.")
        running = self.by_channel.get(interaction.channel_id)
        if running is not None and running.session.phase is not Phase.FINISHED:
            raise QuizError(f"A quiz ({running.session.pack.title}) is already running in this channel.")
        chosen = self.bot.packs.get(pack, interaction.guild_id)
        if chosen is None:
            raise QuizError(f"There is no pack called `{clip(pack, 80)}`.")
        questions = [
            q for q in chosen.questions if q.type != "code" and (difficulty is None or q.difficulty == difficulty)
        ]
        if not questions:
            raise QuizError("That pack has no multiple-choice questions of that difficulty.")
        questions = questions[: count or options.default_count or self.bot.settings.quiz_count]
        time_limit = time or options.default_time_limit or self.bot.settings.quiz_time_limit
        play_id = secrets.token_hex(5)
        session = LiveSession(play_id, chosen, questions, time_limit=time_limit)
        try:
            await self.bot.store.start_live(
                play_id,
                guild_id=interaction.guild_id,
                channel_id=interaction.channel_id,
                owner_id=interaction.user.id,
                pack_id=chosen.id,
                started_at=self.bot.clock(),
                question_ids=[q.id for q in questions],
                time_limit=time_limit,
            )
        except PlayConflict:  # another bot process on the same database started one a moment ago
            raise QuizError("A quiz is already running in this channel.") from None
        quiz = LiveQuiz(
            self.bot,
            session,
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            moderator_id=interaction.user.id,
            lobby_seconds=self.bot.settings.quiz_lobby_seconds,
            pause_seconds=self.bot.settings.quiz_pause_seconds,
        )
        self.by_channel[interaction.channel_id] = quiz
        self.bot.plays.add(quiz)
        closes_at = self.bot.clock() + quiz.lobby_seconds
        response = await interaction.response.send_message(
            embed=lobby_embed(session, interaction.user.id, closes_at), view=lobby_view(play_id)
        )
        if isinstance(response.resource, discord.InteractionMessage):
            quiz.lobby_message = response.resource
            await self.bot.store.set_lobby_message(play_id, response.resource.id)
        log.info(
            "live quiz %s: %s, %d question(s), started by %s in channel %s",
            play_id,
            chosen.id,
            len(questions),
            interaction.user.id,
            interaction.channel_id,
        )
        task = self.bot.tasks.spawn(quiz.run(), name=f"live-quiz-{play_id}")
        task.add_done_callback(lambda _: self._forget(quiz))

    @start.autocomplete("pack")
    async def _pack_names(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return pack_choices(self.bot.packs, interaction.guild_id, current)

    @app_commands.command(name="skip", description="Close the current question now (moderators).")
    async def skip(self, interaction: discord.Interaction) -> None:
        quiz = await self._moderated(interaction)
        quiz.request_skip()
        await interaction.response.send_message("Closing this question now.", ephemeral=True)

    @app_commands.command(name="stop", description="End the quiz now; results so far are saved (moderators).")
    async def stop(self, interaction: discord.Interaction) -> None:
        quiz = await self._moderated(interaction)
        quiz.request_stop()
        await interaction.response.send_message("Stopping the quiz; the final standings follow.", ephemeral=True)

    @app_commands.command(name="status", description="What the quiz in this channel is doing.")
    async def status(self, interaction: discord.Interaction) -> None:
        quiz = self._running_here(interaction)
        session = quiz.session
        lines = [f"**{session.pack.title}** · {plural(len(session.participants), 'player')}"]
        if session.current is not None and session.current.closed_at is None:
            lines.append(
                f"Question {session.index + 1}/{len(session.questions)} closes {countdown(session.current.deadline)}"
            )
        elif session.index < 0:
            lines.append("In the lobby: press Join on the quiz message to play.")
        else:
            lines.append(f"Between questions ({session.index + 1}/{len(session.questions)} done).")
        lines.append(standings_lines(session.standings(), 3))
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    def _running_here(self, interaction: discord.Interaction) -> LiveQuiz:
        quiz = self.by_channel.get(interaction.channel_id or 0)
        if quiz is None or quiz.session.phase is Phase.FINISHED:
            raise QuizError("No quiz is running in this channel.")
        return quiz

    async def _moderated(self, interaction: discord.Interaction) -> LiveQuiz:
        options = await self.bot.store.guild_settings(interaction.guild_id or 0)
        if not is_moderator(interaction, options):
            raise NotModerator()
        return self._running_here(interaction)

    def _forget(self, quiz: LiveQuiz) -> None:
        # A new quiz may already run in this channel when the old one's task finishes: drop only this one.
        if self.by_channel.get(quiz.channel_id) is quiz:
            del self.by_channel[quiz.channel_id]
        self.bot.plays.discard(quiz)


__all__ = ["QuestionClosed", "QuizCog"]
