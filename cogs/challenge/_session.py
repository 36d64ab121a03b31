"""One member's running timed challenge on Discord: the engine's `ChallengeRun` plus its messages and timer.

Everything the member sees is ephemeral, so the only way to change it later is through the webhook token of an
interaction. The session keeps the latest interaction (tokens last 15 minutes) to post the next problem when a
deadline, not a click, closes the current one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.engine import AnswerOutcome, ChallengeRun, QuestionResult, QuestionRound, QuizError
from bot.storage import ResultRecord, Store
from bot.ui.run_output import render_run
from cogs.challenge._buttons import CodeModal, problem_view, revealed_view
from cogs.challenge._embeds import code_report_embed, problem_embed, reveal_embed, summary_embed

if TYPE_CHECKING:
    from bot.client import TorchQuizBot

log = logging.getLogger(__name__)

# Interaction tokens expire after 15 minutes; past this age the session can no longer post.
TOKEN_LIFETIME = 14.5 * 60


class ChallengeSession:
    def __init__(
        self,
        bot: TorchQuizBot,
        run: ChallengeRun,
        guild_id: int | None,
        on_end: Callable[[ChallengeSession], None] = lambda session: None,
    ) -> None:
        self.bot = bot
        self._on_end = on_end
        self.run = run
        self.guild_id = guild_id
        self.lock = asyncio.Lock()
        self.message: discord.InteractionMessage | discord.WebhookMessage | None = None
        self.interaction: discord.Interaction | None = None
        self.interaction_at = 0.0
        self.timer: asyncio.Task[Any] | None = None
        self.last_code: dict[str, str] = {}
        self.ended = False

    @property
    def store(self) -> Store:
        return self.bot.store

    # -- opening problems ------------------------------------------------------------------------------------

    async def start(self, interaction: discord.Interaction) -> None:
        now = self.bot.clock()
        await self.store.start_play(
            self.run.run_id,
            mode="challenge",
            owner_id=self.run.member_id,
            pack_id=self.run.pack.id,
            started_at=now,
            guild_id=self.guild_id,
            channel_id=interaction.channel_id,
        )
        current = self._open_next(now)
        assert current is not None
        self._remember(interaction, now)
        response = await interaction.response.send_message(
            embed=problem_embed(self.run, current),
            view=problem_view(current.round_id, len(current.question.choices or ())),
            ephemeral=True,
        )
        resource = response.resource
        self.message = resource if isinstance(resource, discord.InteractionMessage) else None
        await self._store_round(current)
        self._arm_timer(current)

    def _open_next(self, now: float) -> QuestionRound | None:
        return self.run.open_next(now)

    async def _store_round(self, current: QuestionRound) -> None:
        await self.store.open_round(
            current.round_id,
            play_id=self.run.run_id,
            position=self.run.index,
            question_id=current.question.id,
            opened_at=current.opened_at,
            deadline=current.deadline,
        )

    def _revealed(self, round_id: str) -> discord.ui.View:
        current = self.run.current
        assert current is not None and current.round_id == round_id
        question = current.question
        tried = current.progress(self.run.member_id).tried
        return revealed_view(round_id, len(question.choices or ()), question.answer, tried)

    def _remember(self, interaction: discord.Interaction, now: float) -> None:
        self.interaction = interaction
        self.interaction_at = now

    def _arm_timer(self, current: QuestionRound) -> None:
        if self.timer is not None and self.timer is not asyncio.current_task():
            self.timer.cancel()
        self.timer = self.bot.tasks.spawn(self._expire_at_deadline(current), name=f"challenge-timer-{current.round_id}")

    # -- member actions --------------------------------------------------------------------------------------

    async def answer(self, interaction: discord.Interaction, round_id: str, choice: str) -> None:
        async with self.lock:
            now = self.bot.clock()
            outcome = self.run.answer(round_id, choice, now)
            await self._store_attempt(round_id, outcome, now)
            self._remember(interaction, now)
            if not outcome.finished:
                left = outcome.attempts_left
                await interaction.response.send_message(
                    f"❌ **{outcome.choice}** is not right. {left} attempt{'s' if left != 1 else ''} left.",
                    ephemeral=True,
                )
                return
            result = self.run.results[-1]
            await interaction.response.edit_message(
                embed=reveal_embed(self.run, result, outcome), view=self._revealed(result.round_id)
            )
            await self._after_close(result, outcome, now)

    async def _store_attempt(self, round_id: str, outcome: AnswerOutcome, at: float) -> None:
        """Written before the member is answered, so an acknowledged attempt is never lost."""
        await self.store.record_attempt(
            round_id,
            self.run.member_id,
            choice=outcome.choice,
            attempt=outcome.attempt,
            correct=outcome.correct,
            created_at=at,
        )

    async def open_code_box(self, interaction: discord.Interaction, round_id: str) -> None:
        current = self.run.round(round_id)
        current.check_can_submit(self.run.member_id, self.bot.clock())
        prefill = self.last_code.get(round_id) or current.question.starter or ""
        await interaction.response.send_modal(CodeModal(round_id, prefill))

    async def submit_code(self, interaction: discord.Interaction, round_id: str, code: str) -> None:
        """Grade a submission in the sandbox; a refusal (busy, cooldown) costs no attempt."""
        submitted_at = self.bot.clock()
        current = self.run.round(round_id)
        current.check_can_submit(self.run.member_id, submitted_at, code)
        self.last_code[round_id] = code
        # Running takes up to the wall limit: acknowledge now, report in a follow-up.
        await interaction.response.defer(ephemeral=True, thinking=True)
        self._remember(interaction, submitted_at)
        if self.bot.grader is None:
            await interaction.followup.send("Code can't run: the sandbox is switched off.", ephemeral=True)
            return
        question = current.question
        grade = await self.bot.grader.grade(
            code, check=question.check or "", solution=question.solution or "", member_id=self.run.member_id
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
                result_row = self.run.results[-1]
                await self._reveal(result_row, outcome)
                await self._after_close(result_row, outcome, self.bot.clock())

    async def _reveal(self, result: QuestionResult, outcome: AnswerOutcome | None) -> None:
        """Show the answer on the problem message itself, through the webhook that posted it."""
        if self.message is None:
            return
        try:
            await self.message.edit(embed=reveal_embed(self.run, result, outcome), view=self._revealed(result.round_id))
        except discord.HTTPException:
            log.warning("could not reveal problem %s", result.round_id)

    async def hint(self, interaction: discord.Interaction, round_id: str) -> None:
        async with self.lock:
            now = self.bot.clock()
            hint = self.run.take_hint(round_id, now)
            if hint.charged:
                await self.store.record_hint(round_id, self.run.member_id, created_at=now)
            self._remember(interaction, now)
            note = "This hint costs a quarter of the points." if hint.charged else "No extra cost."
            await interaction.response.send_message(f"💡 **Hint:** {hint.text}\n-# {note}", ephemeral=True)

    # -- closing problems ------------------------------------------------------------------------------------

    async def _expire_at_deadline(self, current: QuestionRound) -> None:
        await asyncio.sleep(max(current.deadline - self.bot.clock(), 0.0))
        async with self.lock:
            now = max(self.bot.clock(), current.deadline)
            result = self.run.expire(now)
            if result is None:
                return
            await self._reveal(result, None)
            await self._after_close(result, None, now)

    async def _after_close(self, result: QuestionResult, outcome: AnswerOutcome | None, now: float) -> None:
        """Store the problem's result, then post the next problem or the summary."""
        await self.store.record_result(
            ResultRecord(
                round_id=result.round_id,
                user_id=self.run.member_id,
                guild_id=self.guild_id,
                pack_id=self.run.pack.id,
                question_id=result.question.id,
                correct=result.correct,
                points=result.points,
                attempts=result.attempts,
                hints=result.hints,
                tags=result.question.tags,
                created_at=now,
            )
        )
        await self.store.close_round(result.round_id, closed_at=now)
        if self.interaction is None or now - self.interaction_at > TOKEN_LIFETIME:
            await self.end(now, status="abandoned")
            return
        followup = self.interaction.followup
        current = self._open_next(now)
        if current is None:
            await self._finish(followup, now)
            return
        await self._store_round(current)
        self.message = await followup.send(
            embed=problem_embed(self.run, current),
            view=problem_view(current.round_id, len(current.question.choices or ())),
            ephemeral=True,
            wait=True,
        )
        self._arm_timer(current)

    async def _finish(self, followup: discord.Webhook, now: float) -> None:
        summary = self.run.summary()
        badge_is_new = False
        if summary.badge is not None:
            badge_is_new = await self.store.award_badge(
                self.run.member_id,
                pack_id=self.run.pack.id,
                name=summary.badge.name,
                emoji=summary.badge.emoji,
                guild_id=self.guild_id,
                awarded_at=now,
            )
        await self.end(now, status="finished")
        await followup.send(embed=summary_embed(self.run, summary, badge_is_new=badge_is_new), ephemeral=True)

    async def end(self, now: float, *, status: str) -> None:
        if self.ended:
            return
        self.ended = True
        if status != "finished":
            self.run.abandon(now)
        self._on_end(self)
        await self.store.finish_play(self.run.run_id, ended_at=now, status=status)
        if self.timer is not None and self.timer is not asyncio.current_task():
            self.timer.cancel()
