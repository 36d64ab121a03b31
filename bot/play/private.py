"""Private plays: one member's run through questions, delivered through the webhook of their interactions.

The timed challenge, practice and review are all this, with a different `PrivateMode`:
whether problems are timed, whether they earn points, and the words of their titles. Everything the member sees
is ephemeral, so the only way to change it later is through an interaction's webhook token (15 minutes); the
play keeps the latest one to post the next problem when a deadline, not a click, closes the current one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.plays import PlayMode, PlayStatus
from bot.engine import AnswerOutcome, ChallengeRun, QuestionResult, QuestionRound, QuizError
from bot.engine.review import CardState
from bot.play.buttons import CodeModal
from bot.play.embeds import code_report_embed, problem_embed, reveal_embed, summary_embed
from bot.play.finish import Outcome
from bot.play.modes import NotYourPlay, PrivateMode, policy_for
from bot.play.replies import answer_reply, hint_reply
from bot.play.views import round_view
from bot.storage import PlayConflict, ResultRecord
from bot.ui.format import countdown
from bot.ui.run_output import render_run

if TYPE_CHECKING:
    from bot.client import TorchQuizBot

log = logging.getLogger(__name__)

TOKEN_LIFETIME = 14.5 * 60
"""Interaction tokens expire after 15 minutes; past this age the play can no longer post on its own."""


class PrivatePlay:
    """A `ChallengeRun` on Discord: its messages, its timer, and what each click does."""

    def __init__(
        self,
        bot: TorchQuizBot,
        run: ChallengeRun,
        policy: PrivateMode,
        *,
        guild_id: int | None,
        channel_id: int | None,
        on_end: Callable[[PrivatePlay], None] = lambda play: None,
    ) -> None:
        self.bot = bot
        self.run = run
        self.policy = policy
        self.guild_id = guild_id
        self.channel_id = channel_id
        self._on_end = on_end
        self.lock = asyncio.Lock()
        self.message: discord.InteractionMessage | discord.WebhookMessage | None = None
        self.interaction: discord.Interaction | None = None
        self.interaction_at = 0.0
        self.timer: asyncio.Task[Any] | None = None
        self.last_code: dict[str, str] = {}
        self.last_card: CardState | None = None
        self._ended = False

    @property
    def play_id(self) -> str:
        return self.run.run_id

    @property
    def mode(self) -> PlayMode:
        return self.policy.mode

    @property
    def member_id(self) -> int:
        return self.run.member_id

    @property
    def ended(self) -> bool:
        return self._ended

    # -- opening problems ------------------------------------------------------------------------------------

    async def start(self, interaction: discord.Interaction, *, intro: str | None = None) -> None:
        """Store the play and its questions, then answer the command with the first problem (after `intro`)."""
        now = self.bot.clock()
        await self.bot.store.start_play(
            self.play_id,
            mode=self.mode.value,
            owner_id=self.member_id,
            pack_id=self.run.pack.id,
            started_at=now,
            guild_id=self.guild_id,
            channel_id=self.channel_id,
        )
        await self.bot.store.set_play_items(
            self.play_id, [(pack.id, q.id) for pack, q in zip(self.run.packs, self.run.questions, strict=True)]
        )
        current = self.run.open_next(now)
        assert current is not None
        self._remember(interaction, now)
        # Stored before it is shown: the member's first click may come before anything after the response runs.
        await self._store_round(current)
        response = await interaction.response.send_message(
            intro, embed=self._problem_embed(current), view=self._view(current), ephemeral=True
        )
        resource = response.resource
        self.message = resource if isinstance(resource, discord.InteractionMessage) else None
        self._arm_timer(current, now)

    def resume(self, now: float) -> None:
        """Carry on after a restart: the open problem keeps its deadline and answers the next click."""
        current = self.run.current
        if current is not None and current.closed_at is None:
            self._arm_timer(current, now)

    def _problem_embed(self, current: QuestionRound) -> discord.Embed:
        return problem_embed(self.run, current, title=self.policy.title, earns_points=self.policy.earns_points)

    def _view(self, current: QuestionRound, *, closed: bool = False) -> discord.ui.View:
        question = current.question
        tried = current.progress(self.member_id).tried
        return round_view(
            current.round_id, len(question.choices or ()), closed=closed, answer=question.answer, tried=tried
        )

    async def _store_round(self, current: QuestionRound) -> None:
        await self.bot.store.open_round(
            current.round_id,
            play_id=self.play_id,
            position=self.run.index,
            question_id=current.question.id,
            opened_at=current.opened_at,
            deadline=current.deadline,
        )

    def _remember(self, interaction: discord.Interaction, now: float) -> None:
        self.interaction = interaction
        self.interaction_at = now

    def _arm_timer(self, current: QuestionRound, now: float) -> None:
        """Close `current` at its deadline, counted from `now` (when it opened, or when the play resumed)."""
        if self.timer is not None and self.timer is not asyncio.current_task():
            self.timer.cancel()
        if self.run.timed:
            name = f"{self.mode.value}-timer-{current.round_id}"
            delay = max(current.deadline - now, 0.0)
            self.timer = self.bot.tasks.spawn(self._expire_at_deadline(current, delay), name=name)

    def _own(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.member_id:
            raise NotYourPlay()

    # -- member actions --------------------------------------------------------------------------------------

    async def answer(self, interaction: discord.Interaction, round_id: str, choice: str) -> None:
        self._own(interaction)
        async with self.lock:
            now = self.bot.clock()
            outcome = self.run.answer(round_id, choice, now)
            await self._store_attempt(round_id, outcome, now)
            self._remember(interaction, now)
            if not outcome.finished:
                await interaction.response.send_message(answer_reply(outcome), ephemeral=True)
                return
            result = self.run.results[-1]
            note = await self._record(result, now)
            await interaction.response.edit_message(
                embed=self._reveal_embed(result, outcome, note), view=self._revealed(result)
            )
            await self._after_close(result, now)

    async def hint(self, interaction: discord.Interaction, round_id: str) -> None:
        self._own(interaction)
        async with self.lock:
            now = self.bot.clock()
            hint = self.run.take_hint(round_id, now)
            if hint.charged:
                await self.bot.store.record_hint(round_id, self.member_id, created_at=now)
            self._remember(interaction, now)
            await interaction.response.send_message(hint_reply(hint), ephemeral=True)

    async def open_code(self, interaction: discord.Interaction, round_id: str) -> None:
        self._own(interaction)
        current = self.run.round(round_id)
        current.check_can_submit(self.member_id, self.bot.clock())
        prefill = self.last_code.get(round_id) or current.question.starter or ""
        await interaction.response.send_modal(CodeModal(round_id, prefill))

    async def submit_code(self, interaction: discord.Interaction, round_id: str, code: str) -> None:
        """Grade a submission in the sandbox; a refusal (busy, cooldown) or a broken question costs no attempt."""
        self._own(interaction)
        submitted_at = self.bot.clock()
        current = self.run.round(round_id)
        current.check_can_submit(self.member_id, submitted_at, code)
        self.last_code[round_id] = code
        # Grading takes up to the wall limit: acknowledge now, report in a follow-up.
        await interaction.response.defer(ephemeral=True, thinking=True)
        self._remember(interaction, submitted_at)
        if self.bot.grader is None:
            await interaction.followup.send("Code can't run: the sandbox is switched off.", ephemeral=True)
            return
        question = current.question
        grade = await self.bot.grader.grade(
            code, check=question.check or "", solution=question.solution or "", member_id=self.member_id
        )
        if grade.refused:
            content, _ = render_run(grade.run)
            await interaction.followup.send(f"{content}\nThis did not use an attempt.", ephemeral=True)
            return
        if grade.question_broken:
            note = "This problem's own reference solution failed, so it cannot be graded now; no attempt was used."
            await interaction.followup.send(embed=code_report_embed(grade, None, note=note), ephemeral=True)
            return
        async with self.lock:
            try:
                outcome = self.run.submit_code(round_id, code, passed=grade.passed, now=submitted_at)
            except QuizError as refusal:
                await interaction.followup.send(
                    embed=code_report_embed(grade, None, note=refusal.message), ephemeral=True
                )
                return
            await self._store_attempt(round_id, outcome, submitted_at)
            await interaction.followup.send(embed=code_report_embed(grade, outcome), ephemeral=True)
            if outcome.finished:
                result = self.run.results[-1]
                now = self.bot.clock()
                comes_back = await self._record(result, now)
                await self._reveal(result, outcome, comes_back)
                await self._after_close(result, now)

    async def _store_attempt(self, round_id: str, outcome: AnswerOutcome, at: float) -> None:
        """Written before the member is answered, so an acknowledged attempt is never lost."""
        await self.bot.store.record_attempt(
            round_id,
            self.member_id,
            choice=outcome.choice,
            attempt=outcome.attempt,
            correct=outcome.correct,
            created_at=at,
        )

    # -- closing problems ------------------------------------------------------------------------------------

    async def _expire_at_deadline(self, current: QuestionRound, delay: float) -> None:
        await asyncio.sleep(delay)
        async with self.lock:
            now = max(self.bot.clock(), current.deadline)
            result = self.run.expire(now)
            if result is None:
                return
            note = await self._record(result, now)
            await self._reveal(result, None, note)
            await self._after_close(result, now)

    async def _record(self, result: QuestionResult, now: float) -> str | None:
        """Store the problem's result and review; returns the line saying when the question comes back."""
        index = int(result.round_id.rsplit("-", 1)[1])
        current = self.run.current
        opened = current.opened_at if current is not None and current.round_id == result.round_id else now
        answered = current.progress(self.member_id).answered_at if current is not None else None
        record = ResultRecord(
            round_id=result.round_id,
            user_id=self.member_id,
            guild_id=self.guild_id,
            pack_id=self.run.pack_of(index).id,
            question_id=result.question.id,
            correct=result.correct,
            points=result.points,
            attempts=result.attempts,
            hints=result.hints,
            tags=result.question.tags,
            created_at=now,
        )
        time_limit = result.question.effective_time_limit(self.run.pack_of(index).defaults) if self.run.timed else None
        outcome = Outcome(
            record,
            timed_out=result.timed_out,
            seconds=None if answered is None else answered - opened,
            time_limit=time_limit,
        )
        cards = await self.bot.finisher.record(self.mode, [outcome])
        log.info(
            "%s %s: %s %s (%d attempt(s), %d hint(s))",
            self.mode.value,
            result.round_id,
            result.question.id,
            "right" if result.correct else "timed out" if result.timed_out else "missed",
            result.attempts,
            result.hints,
        )
        await self.bot.store.close_round(result.round_id, closed_at=now)
        card = cards.get(self.member_id)
        self.last_card = card
        return f"🔁 This question comes back for review {countdown(card.due)}." if card is not None else None

    def _reveal_embed(self, result: QuestionResult, outcome: AnswerOutcome | None, note: str | None) -> discord.Embed:
        return reveal_embed(
            self.run, result, outcome, title=self.policy.title, earns_points=self.policy.earns_points, note=note
        )

    def _revealed(self, result: QuestionResult) -> discord.ui.View:
        current = self.run.current
        assert current is not None and current.round_id == result.round_id
        return self._view(current, closed=True)

    async def _reveal(self, result: QuestionResult, outcome: AnswerOutcome | None, note: str | None) -> None:
        """Show the answer on the problem message itself, through the webhook that posted it."""
        if self.message is None:
            return
        try:
            await self.message.edit(embed=self._reveal_embed(result, outcome, note), view=self._revealed(result))
        except discord.HTTPException:
            log.warning("could not reveal problem %s", result.round_id)

    async def _after_close(self, result: QuestionResult, now: float) -> None:
        """Post the next problem or the summary."""
        if self.interaction is None or now - self.interaction_at > TOKEN_LIFETIME:
            await self.stop(now, PlayStatus.ABANDONED)
            return
        followup = self.interaction.followup
        current = self.run.open_next(now)
        if current is None:
            await self._finish(followup, now)
            return
        await self._store_round(current)
        self._arm_timer(current, now)
        self.message = await followup.send(
            embed=self._problem_embed(current), view=self._view(current), ephemeral=True, wait=True
        )

    async def _finish(self, followup: discord.Webhook, now: float) -> None:
        summary = self.run.summary()
        badge = summary.badge if self.policy.earns_points else None
        new = await self.bot.finisher.finish(
            self.play_id,
            now=now,
            status=PlayStatus.FINISHED,
            badge=(badge, self.run.pack.id) if badge is not None else None,
            winners=[self.member_id] if badge is not None else [],
            guild_id=self.guild_id,
        )
        self._close(now)
        footer = await self._summary_footer(now)
        embed = summary_embed(
            self.run,
            summary if self.policy.earns_points else replace(summary, badge=None),
            badge_is_new=self.member_id in new,
            title=self.policy.summary_title,
            earns_points=self.policy.earns_points,
            footer=footer,
        )
        await followup.send(embed=embed, ephemeral=True)

    async def _summary_footer(self, now: float) -> str | None:
        if self.policy.earns_points:
            return None
        due, next_due = await self.bot.store.review_counts(self.member_id, now)
        if due:
            return f"🔁 {due} card(s) are due for review now: `/review`."
        if next_due is not None:
            return f"🔁 Your next review is due {countdown(next_due)}."
        return None

    async def stop(self, now: float, status: PlayStatus) -> None:
        """End the play early; an open problem counts as missed and its result is saved."""
        if self._ended:
            return
        current = self.run.current
        open_round = current is not None and current.closed_at is None
        self.run.abandon(now)
        if open_round:
            await self._record(self.run.results[-1], now)
        self._close(now)
        await self.bot.finisher.finish(self.play_id, now=now, status=status)

    def _close(self, now: float) -> None:
        self._ended = True
        self._on_end(self)
        if self.timer is not None and self.timer is not asyncio.current_task():
            self.timer.cancel()


async def start_private_play(
    bot: TorchQuizBot, interaction: discord.Interaction, run: ChallengeRun, mode: PlayMode, *, intro: str | None = None
) -> PrivatePlay:
    """Start a private play of `run`; the member's earlier play of the same mode ends first (its answers kept)."""
    for previous in bot.plays.running(mode):
        if isinstance(previous, PrivatePlay) and previous.member_id == interaction.user.id:
            await previous.stop(bot.clock(), PlayStatus.ABANDONED)
    play = PrivatePlay(
        bot,
        run,
        policy_for(mode, run.pack),
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id,
        on_end=bot.plays.discard,
    )
    bot.plays.add(play)
    log.info("%s %s: %s started by %s", mode.value, run.run_id, run.pack.id, interaction.user.id)
    try:
        await play.start(interaction, intro=intro)
    except PlayConflict as conflict:  # another bot process on the same database runs one already
        bot.plays.discard(play)
        raise QuizError(f"This can't start now: {conflict}. Finish that one first.") from None
    return play
