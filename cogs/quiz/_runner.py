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

from bot.engine import AnswerOutcome, HintOutcome
from bot.engine.live import LiveSession, Phase, RoundReveal, SessionSummary
from bot.storage import ResultRecord, Store
from cogs.quiz._buttons import lobby_view, question_view
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

    @property
    def play_id(self) -> str:
        return self.session.session_id

    # -- member actions (called from button callbacks; all synchronous engine calls, then one stored write) ---

    async def join(self, member_id: int) -> bool:
        now = self.bot.clock()
        joined = self.session.join(member_id, now)
        if joined:
            await self.bot.store.add_participant(self.play_id, member_id, joined_at=now)
        return joined

    async def answer(self, round_id: str, member_id: int, choice: str) -> AnswerOutcome:
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

    async def hint(self, round_id: str, member_id: int) -> HintOutcome:
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
            view=question_view(current.round_id, len(current.question.choices or ())),
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
                    view=question_view(
                        current.round_id,
                        len(current.question.choices or ()),
                        answer=current.question.answer,
                        closed=True,
                    ),
                )
        return reveal

    async def _store_reveal(self, reveal: RoundReveal, now: float) -> None:
        await self.bot.store.record_results(results_of(self.session, self.guild_id, reveal, now))
        await self.bot.store.close_round(reveal.round.round_id, closed_at=now)

    async def _pause(self) -> None:
        end = self.bot.clock() + self.pause_seconds
        while not self.stop_requested and (remaining := end - self.bot.clock()) > 0:
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), timeout=remaining)

    async def _finish(self) -> None:
        status = "stopped" if self.stop_requested and self.session.has_next else "finished"
        summary = await record_finish(self.bot.store, self.session, self.guild_id, self.bot.clock(), status)
        log.info(
            "live quiz %s %s: %d player(s), %d question(s)",
            self.play_id,
            status,
            len(summary.standings),
            summary.questions_played,
        )
        note = "The quiz was stopped early; the results so far are saved." if status == "stopped" else None
        await self.channel.send(embed=podium_embed(self.session, summary, ended_early=note))

    async def _cancel(self, reason: str) -> None:
        self.session.phase = Phase.FINISHED
        await self.bot.store.finish_play(self.play_id, ended_at=self.bot.clock(), status="cancelled")
        await self.channel.send(reason)


def results_of(session: LiveSession, guild_id: int | None, reveal: RoundReveal, now: float) -> list[ResultRecord]:
    """Every participant's outcome on a closed question, ready to store (idempotently)."""
    question = reveal.round.question
    return [
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
        )
        for result in reveal.results
    ]


async def record_finish(
    store: Store, session: LiveSession, guild_id: int | None, now: float, status: str
) -> SessionSummary:
    """Award the badges the session earned and mark it ended; returns the summary to show."""
    summary = session.summary()
    if summary.badge is not None:
        for member_id in summary.badge_winners:
            await store.award_badge(
                member_id,
                pack_id=session.pack.id,
                name=summary.badge.name,
                emoji=summary.badge.emoji,
                guild_id=guild_id,
                awarded_at=now,
            )
    session.phase = Phase.FINISHED
    await store.finish_play(session.session_id, ended_at=now, status=status)
    return summary
