"""After a restart: every live session the shutdown interrupted is rebuilt from storage and closed.

Rebuilding replays the stored joins, attempts and hints through the engine at their original times, so the
points are exactly those members were told when they clicked. The open question is closed at restart time, its
results saved, its buttons disabled, and the channel gets the final standings. Its old buttons then answer
"This quiz session has ended."
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

import discord

from bot.domain.plays import PlayMode, PlayStatus
from bot.engine.live import LiveSession
from bot.engine.replay import StoredRound, replay_live
from bot.packs import Pack
from bot.play.views import round_view
from bot.storage import LiveSnapshot
from cogs.quiz._buttons import lobby_view
from cogs.quiz._embeds import podium_embed, reveal_embed
from cogs.quiz._runner import outcomes_of, record_finish

if TYPE_CHECKING:
    from bot.client import TorchQuizBot

log = logging.getLogger(__name__)

INTERRUPTED = "⚠️ This quiz was interrupted when TorchQuiz restarted. The results up to then are saved."


def replay(snapshot: LiveSnapshot, pack: Pack, now: float) -> LiveSession:
    """The session exactly as it stood, with its open question (if any) closed at `now`."""
    questions = [pack.question(question_id) for question_id in snapshot.question_ids]
    rounds = [StoredRound(r.round_id, r.opened_at, r.deadline, r.closed_at) for r in snapshot.rounds]
    session = LiveSession(snapshot.play_id, pack, questions, time_limit=snapshot.time_limit)
    return replay_live(
        session,
        participants=snapshot.participants,
        rounds=rounds,
        attempts=snapshot.attempts,
        hints=snapshot.hints,
        now=now,
    )


async def close_interrupted(bot: TorchQuizBot, snapshots: list[LiveSnapshot]) -> int:
    """Close the live sessions a shutdown interrupted (read before the gateway connected, so a quiz started since
    is never among them); returns how many there were."""
    for snapshot in snapshots:
        try:
            await _close_one(bot, snapshot)
        except Exception:
            log.exception("could not close interrupted live session %s", snapshot.play_id)
            await bot.store.finish_play(snapshot.play_id, ended_at=bot.clock(), status=PlayStatus.INTERRUPTED.value)
    return len(snapshots)


async def _close_one(bot: TorchQuizBot, snapshot: LiveSnapshot) -> None:
    now = bot.clock()
    pack = bot.packs.get(snapshot.pack_id, snapshot.guild_id)
    if pack is None or any(q not in {x.id for x in pack.questions} for q in snapshot.question_ids):
        log.warning(
            "live session %s: pack %s is gone or changed; closing without replay", snapshot.play_id, snapshot.pack_id
        )
        await bot.store.finish_play(snapshot.play_id, ended_at=now, status=PlayStatus.INTERRUPTED.value)
        return
    session = replay(snapshot, pack, now)
    stored_closed = {row.round_id for row in snapshot.rounds if row.closed_at is not None}
    for reveal in session.reveals:
        if reveal.round.round_id in stored_closed:
            continue  # its results and reviews were stored when it closed
        await bot.finisher.record(
            PlayMode.LIVE, outcomes_of(session, snapshot.guild_id, reveal, reveal.round.closed_at or now)
        )
        await bot.store.close_round(reveal.round.round_id, closed_at=reveal.round.closed_at or now)
    summary = await record_finish(bot.finisher, session, snapshot.guild_id, now, PlayStatus.INTERRUPTED)
    log.info(
        "closed live session %s interrupted by a restart (%d questions played)", snapshot.play_id, len(session.reveals)
    )
    if snapshot.channel_id is None:
        return
    channel = bot.get_partial_messageable(snapshot.channel_id, guild_id=snapshot.guild_id)
    with contextlib.suppress(discord.HTTPException):
        if snapshot.lobby_message_id is not None:
            await channel.get_partial_message(snapshot.lobby_message_id).edit(
                view=lobby_view(snapshot.play_id, closed=True)
            )
        last = snapshot.rounds[-1] if snapshot.rounds else None
        if last is not None and last.closed_at is None and last.message_id is not None and session.reveals:
            reveal = session.reveals[-1]
            question = reveal.round.question
            await channel.get_partial_message(last.message_id).edit(
                embed=reveal_embed(session, reveal),
                view=round_view(last.round_id, len(question.choices or ()), answer=question.answer, closed=True),
            )
        await channel.send(embed=podium_embed(session, summary, ended_early=INTERRUPTED))
