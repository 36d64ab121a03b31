"""One server's daily question for one day: a channel-delivered play of mode DAILY with a single round.

The round opens when the question is posted and closes at the end of the server's local day. Every member answers
it privately through the play layer's routed buttons (`bot.play.buttons`, round id `<play>-0`), from the channel
post or from `/daily`. Each attempt and charged hint is stored before the member is answered. A member who is done
(right, or out of attempts) has their result and review stored at once (`Finisher.record`), their daily streak
moved (`record_daily_answer`), and is told privately how it went. When the day ends the poster closes the round:
members who took the hint or answered without finishing get a missed result, and the post shows the answer and
how many chose each option, with its buttons disabled.

A daily play belongs to its day, not to a process: `stop` (a cog unload or shutdown) only lets it go, and the next
load rebuilds it from storage (`rebuild_round`), so its buttons keep working across restarts.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import discord

from bot.domain.plays import PlayMode, PlayStatus
from bot.domain.questions import Pack, Question
from bot.engine import QuestionRound, QuizError
from bot.engine.review import CardState
from bot.play.finish import Outcome
from bot.play.replies import answer_reply, hint_reply
from bot.play.views import round_view
from bot.storage import DailyPost, DailyStreak, ResultRecord
from bot.ui.format import plural
from cogs.daily._embeds import answered_line, closed_embed, daily_question_embed, result_embed, review_line

if TYPE_CHECKING:
    from bot.client import TorchQuizBot

log = logging.getLogger(__name__)

NO_CODE = "The daily question has no code to submit."


def round_id_of(play_id: str) -> str:
    """A daily play has one round, number 0."""
    return f"{play_id}-0"


def rebuild_round(
    round_id: str,
    question: Question,
    *,
    opened_at: float,
    deadline: float,
    attempts: int,
    clicks: Sequence[tuple[int, str, bool, float]],
    hints: Sequence[tuple[int, float]],
) -> QuestionRound:
    """The round as members left it: every stored attempt (member, choice, correct, time) and charged hint (member,
    time) replayed at its own time, hints first when both share a moment. Points come out exactly as members were
    told, because the engine scores the replay the same way; an event the engine refuses is skipped."""
    current = QuestionRound(round_id, question, opened_at=opened_at, time_limit=deadline - opened_at, attempts=attempts)
    current.deadline = deadline
    events: list[tuple[float, int, int, str, bool]] = [(at, 0, member, "", False) for member, at in hints]
    events += [(at, 1, member, choice, correct) for member, choice, correct, at in clicks]
    for at, kind, member, choice, correct in sorted(events, key=lambda event: (event[0], event[1])):
        with contextlib.suppress(QuizError):
            if kind == 0:
                current.take_hint(member, at)
            else:
                current.replay_attempt(member, choice, correct=correct, now=at)
    return current


class DailyPlay:
    mode = PlayMode.DAILY

    def __init__(
        self,
        bot: TorchQuizBot,
        post: DailyPost,
        pack: Pack,
        current: QuestionRound,
        *,
        on_end: Callable[[DailyPlay], None] = lambda play: None,
    ) -> None:
        self.bot = bot
        self.post = post
        self.pack = pack
        self.round = current
        self.message_id = post.message_id
        self._on_end = on_end
        self._ended = False

    @property
    def play_id(self) -> str:
        return self.post.play_id

    @property
    def ended(self) -> bool:
        return self._ended

    @property
    def guild_id(self) -> int:
        return self.post.guild_id

    @property
    def day(self) -> str:
        return self.post.day

    @property
    def deadline(self) -> float:
        return self.round.deadline

    @property
    def question(self) -> Question:
        return self.round.question

    # -- clicks, routed here by the play layer ---------------------------------------------------------------

    async def answer(self, interaction: discord.Interaction, round_id: str, choice: str) -> None:
        self._check_round(round_id)
        member = interaction.user.id
        now = self.bot.clock()
        outcome = self.round.answer(member, choice, now)
        await self.bot.store.record_attempt(
            round_id, member, choice=outcome.choice, attempt=outcome.attempt, correct=outcome.correct, created_at=now
        )
        if not outcome.finished:
            await interaction.response.send_message(answer_reply(outcome), ephemeral=True)
            return
        streak, card = await self.record_finished(member)
        embed = result_embed(
            self.round,
            self.day,
            correct=outcome.correct,
            streak=streak,
            review_note=review_line(card.due if card is not None else None),
        )
        await interaction.response.send_message(answer_reply(outcome), embed=embed, ephemeral=True)

    async def hint(self, interaction: discord.Interaction, round_id: str) -> None:
        self._check_round(round_id)
        member = interaction.user.id
        now = self.bot.clock()
        hint = self.round.take_hint(member, now)
        if hint.charged:
            await self.bot.store.record_hint(round_id, member, created_at=now)
        await interaction.response.send_message(hint_reply(hint), ephemeral=True)

    async def open_code(self, interaction: discord.Interaction, round_id: str) -> None:
        raise QuizError(NO_CODE)

    async def submit_code(self, interaction: discord.Interaction, round_id: str, code: str) -> None:
        raise QuizError(NO_CODE)

    async def stop(self, now: float, status: PlayStatus) -> None:
        """Let the play go without closing its day (a cog unload or a shutdown); the next load rebuilds it."""
        self._let_go()

    def _check_round(self, round_id: str) -> None:
        if round_id != self.round.round_id:
            raise QuizError("That is not a question of this daily post.")

    # -- /daily ----------------------------------------------------------------------------------------------

    async def show(self, interaction: discord.Interaction) -> None:
        """Today's question, privately, with the same buttons as the post; once the member is done, their result."""
        member = interaction.user.id
        progress = self.round.members.get(member)  # `progress()` would add the member: only read here
        question = self.question
        choices = len(question.choices or ())
        embeds = [daily_question_embed(self.round, self.day)]
        if progress is not None and progress.finished:
            streak = await self.bot.store.daily_streak(member, self.guild_id, self.day)
            embeds.append(result_embed(self.round, self.day, correct=progress.correct, streak=streak))
            view = round_view(self.round.round_id, choices, closed=True, answer=question.answer, tried=progress.tried)
            content = answered_line(correct=progress.correct, points=progress.points)
        else:
            left = self.round.max_attempts - (len(progress.tried) if progress is not None else 0)
            where = f" (posted in <#{self.post.channel_id}>)" if self.message_id is not None else ""
            content = f"Here is today's daily question{where}: {plural(left, 'attempt')} left."
            view = round_view(self.round.round_id, choices)
        await interaction.response.send_message(content, embeds=embeds, view=view, ephemeral=True)

    # -- results ---------------------------------------------------------------------------------------------

    def _record(self, member: int, *, correct: bool, points: int, at: float) -> ResultRecord:
        progress = self.round.members[member]
        return ResultRecord(
            round_id=self.round.round_id,
            user_id=member,
            guild_id=self.guild_id,
            pack_id=self.pack.id,
            question_id=self.question.id,
            correct=correct,
            points=points,
            attempts=len(progress.tried),
            hints=progress.hints,
            tags=self.question.tags,
            created_at=at,
        )

    async def record_finished(self, member: int) -> tuple[DailyStreak, CardState | None]:
        """Store a member's final outcome, its review and their daily streak; idempotent (keyed by the time of the
        final answer), so a restart can store what a shutdown cut off without counting anything twice.

        The daily question is open all day, so the time a member took says nothing about how well they knew it:
        the review is rated without a time (a right first answer without a hint is Good, `rating_for`)."""
        progress = self.round.members[member]
        at = progress.answered_at if progress.answered_at is not None else self.bot.clock()
        record = self._record(member, correct=progress.correct, points=progress.points, at=at)
        cards = await self.bot.finisher.record(
            PlayMode.DAILY, [Outcome(record, timed_out=False, seconds=None, time_limit=None)]
        )
        streak = await self.bot.store.record_daily_answer(member, self.guild_id, self.day, correct=progress.correct)
        return streak, cards.get(member)

    # -- the end of the day ----------------------------------------------------------------------------------

    async def close(self, now: float) -> None:
        """Close the round (at its deadline at the latest): missed results for members who started but did not
        finish, the answer and the counts on the post, then the play finished."""
        if self._ended:
            return
        self.round.close(now)
        closed_at = self.round.closed_at
        assert closed_at is not None
        missed = [
            Outcome(
                self._record(member, correct=False, points=0, at=closed_at),
                timed_out=True,
                seconds=None,
                time_limit=None,
            )
            for member, progress in self.round.members.items()
            if not progress.finished
        ]
        if missed:
            await self.bot.finisher.record(PlayMode.DAILY, missed)
        await self._show_closed()
        await self.bot.store.close_round(self.round.round_id, closed_at=closed_at)
        await self.bot.finisher.finish(self.play_id, now=closed_at, status=PlayStatus.FINISHED)
        log.info(
            "daily %s of server %s closed: %d right, %d missed",
            self.day,
            self.guild_id,
            sum(p.correct for p in self.round.members.values()),
            len(missed),
        )
        self._let_go()

    async def _show_closed(self) -> None:
        if self.message_id is None:
            return
        members = self.round.members.values()
        embed = closed_embed(
            self.round, self.day, right=sum(p.correct for p in members), finished=sum(bool(p.tried) for p in members)
        )
        view = round_view(
            self.round.round_id, len(self.question.choices or ()), closed=True, answer=self.question.answer
        )
        channel = self.bot.get_partial_messageable(self.post.channel_id, guild_id=self.guild_id)
        try:
            await channel.get_partial_message(self.message_id).edit(embed=embed, view=view)
        except discord.HTTPException as exc:
            log.warning("could not show the closed daily question %s: %s", self.play_id, exc)

    def _let_go(self) -> None:
        self._ended = True
        self._on_end(self)
