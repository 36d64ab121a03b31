"""Two bot processes as shards 0 and 1 of 2 over one PostgreSQL database, against a fake Discord that routes each
server to its shard: each process serves its own servers' quizzes, only one syncs the commands, and a restart of
one shard never touches the other's running quiz."""

from __future__ import annotations

import signal

from tests.conftest import CHALLENGES
from tests.database_reader import read_database
from tests.e2e.conftest import World
from tests.e2e.live import QUIZ_ENV, closed, next_question, podium, reply_text, start_quiz
from tests.fakediscord import FakeDiscord, run_bot_process

SHARDS = 2


def shard_worlds(fake: FakeDiscord, database: str) -> list[World]:
    """One server on each shard (servers are added until both shards have one), each with players and a moderator."""
    found: dict[int, int] = {}
    while len(found) < SHARDS:
        guild = fake.add_guild(f"study group {len(found) + 1}")
        found.setdefault(fake.state.shard_of(guild), guild)
    worlds = []
    for shard in range(SHARDS):
        guild = found[shard]
        members = {name: fake.add_member(guild, name) for name in ("alice", "bob")}
        members["mod"] = fake.add_member(guild, "mod", manage_guild=True)
        role = fake.add_role(guild, "Quizmaster")
        worlds.append(World(fake, guild, fake.add_channel(guild, "quiz"), members, role, database, CHALLENGES))
    return worlds


def shard_env(world: World, shard: int) -> dict[str, str]:
    return {**world.env(), **QUIZ_ENV, "TORCHQUIZ_SHARD_COUNT": str(SHARDS), "TORCHQUIZ_SHARD_IDS": str(shard)}


async def test_each_shard_serves_its_servers_and_a_restart_touches_only_its_own(postgres_url: str) -> None:
    async with FakeDiscord(shard_count=SHARDS) as fake:
        zero, one = shard_worlds(fake, postgres_url)
        async with (
            run_bot_process(fake, shard_env(zero, 0)) as first,
            run_bot_process(fake, shard_env(one, 1), wait_for_sync=False) as second,
        ):
            assert sorted(identify["shard"] for identify in fake.state.identifies) == [[0, 2], [1, 2]]
            assert fake.command_syncs == 1  # the process with shard 0 syncs; the other leaves it

            # A live quiz in a server of each shard, played to the end.
            for world in (zero, one):
                lobby = await start_quiz(world, {"pack": "autograd-basics", "count": 1, "time": 20})
                assert "You're in!" in await reply_text(world, world.members["alice"], lobby, "Join")
                await reply_text(world, world.members["mod"], lobby, "Start now")
                question = await next_question(world, 1)
                assert "is right" in await reply_text(world, world.members["alice"], question, "A")
                await closed(world, question, within=25)
                final = await podium(world)
                assert f"<@{world.members['alice'].id}>" in final.text
            assert (
                f"channel {zero.channel_id}" in first.log_text() and f"channel {one.channel_id}" not in first.log_text()
            )
            assert f"channel {one.channel_id}" in second.log_text()

            # A quiz runs on each shard when shard 1's process dies and starts again: it closes its own quiz as
            # interrupted (the oldest first) and leaves shard 0's, which is older still, running.
            running = []
            for world in (zero, one):
                lobby = await start_quiz(world, {"pack": "autograd-basics", "count": 2, "time": 60})
                await reply_text(world, world.members["alice"], lobby, "Join")
                await reply_text(world, world.members["mod"], lobby, "Start now")
                running.append(await next_question(world, 1))
            second.process.send_signal(signal.SIGKILL)
            await second.process.wait()
            async with run_bot_process(fake, shard_env(one, 1), wait_for_sync=False):
                final = await fake.wait_for_message(
                    lambda m: "Final standings" in m.text and "interrupted" in m.text,
                    timeout=20,
                    channel_id=one.channel_id,
                )
                assert final is not None
                assert "is right" in await reply_text(zero, zero.members["alice"], running[0], "A")
                with read_database(postgres_url) as db:
                    statuses = db.execute("SELECT channel_id, status FROM plays WHERE mode = 'live'").fetchall()
                assert sorted(statuses) == sorted(
                    [
                        (zero.channel_id, "finished"),
                        (one.channel_id, "finished"),
                        (zero.channel_id, "running"),
                        (one.channel_id, "interrupted"),
                    ]
                )
