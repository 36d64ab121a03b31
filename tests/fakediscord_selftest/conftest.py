"""Fixtures: a started fake with one guild, and the tiny bot connected to it in the test's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord
import pytest

from tests.fakediscord import FakeDiscord, FakeUser, ManualClock

from .tinybot import TinyBot


@dataclass
class World:
    clock: ManualClock
    guild_id: int
    channel_id: int
    alice: FakeUser
    admin: FakeUser


@pytest.fixture
async def world() -> AsyncIterator[tuple[FakeDiscord, World]]:
    clock = ManualClock()
    async with FakeDiscord(clock=clock, expected_token="fake-token") as fake:
        guild_id = fake.add_guild("Study group")
        channel_id = fake.add_channel(guild_id, "quiz")
        alice = fake.add_member(guild_id, "alice", roles=["learner"])
        admin = fake.add_member(guild_id, "admin", manage_guild=True)
        yield fake, World(clock, guild_id, channel_id, alice, admin)


async def start_bot(fake: FakeDiscord, intents: discord.Intents | None = None) -> tuple[TinyBot, asyncio.Task[None]]:
    bot = TinyBot(intents=intents)
    task = asyncio.create_task(bot.start("fake-token"))
    await fake.wait_until_ready()
    await fake.wait_for_sync()
    await asyncio.wait_for(bot.wait_until_ready(), 5)
    return bot, task


async def stop_bot(bot: TinyBot, task: asyncio.Task[None]) -> None:
    await bot.close()
    await asyncio.wait_for(task, 5)


@pytest.fixture
async def bot(world: tuple[FakeDiscord, World]) -> AsyncIterator[TinyBot]:
    fake, _ = world
    with fake.patch_discord():
        client, task = await start_bot(fake)
        try:
            yield client
        finally:
            await stop_bot(client, task)
