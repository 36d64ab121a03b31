"""`/daily` and the daily question poster: one question a day per server, the same for everyone.

The poster is a background task that looks at the clock every `settings.daily_check_seconds` (and at once when
`/settings` changes a server's daily question, `wake`). Each look first closes the daily plays whose day is over,
then, for every server with a daily question whose local time of day has come and whose day has no post yet,
claims the day (`Store.claim_daily_post` succeeds once per server and day, across processes and restarts), stores
the round and posts the question in the server's channel, mentioning its daily role if one is set. A post missed
while the bot was down is made at its first look after the start, if that day is not over.

When the cog loads (before the bot connects, so no click can come first), every daily play whose day was not
closed is rebuilt from storage and put back into the registry: today's buttons keep working as if nothing
happened, and the poster's first look closes earlier days' plays with their results saved.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.domain.plays import PlayMode, PlayStatus
from bot.engine import QuestionRound, QuizError
from bot.play.views import round_view
from bot.storage import DailyPost, GuildSettings
from bot.ui.format import countdown
from cogs.daily._choice import RECENT_POSTS, choose_question, daily_candidates
from cogs.daily._embeds import daily_question_embed
from cogs.daily._play import DailyPlay, rebuild_round, round_id_of
from cogs.daily._schedule import announcement, day_end, format_time, is_due

log = logging.getLogger(__name__)

SETUP_HINT = (
    "A moderator (Manage Server) can set one up with `/settings daily channel:<channel> time:<HH:MM>`, "
    "in the server's time zone (`/settings timezone`)."
)


class DailyCog(commands.Cog, name="Daily"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot
        self.poster: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._posting: set[int] = set()
        """Servers whose post is claimed but not yet in the registry (`/daily` asks to wait a moment)."""
        self._no_question: set[tuple[int, str]] = set()
        """(server, day) already logged as having no multiple-choice question to post, so the log says it once."""

    async def cog_load(self) -> None:
        try:
            await self.restore()
        except Exception:
            log.exception("could not rebuild the daily questions; the poster starts anyway")
        self.poster = self.bot.tasks.spawn(self._run(), name="daily-poster")

    async def cog_unload(self) -> None:
        if self.poster is not None:
            self.poster.cancel()
        await self.bot.plays.release(PlayMode.DAILY, self.bot.clock(), shutting_down=self.bot.shutting_down)

    def wake(self) -> None:
        """Look at the clock now rather than at the next tick (a server's daily settings changed)."""
        self._wake.set()

    # -- the poster ------------------------------------------------------------------------------------------

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            self._wake.clear()
            try:
                await self.tick()
            except Exception:
                log.exception("the daily poster failed; it tries again at its next look")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.bot.settings.daily_check_seconds)

    def open_plays(self) -> list[DailyPlay]:
        return [play for play in self.bot.plays.running(PlayMode.DAILY) if isinstance(play, DailyPlay)]

    async def tick(self) -> None:
        """Close the days that are over, then post the questions that are due."""
        now = self.bot.clock()
        for play in self.open_plays():
            if now >= play.deadline or play.round.closed_at is not None:
                try:
                    await play.close(now)
                except Exception:
                    log.exception("could not close daily play %s", play.play_id)
        for options in await self.bot.store.guilds_with_daily():
            if not self.bot.shard_slice.owns(options.guild_id) or not is_due(options, now):
                continue
            day = options.local_day(now)
            if await self.bot.store.daily_post(options.guild_id, day) is not None:
                continue
            try:
                await self.post(options, day, now)
            except Exception:
                log.exception("could not post the daily question of server %s for %s", options.guild_id, day)

    async def post(self, options: GuildSettings, day: str, now: float) -> DailyPlay | None:
        """Claim `day` for the server and post its question; None when another look or process claimed it first
        or the server has no multiple-choice question."""
        guild_id, channel_id = options.guild_id, options.daily_channel_id
        assert channel_id is not None and self.bot.user is not None
        recent = await self.bot.store.recent_daily_posts(guild_id, RECENT_POSTS)
        chosen = choose_question(
            daily_candidates(self.bot.packs.available(guild_id)),
            guild_id=guild_id,
            day=day,
            recent=[(post.pack_id, post.question_id) for post in recent],
        )
        if chosen is None:
            if (guild_id, day) not in self._no_question:
                self._no_question.add((guild_id, day))
                log.warning("server %s has no multiple-choice question for its daily question", guild_id)
            return None
        pack, question = chosen
        play_id = secrets.token_hex(5)
        self._posting.add(guild_id)
        try:
            claimed = await self.bot.store.claim_daily_post(
                guild_id,
                day,
                pack_id=pack.id,
                question_id=question.id,
                play_id=play_id,
                channel_id=channel_id,
                posted_at=now,
                owner_id=self.bot.user.id,
            )
            if not claimed:
                return None
            deadline = day_end(options.zone, day)
            current = QuestionRound(
                round_id_of(play_id),
                question,
                opened_at=now,
                time_limit=deadline - now,
                attempts=question.effective_attempts(pack.defaults),
            )
            current.deadline = deadline
            await self.bot.store.open_round(
                current.round_id, play_id=play_id, position=0, question_id=question.id, opened_at=now, deadline=deadline
            )
            post = DailyPost(guild_id, day, pack.id, question.id, play_id, channel_id, None, now)
            play = DailyPlay(self.bot, post, pack, current, on_end=self.bot.plays.discard)
            self.bot.plays.add(play)
        finally:
            self._posting.discard(guild_id)
        log.info("daily %s of server %s: %s/%s (play %s)", day, guild_id, pack.id, question.id, play_id)
        notice = announcement(options.daily_role_id)
        channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        try:
            message = await channel.send(
                notice.content,
                embed=daily_question_embed(current, day),
                view=round_view(current.round_id, len(question.choices or ())),
                allowed_mentions=notice.allowed_mentions,
            )
        except discord.HTTPException as exc:
            log.warning("could not post the daily question in channel %s (%s); /daily still shows it", channel_id, exc)
            return play
        play.message_id = message.id
        await self.bot.store.set_daily_message(guild_id, day, message.id)
        return play

    # -- after a restart -------------------------------------------------------------------------------------

    async def restore(self) -> int:
        """Rebuild every daily play whose day was not closed and put it back into the registry (the next look
        closes those whose day is over); a play that cannot be rebuilt is closed. Returns how many came back."""
        rebuilt = 0
        now = self.bot.clock()
        for post in await self.bot.store.open_daily_posts():
            if not self.bot.shard_slice.owns(post.guild_id):
                continue  # another process serves that server, and rebuilds its play
            try:
                rebuilt += await self._restore(post, now)
            except Exception:
                log.exception("could not rebuild daily play %s; closing it", post.play_id)
                await self._close_unplayable(post, now)
        if rebuilt:
            log.info("rebuilt %d daily question(s) from storage", rebuilt)
        return rebuilt

    async def _restore(self, post: DailyPost, now: float) -> bool:
        if self.bot.plays.get(post.play_id) is not None:
            return False
        pack = self.bot.packs.get(post.pack_id, post.guild_id)
        question = next((q for q in pack.questions if q.id == post.question_id), None) if pack else None
        if pack is None or question is None or not question.choices:
            log.warning("daily play %s: its question %s/%s is gone", post.play_id, post.pack_id, post.question_id)
            await self._close_unplayable(post, now)
            return False
        options = await self.bot.store.guild_settings(post.guild_id)
        round_id = round_id_of(post.play_id)
        row = await self.bot.store.play_round(post.play_id)
        opened_at = row.opened_at if row is not None else post.posted_at
        deadline = row.deadline if row is not None else day_end(options.zone, post.day)
        if row is None:  # a shutdown came between the claim and the round
            await self.bot.store.open_round(
                round_id,
                play_id=post.play_id,
                position=0,
                question_id=question.id,
                opened_at=opened_at,
                deadline=deadline,
            )
        current = rebuild_round(
            round_id,
            question,
            opened_at=opened_at,
            deadline=deadline,
            attempts=question.effective_attempts(pack.defaults),
            clicks=await self.bot.store.round_attempts(round_id),
            hints=await self.bot.store.round_hints(round_id),
        )
        play = DailyPlay(self.bot, post, pack, current, on_end=self.bot.plays.discard)
        stored = await self.bot.store.round_result_members(round_id)
        for member, progress in current.members.items():
            if progress.finished and member not in stored:  # a shutdown came between the answer and its result
                await play.record_finished(member)
        if row is not None and row.closed_at is not None:  # closed, but a shutdown came before the play ended
            current.close(row.closed_at)
        self.bot.plays.add(play)
        state = "resumed" if current.is_open(now) else "to close"
        log.info("daily %s of server %s %s (%d member(s))", post.day, post.guild_id, state, len(current.members))
        return True

    async def _close_unplayable(self, post: DailyPost, now: float) -> None:
        await self.bot.store.close_round(round_id_of(post.play_id), closed_at=now)
        await self.bot.finisher.finish(post.play_id, now=now, status=PlayStatus.INTERRUPTED)

    # -- /daily ----------------------------------------------------------------------------------------------

    @app_commands.command(name="daily", description="Today's daily question, privately (if you missed the post).")
    @app_commands.guild_only()
    async def daily(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        now = self.bot.clock()
        options = await self.bot.store.guild_settings(interaction.guild_id)
        day = options.local_day(now)
        post = await self.bot.store.daily_post(interaction.guild_id, day)
        if post is not None:
            play = self.bot.plays.get(post.play_id)
            if isinstance(play, DailyPlay) and play.round.is_open(now):
                await play.show(interaction)
                return
            if interaction.guild_id in self._posting:
                raise QuizError("Today's daily question is being posted right now: try `/daily` again in a moment.")
            raise QuizError("Today's daily question has closed. A new one comes tomorrow.")
        await interaction.response.send_message(self._not_yet(options, day, now), ephemeral=True)

    def _not_yet(self, options: GuildSettings, day: str, now: float) -> str:
        if not options.daily_enabled or options.daily_time is None:
            return f"This server has no daily question. {SETUP_HINT}"
        due = options.daily_due_at(day)
        assert due is not None
        where = f"<#{options.daily_channel_id}>"
        if due > now:
            return f"Today's daily question comes {countdown(due)} ({format_time(options.daily_time)}) in {where}."
        return f"Today's daily question is about to be posted in {where}: try `/daily` again in a minute."
