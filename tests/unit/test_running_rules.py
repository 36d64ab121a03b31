"""Rules about running plays hold across processes: the database refuses a second one, whoever asks first."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.storage import PlayConflict, Store

MEMBER, CHANNEL = 7, 11


async def _race(stores: tuple[Store, Store], start: str) -> list[BaseException | None]:
    async def one(store: Store, play_id: str) -> None:
        if start == "challenge":
            await store.start_play(play_id, mode="challenge", owner_id=MEMBER, pack_id="p", started_at=1.0)
        else:
            await store.start_live(
                play_id,
                guild_id=1,
                channel_id=CHANNEL,
                owner_id=int(play_id[-1]),
                pack_id="p",
                started_at=1.0,
                question_ids=["q"],
                time_limit=30,
            )

    outcomes = await asyncio.gather(one(stores[0], f"{start}1"), one(stores[1], f"{start}2"), return_exceptions=True)
    return [outcome if isinstance(outcome, BaseException) else None for outcome in outcomes]


@pytest.mark.parametrize("start", ["challenge", "live"])
async def test_two_processes_racing_for_the_same_member_or_channel_get_exactly_one(
    database: Path | str, start: str
) -> None:
    """On SQLite two connections to one file, on PostgreSQL two pools: two bot processes sharing a database."""
    async with Store.open(database) as first, Store.open(database) as second:
        outcomes = await _race((first, second), start)
        assert sorted(type(outcome).__name__ for outcome in outcomes) == ["NoneType", "PlayConflict"]
        conflict = next(outcome for outcome in outcomes if outcome is not None)
        assert "already" in str(conflict)
        # Once the winner ends, the next one may start.
        winner = f"{start}{outcomes.index(None) + 1}"
        await first.finish_play(winner, ended_at=2.0, status="finished")
        if start == "challenge":
            await second.start_play("challenge3", mode="challenge", owner_id=MEMBER, pack_id="p", started_at=3.0)
        else:
            await second.start_live(
                "live3", guild_id=1, channel_id=CHANNEL, owner_id=1, pack_id="p", started_at=3.0,
                question_ids=["q"], time_limit=30,
            )  # fmt: skip


async def test_other_members_and_modes_are_not_held_back(store: Store) -> None:
    await store.start_play("a", mode="challenge", owner_id=MEMBER, pack_id="p", started_at=1.0)
    await store.start_play("b", mode="challenge", owner_id=MEMBER + 1, pack_id="p", started_at=1.0)
    await store.start_play("c", mode="practice", owner_id=MEMBER, pack_id="p", started_at=1.0)
    await store.start_play("d", mode="practice", owner_id=MEMBER, pack_id="p", started_at=1.0)
    with pytest.raises(PlayConflict, match="this member already has a timed challenge running"):
        await store.start_play("e", mode="challenge", owner_id=MEMBER, pack_id="p", started_at=1.0)
