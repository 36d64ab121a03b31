"""The whole deployment past one machine: two bot processes as shards 0 and 1 of 2, one PostgreSQL database, one
Redis queue and two sandbox worker hosts. A live quiz runs in a server of each shard; a member who is in a server
of each shard runs code on both; a worker host killed in the middle of a job still leaves the member exactly one
answer."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import redis

from bot.sandbox.queue.wire import Keys
from tests.e2e.conftest import World
from tests.e2e.live import closed, next_question, podium, reply_text, start_quiz
from tests.e2e.test_shards import shard_env, shard_worlds
from tests.fakediscord import FakeCallback, FakeDiscord, FakeInteraction, FakeMessage, FakeUser, run_bot_process
from tests.queue.hosts import HostProcess

SHARDS = 2


async def open_run(world: World, user: FakeUser, code: str) -> tuple[FakeInteraction, FakeCallback]:
    """Submit `/run` with `code`; returns the submitted modal's interaction once the bot acknowledged it."""
    opened = await world.fake.slash(user, "run", channel_id=world.channel_id)
    modal = await opened.response()
    assert modal.type == 9, modal.data
    submitted = await world.fake.submit_modal(user, opened, {"code": code})
    return submitted, await submitted.response()


async def only_answer(submitted: FakeInteraction, within: float = 40.0) -> FakeMessage:
    [reply] = await submitted.wait_followups(1, timeout=within)
    await asyncio.sleep(2.0)  # a second answer (a job run twice and answered twice) would arrive by now
    assert len(submitted.followups) == 1, [m.content for m in submitted.followups]
    return reply


def queue_env(world: World, shard: int, redis_url: str) -> dict[str, str]:
    return {
        **shard_env(world, shard),
        "TORCHQUIZ_SANDBOX_ENABLED": "true",
        "TORCHQUIZ_SANDBOX_QUEUE": redis_url,
        "TORCHQUIZ_SANDBOX_COOLDOWN_SECONDS": "0",
        "TORCHQUIZ_SANDBOX_WALL_SECONDS": "10",
    }


async def test_two_shards_share_the_queue_and_a_dead_host_loses_no_answer(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    hosts = [HostProcess(redis_url, tmp_path, workers=1, claim_after=3.0).launch() for _ in range(2)]
    try:
        for host in hosts:
            await asyncio.to_thread(host.wait_ready)
        async with FakeDiscord(shard_count=SHARDS) as fake:
            zero, one = shard_worlds(fake, postgres_url)
            alice = zero.members["alice"]
            also_alice = fake.add_member(one.guild_id, "alice", same_user_as=alice)  # one member, both shards
            async with (
                run_bot_process(fake, queue_env(zero, 0, redis_url)),
                run_bot_process(fake, queue_env(one, 1, redis_url), wait_for_sync=False),
            ):
                # A live quiz in a server of each shard, each served by its own process.
                for world in (zero, one):
                    lobby = await start_quiz(world, {"pack": "autograd-basics", "count": 1, "time": 20})
                    await reply_text(world, world.members["bob"], lobby, "Join")
                    await reply_text(world, world.members["mod"], lobby, "Start now")
                    question = await next_question(world, 1)
                    assert "is right" in await reply_text(world, world.members["bob"], question, "A")
                    await closed(world, question, within=25)
                    assert f"<@{world.members['bob'].id}>" in (await podium(world)).text

                # A run on shard 0 is going when the same member asks on shard 1: refused, whichever shard asks.
                slow, deferred = await open_run(zero, alice, "import time\ntime.sleep(4)\nprint('slow done')\n")
                assert deferred.type == 5
                await asyncio.to_thread(_host_running_a_job, hosts, 15.0)
                refused, _ = await open_run(one, also_alice, "print('second')")
                [answer] = await refused.wait_followups(1, timeout=10)
                assert "already have a run in progress" in answer.content
                assert "slow done" in (await only_answer(slow)).content

                # A host dies mid-job: the other claims it, and the member gets one answer.
                doomed, _ = await open_run(one, also_alice, "import time\ntime.sleep(2)\nprint('survived')\n")
                running = await asyncio.to_thread(_host_running_a_job, hosts, 15.0)
                running.kill()
                reply = await only_answer(doomed, within=60)
                assert "survived" in reply.content, reply.content
    finally:
        for host in hosts:
            host.stop()


def _host_running_a_job(hosts: list[HostProcess], timeout: float) -> HostProcess:
    """The host whose heartbeat says it is running a job right now."""
    deadline = time.monotonic() + timeout
    with redis.Redis.from_url(hosts[0].url, decode_responses=True) as client:
        while time.monotonic() < deadline:
            for host in hosts:
                if int(client.hget(Keys().host(host.name), "running") or 0) > 0:
                    return host
            time.sleep(0.05)
    raise AssertionError("no host took the job")
