"""After a restart: private plays that a shutdown interrupted are rebuilt, then resumed or closed.

Each is replayed through the engine from what was stored (`bot.engine.replay`). A play whose open problem is
still before its deadline (always, for untimed modes) is **resumed**: it goes back into the registry and its
buttons answer as if nothing happened; the member's next click brings a fresh interaction to post through. A
play whose deadline has passed is **closed**: the open problem counts as missed, its result is saved, and the
play ends as interrupted. A play whose pack is gone or changed is closed without replay.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.domain.plays import PlayMode, PlayStatus
from bot.engine.challenge import ChallengeRun
from bot.engine.replay import StoredRound, replay_run
from bot.play.modes import policy_for
from bot.play.private import PrivatePlay
from bot.storage.private import PrivateSnapshot

if TYPE_CHECKING:
    from bot.client import TorchQuizBot

log = logging.getLogger(__name__)


async def restore_private_plays(bot: TorchQuizBot) -> tuple[int, int]:
    """Resume or close every interrupted private play of this process's servers; returns (resumed, closed).

    A member's clicks reach the shard of the server the play started in, so another process's plays are its own
    to resume."""
    resumed = closed = 0
    snapshots = [s for s in await bot.store.running_private_plays() if bot.shard_slice.owns(s.guild_id)]
    for snapshot in snapshots:
        try:
            if await _restore(bot, snapshot):
                resumed += 1
            else:
                closed += 1
        except Exception:
            log.exception("could not restore %s play %s; closing it", snapshot.mode, snapshot.play_id)
            await bot.store.finish_play(snapshot.play_id, ended_at=bot.clock(), status=PlayStatus.INTERRUPTED.value)
            closed += 1
    return resumed, closed


async def _restore(bot: TorchQuizBot, snapshot: PrivateSnapshot) -> bool:
    now = bot.clock()
    packs = [bot.packs.get(pack_id, snapshot.guild_id) for pack_id, _ in snapshot.items]
    found = [pack for pack in packs if pack is not None]
    known = {(pack.id, q.id) for pack in found for q in pack.questions}
    if not snapshot.items or len(found) != len(packs) or any(item not in known for item in snapshot.items):
        log.warning("%s play %s: its questions are gone or changed; closing it", snapshot.mode, snapshot.play_id)
        await bot.store.finish_play(snapshot.play_id, ended_at=now, status=PlayStatus.INTERRUPTED.value)
        return False
    questions = [pack.question(question_id) for pack, (_, question_id) in zip(found, snapshot.items, strict=True)]
    main = bot.packs.get(snapshot.pack_id, snapshot.guild_id) or found[0]
    run = ChallengeRun(
        snapshot.play_id,
        main,
        snapshot.owner_id,
        questions,
        packs=found,
        timed=snapshot.mode is PlayMode.CHALLENGE,
    )
    rounds = [StoredRound(r.round_id, r.opened_at, r.deadline, r.closed_at) for r in snapshot.rounds]
    replay_run(run, rounds, snapshot.attempts, snapshot.hints)
    play = PrivatePlay(
        bot,
        run,
        policy_for(snapshot.mode, main),
        guild_id=snapshot.guild_id,
        channel_id=snapshot.channel_id,
        on_end=bot.plays.discard,
    )
    current = run.current
    if current is not None and current.closed_at is None and now < current.deadline:
        bot.plays.add(play)
        play.resume(now)
        log.info("resumed %s play %s at problem %d", snapshot.mode, snapshot.play_id, run.position)
        return True
    await play.stop(now, PlayStatus.INTERRUPTED)
    log.info("closed %s play %s interrupted by a restart", snapshot.mode, snapshot.play_id)
    return False
