"""One live quiz in one channel: the engine's `LiveSession` driven through lobby, questions, reveals and podium.

Questions go out as ordinary channel messages (not interaction follow-ups), so a session can run longer than an
interaction token lives. The countdown is a `<t:…:R>` timestamp; the message is edited only when a question
closes, never to tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import discord

from bot.domain.plays import PlayMode, PlayStatus
from bot.engine import AnswerOutcome, HintOutcome, QuizError
from bot.engine.live import LiveSession, Phase, RoundReveal, SessionSummary
from bot.moderation import NotModerator, is_moderator
from bot.play.finish import Finisher, Outcome
from bot.play.replies import answer_reply, hint_reply
from bot.play.views import round_view
from bot.storage import ResultRecord
from bot.ui.format import plural
from cogs.quiz._buttons import lobby_view
from cogs.quiz._embeds import live_question_embed, lobby_embed, podium_embed, reveal_embed

if TYPE_CHECKING:
    from bot.client import TorchQuizBot

log = logging.getLogger(__name__)


class LiveQuiz:
    def __init__(
        self,
        bot: TorchQuizBot,
        session: LiveSession,
        *,
        guild_id: int | None,
        channel_id: int,
        moderator_id: int,
        lobby_seconds: float,
        pause_seconds: float,
    ) -> None:
        self.bot = bot
        self.session = session
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.moderator_id = moderator_id
        self.lobby_seconds = lobby_seconds
        self.pause_seconds = pause_seconds
        self.channel = bot.get_partial_messageable(channel_id, guild_id=guild_id)
        self.lobby_message: discord.InteractionMessage | None = None
        self.question_message: discord.Message | None = None
        self.changed = asyncio.Event()
        self.start_now = asyncio.Event()
        self.skip_requested = False
        self.stop_requested = False

    mode = PlayMode.LIVE

    @property
    def play_id(self) -> str:
        return self.session.session_id

    @property
    def ended(self) -> bool:
        return self.session.phase is Phase.FINISHED

    # -- clicks, routed here by the play layer (`bot.play.buttons`) and the lobby buttons --------------------

    async def on_join(self, interaction: discord.Interaction) -> None:
        joined = await self.join(interaction.user.id)
        players = plural(len(self.session.participants), "player")
        text = f"You're in! {players} so far." if joined else f"You're already in ({players})."
        await interaction.response.send_message(text, ephemeral=True)

    async def on_start_now(self, interaction: discord.Interaction) -> None:
        options = await self.bot.store.guild_settings(interaction.guild_id or 0)
        if interaction.user.id != self.moderator_id and not is_moderator(interaction, options):
            raise NotModerator()
        self.start_now.set()
        await interaction.response.send_message("Starting!", ephemeral=True)

    async def answer(self, interaction: discord.Interaction, round_id: str, choice: str) -> None:
        outcome = await self.record_answer(round_id, interaction.user.id, choice)
        await interaction.response.send_message(answer_reply(outcome), ephemeral=True)

    async def hint(self, interaction: discord.Interaction, round_id: str) -> None:
        hint = await self.record_hint(round_id, interaction.user.id)
        await interaction.response.send_message(hint_reply(hint), ephemeral=True)

    async def open_code(self, interaction: discord.Interaction, round_id: str) -> None:
        raise QuizError("Live quizzes have no code questions.")

    async def submit_code(self, interaction: discord.Interaction, round_id: str, code: str) -> None:
        raise QuizError("Live quizzes have no code questions.")

    async def stop(self, now: float, status: PlayStatus) -> None:
        self.request_stop()

    # -- member actions (all synchronous engine calls, then one stored write) ----------------------------------

    async def join(self, member_id: int) -> bool:
        now = self.bot.clock()
        joined = self.session.join(member_id, now)
        if joined:
            await self.bot.store.add_participant(self.play_id, member_id, joined_at=now)
        return joined

    async def record_answer(self, round_id: str, member_id: int, choice: str) -> AnswerOutcome:
        now = self.bot.clock()
        new_member = member_id not in self.session.participants
        outcome = self.session.answer(round_id, member_id, choice, now)
        if new_member:
            await self.bot.store.add_participant(self.play_id, member_id, joined_at=now)
        await self.bot.store.record_attempt(
            round_id, member_id, choice=outcome.choice, attempt=outcome.attempt, correct=outcome.correct, created_at=now
        )
        if outcome.finished:
            self.changed.set()
        return outcome

    async def record_hint(self, round_id: str, member_id: int) -> HintOutcome:
        now = self.bot.clock()
        new_member = member_id not in self.session.participants
        hint = self.session.take_hint(round_id, member_id, now)
        if new_member:
            await self.bot.store.add_participant(self.play_id, member_id, joined_at=now)
        if hint.charged:
            await self.bot.store.record_hint(round_id, member_id, created_at=now)
        return hint

    def request_skip(self) -> None:
        self.skip_requested = True
        self.changed.set()

    def request_stop(self) -> None:
        self.stop_requested = True
        self.start_now.set()
        self.changed.set()

    # -- the lifecycle ---------------------------------------------------------------------------------------

    async def run(self) -> None:
        """Lobby, then each question in turn, then the podium; results are stored as they happen."""
        try:
            await self._lobby()
            if not self.session.participants and not self.stop_requested:
                await self._cancel("Nobody joined, so the quiz did not start.")
                return
            while self.session.has_next and not self.stop_requested:
                await self._play_question()
                if self.session.has_next and not self.stop_requested:
                    await self._pause()
            await self._finish()
        except asyncio.CancelledError:
            # Shutdown: leave the session stored as running; the next start closes it with results saved.
            raise

    async def _lobby(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.start_now.wait(), timeout=self.lobby_seconds)
        if self.lobby_message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.lobby_message.edit(
                    embed=lobby_embed(self.session, self.moderator_id, None), view=lobby_view(self.play_id, closed=True)
                )

    async def _play_question(self) -> None:
        now = self.bot.clock()
        current = self.session.open_next(now)
        await self.bot.store.open_round(
            current.round_id,
            play_id=self.play_id,
            position=self.session.index,
            question_id=current.question.id,
            opened_at=current.opened_at,
            deadline=current.deadline,
        )
        self.skip_requested = False
        self.question_message = await self.channel.send(
            embed=live_question_embed(self.session),
            view=round_view(current.round_id, len(current.question.choices or ())),
        )
        await self.bot.store.set_round_message(current.round_id, self.question_message.id)
        await self._wait_for_close(current.deadline)
        await self._close_question()

    async def _wait_for_close(self, deadline: float) -> None:
        while not (self.skip_requested or self.stop_requested or self.session.everyone_done()):
            remaining = deadline - self.bot.clock()
            if remaining <= 0:
                return
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), timeout=remaining)

    async def _close_question(self) -> RoundReveal:
        now = self.bot.clock()
        reveal = self.session.close_current(now)
        if self.stop_requested:
            self.session.phase = Phase.FINISHED
        await self._store_reveal(reveal, now)
        current = reveal.round
        if self.question_message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.question_message.edit(
                    embed=reveal_embed(self.session, reveal),
                    view=round_view(
                        current.round_id,
                        len(current.question.choices or ()),
                        answer=current.question.answer,
                        closed=True,
                    ),
                )
        return reveal

    async def _store_reveal(self, reveal: RoundReveal, now: float) -> None:
        await self.bot.finisher.record(PlayMode.LIVE, outcomes_of(self.session, self.guild_id, reveal, now))
        await self.bot.store.close_round(reveal.round.round_id, closed_at=now)

    async def _pause(self) -> None:
        end = self.bot.clock() + self.pause_seconds
        while not self.stop_requested and (remaining := end - self.bot.clock()) > 0:
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), timeout=remaining)

    async def _finish(self) -> None:
        status = PlayStatus.STOPPED if self.stop_requested and self.session.has_next else PlayStatus.FINISHED
        summary = await record_finish(self.bot.finisher, self.session, self.guild_id, self.bot.clock(), status)
        log.info(
            "live quiz %s %s: %d player(s), %d question(s)",
            self.play_id,
            status,
            len(summary.standings),
            summary.questions_played,
        )
        note = "The quiz was stopped early; the results so far are saved." if status is PlayStatus.STOPPED else None
        await self.channel.send(embed=podium_embed(self.session, summary, ended_early=note))

    async def _cancel(self, reason: str) -> None:
        self.session.phase = Phase.FINISHED
        await self.bot.finisher.finish(self.play_id, now=self.bot.clock(), status=PlayStatus.CANCELLED)
        await self.channel.send(reason)


def outcomes_of(session: LiveSession, guild_id: int | None, reveal: RoundReveal, now: float) -> list[Outcome]:
    """Every participant's outcome on a closed question, ready to store (idempotently) and to review."""
    question = reveal.round.question
    return [
        Outcome(
            ResultRecord(
                round_id=reveal.round.round_id,
                user_id=result.member_id,
                guild_id=guild_id,
                pack_id=session.pack.id,
                question_id=question.id,
                correct=result.correct,
                points=result.points,
                attempts=result.attempts,
                hints=result.hints,
                tags=question.tags,
                created_at=now,
            ),
            timed_out=not result.finished,
            seconds=result.seconds,
            time_limit=reveal.round.deadline - reveal.round.opened_at,
        )
        for result in reveal.results
    ]


async def record_finish(
    finisher: Finisher, session: LiveSession, guild_id: int | None, now: float, status: PlayStatus
) -> SessionSummary:
    """Award the badges the session earned and mark it ended; returns the summary to show."""
    summary = session.summary()
    session.phase = Phase.FINISHED
    await finisher.finish(
        session.session_id,
        now=now,
        status=status,
        badge=(summary.badge, session.pack.id) if summary.badge is not None else None,
        winners=summary.badge_winners,
        guild_id=guild_id,
    )
    return summary
