"""Gateway behaviour (compression request, RESUME, member chunking) and REST plumbing."""

from __future__ import annotations

import aiohttp
import discord
import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord.launch import _split
from tests.fakediscord.patch import api_base

from .conftest import World, start_bot, stop_bot
from .tinybot import TinyBot

Env = tuple[FakeDiscord, World]


async def test_discord_py_asks_for_compression_and_accepts_text_frames(world: Env, bot: TinyBot):
    fake, w = world
    (query,) = fake.gateway.connections
    assert "compress=" in query and "encoding=json" in query
    guild = bot.get_guild(w.guild_id)
    assert guild is not None and guild.name == "Study group"
    assert [c.name for c in guild.text_channels] == ["quiz"]
    assert bot.application_id == fake.application_id and bot.user is not None and bot.user.id == fake.bot_user.id


async def test_resume_after_a_dropped_connection(world: Env, bot: TinyBot):
    fake, w = world
    await fake.drop_gateway_connection()
    await fake.wait_for(lambda: fake.gateway.resumes or None, what="a RESUME")
    await fake.wait_until_ready()
    it = await fake.slash(w.alice, "hello", {"name": "again"})
    assert (await it.response()).type == 4
    assert len(fake.state.identifies) == 1


async def test_members_intent_gets_every_member_without_chunking(world: Env):
    fake, w = world
    intents = discord.Intents.default()
    intents.members = True
    with fake.patch_discord():
        bot, task = await start_bot(fake, intents)
        try:
            guild = bot.get_guild(w.guild_id)
            assert guild is not None and guild.chunked
            assert sorted(m.name for m in guild.members) == ["TorchQuiz", "admin", "alice"]
            alice = guild.get_member(w.alice.id)
            assert alice is not None and [r.name for r in alice.roles] == ["@everyone", "learner"]
        finally:
            await stop_bot(bot, task)


async def test_wrong_token_is_refused(world: Env):
    fake, _ = world
    with fake.patch_discord():
        bot = TinyBot()
        with pytest.raises(discord.LoginFailure):
            await bot.login("not-the-token")
        await bot.close()
    assert "401" in fake.violations[0]


async def test_unknown_routes_are_recorded_not_crashed(world: Env):
    fake, _ = world
    async with aiohttp.ClientSession() as session, session.get(f"{fake.api_base}/guilds/1/roles") as response:
        assert response.status == 404
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["X-RateLimit-Remaining"] == "9999"
        assert (await response.json())["code"] == 0
    assert fake.unhandled == ["GET /api/v10/guilds/1/roles"]
    assert not fake.violations


def test_launcher_argument_split_and_api_base():
    assert _split(["--http-base", "h", "--gateway", "g", "--", "doctor"]) == (
        ["--http-base", "h", "--gateway", "g"],
        ["doctor"],
    )
    assert _split(["--http-base", "h"]) == (["--http-base", "h"], [])
    assert api_base("http://127.0.0.1:1") == "http://127.0.0.1:1/api/v10"
    assert api_base("http://127.0.0.1:1/api/v10") == "http://127.0.0.1:1/api/v10"


async def test_patches_are_applied_and_restored(world: Env):
    fake, _ = world
    before = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    with fake.patch_discord():
        assert fake.api_base == discord.http.Route.BASE
        assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == fake.gateway_url
    assert before == (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
