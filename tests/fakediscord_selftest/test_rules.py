"""Discord's refusals: payload limits, the 3 s deadline, double acknowledgement, token lifetime."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord
import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord.limits import check_message, check_modal

from .conftest import World
from .tinybot import TinyBot

Env = tuple[FakeDiscord, World]


async def test_content_over_2000_is_refused_with_50035(world: Env, bot: TinyBot):
    fake, w = world
    it = await fake.slash(w.alice, "long")
    reply = await it.response()
    assert reply.message is not None and reply.message.content == "shortened"
    (error,) = bot.caught
    assert isinstance(error, discord.HTTPException) and error.code == 50035 and error.status == 400
    assert "content" in error.text
    (violation,) = fake.violations
    assert "/callback" in violation and "50035" in violation and "data.content" in violation


async def test_response_after_three_seconds_is_unknown_interaction(world: Env, bot: TinyBot):
    fake, w = world
    it = await fake.slash(w.alice, "late")
    w.clock.advance(3.2)
    bot.gate.set()
    await fake.wait_for(lambda: bot.caught or None, what="the bot's failed response")
    (error,) = bot.caught
    assert isinstance(error, discord.NotFound) and error.code == 10062
    assert it.callback is None
    (violation,) = fake.violations
    assert "10062" in violation and "3.2" in violation


async def _post(url: str, payload: dict[str, Any]) -> tuple[int, Any, str]:
    async with aiohttp.ClientSession() as session, session.post(url, json=payload) as response:
        return response.status, await response.json(content_type=None), response.headers["Content-Type"]


async def test_second_callback_is_already_acknowledged(world: Env, bot: TinyBot):
    fake, w = world
    it = await fake.slash(w.alice, "hello", {"name": "Ada"})
    await it.response()
    url = f"{fake.api_base}/interactions/{it.id}/{it.token}/callback?with_response=1"
    status, body, content_type = await _post(url, {"type": 4, "data": {"content": "again"}})
    assert (status, body["code"], content_type) == (400, 40060, "application/json")
    assert len(fake.violations) == 1 and "40060" in fake.violations[0]


async def test_interaction_token_expires_after_fifteen_minutes(world: Env, bot: TinyBot):
    fake, w = world
    it = await fake.slash(w.alice, "hello", {"name": "Ada"})
    await it.response()
    url = f"{fake.api_base}/webhooks/{fake.application_id}/{it.token}?wait=1"
    status, body, _ = await _post(url, {"content": "still valid"})
    assert status == 200 and body["content"] == "still valid" and it.followups[0].content == "still valid"
    w.clock.advance(15 * 60 + 1)
    status, body, _ = await _post(url, {"content": "too late"})
    assert (status, body["code"]) == (404, 10015)
    assert len(it.followups) == 1 and "10015" in fake.violations[-1]


async def test_followup_before_acknowledgement_is_refused(world: Env, bot: TinyBot):
    fake, w = world
    it = await fake.slash(w.alice, "late")  # the bot holds its answer until the gate opens
    url = f"{fake.api_base}/webhooks/{fake.application_id}/{it.token}?wait=1"
    status, body, _ = await _post(url, {"content": "early"})
    assert (status, body["code"]) == (404, 10015) and "before any callback" in fake.violations[0]
    bot.gate.set()
    assert (await it.response()).data["content"] == "too late?"


async def test_injecting_before_the_bot_connects_is_an_error(world: Env):
    fake, w = world
    with pytest.raises(RuntimeError, match="has not identified"):
        await fake.slash(w.alice, "hello", {"name": "Ada"}, force=True)


async def test_channel_message_limits_over_http(world: Env, bot: TinyBot):
    fake, w = world
    channel = bot.get_channel(w.channel_id)
    assert isinstance(channel, discord.TextChannel)
    embed = discord.Embed(title="t" * 257)
    for index in range(26):
        embed.add_field(name=f"f{index}", value="v")
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send(embed=embed)
    assert raised.value.code == 50035
    assert "embeds.0.title" in fake.violations[0] and "embeds.0.fields" in fake.violations[0]
    sent = await channel.send("fine", view=discord.ui.View().add_item(discord.ui.Button(label="b", custom_id="b")))
    edited = await sent.edit(content="still fine")
    assert edited.content == "still fine"
    (message,) = fake.channel_messages(w.channel_id)
    assert message.content == "still fine" and [e.via for e in message.edits] == ["PATCH channel message"]
    await sent.delete()
    assert message.deleted and fake.channel_messages(w.channel_id) == []


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"content": "x" * 2001}, "content"),
        ({"embeds": [{"description": "d" * 4097}]}, "embeds.0.description"),
        ({"embeds": [{"fields": [{"name": "n" * 257, "value": "v"}]}]}, "embeds.0.fields.0.name"),
        ({"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]}, "embeds.0.fields.0.value"),
        ({"embeds": [{"footer": {"text": "f" * 2049}}]}, "embeds.0.footer.text"),
        ({"embeds": [{"author": {"name": "a" * 257}}]}, "embeds.0.author.name"),
        ({"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]}, "embeds"),
        ({"embeds": [{"title": "t"}] * 11}, "embeds"),
        ({"components": [{"type": 1, "components": [{"type": 2, "label": "b", "custom_id": "c"}]}] * 6}, "components"),
        (
            {
                "components": [
                    {"type": 1, "components": [{"type": 2, "label": "b", "custom_id": f"{i}"} for i in range(6)]}
                ]
            },
            "components.0.components",
        ),
        ({"components": [{"type": 1, "components": [{"type": 2, "label": "l" * 81, "custom_id": "c"}]}]}, "label"),
        ({"components": [{"type": 1, "components": [{"type": 2, "label": "b", "custom_id": "c" * 101}]}]}, "custom_id"),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [
                            {
                                "type": 3,
                                "custom_id": "s",
                                "options": [{"label": "o", "value": str(i)} for i in range(26)],
                            }
                        ],
                    }
                ]
            },
            "components.0.components.0.options",
        ),
    ],
)
def test_message_limits(body: dict[str, Any], path: str):
    errors = check_message(body)
    assert errors, body
    assert any(path in error.describe() for error in errors), [e.describe() for e in errors]


def test_message_within_limits_passes():
    row = {"type": 1, "components": [{"type": 2, "label": "l" * 80, "custom_id": f"c{i}"} for i in range(5)]}
    embed = {"title": "t" * 256, "description": "d" * 4096, "fields": [{"name": "n", "value": "v" * 1024}] * 1}
    assert check_message({"content": "x" * 2000, "embeds": [embed], "components": [row]}) == []


@pytest.mark.parametrize(
    ("modal", "path"),
    [
        ({"title": "t" * 46}, "data.title"),
        ({"components": [{"type": 1, "components": [{"type": 4, "custom_id": "a", "label": "l" * 46}]}]}, "label"),
        (
            {
                "components": [
                    {"type": 1, "components": [{"type": 4, "custom_id": "a", "label": "l", "value": "v" * 4001}]}
                ]
            },
            "value",
        ),
        (
            {
                "components": [
                    {"type": 1, "components": [{"type": 4, "custom_id": "a", "label": "l", "max_length": 4001}]}
                ]
            },
            "max_length",
        ),
        (
            {
                "components": [
                    {"type": 1, "components": [{"type": 4, "custom_id": str(i), "label": "l"}]} for i in range(6)
                ]
            },
            "data.components",
        ),
    ],
)
def test_modal_limits(modal: dict[str, Any], path: str):
    body = {
        "title": "t",
        "custom_id": "m",
        "components": [{"type": 1, "components": [{"type": 4, "custom_id": "a", "label": "l"}]}],
    }
    errors = check_modal(body | modal)
    assert any(path in error.describe() for error in errors), [e.describe() for e in errors]


async def test_deadline_is_real_time_without_a_manual_clock():
    async with FakeDiscord(response_deadline=0.05) as fake:
        guild = fake.add_guild("g")
        fake.add_channel(guild, "c")
        alice = fake.add_member(guild, "alice")
        bot = TinyBot()
        bot.gate.set()
        with fake.patch_discord():
            task = asyncio.create_task(bot.start("any-token"))
            await fake.wait_for_sync()
            await fake.wait_until_ready()
            await asyncio.sleep(0)
            it = await fake.slash(alice, "hello", {"name": "quick"})
            assert (await it.response()).type == 4
            await bot.close()
            await asyncio.wait_for(task, 5)


async def test_edit_bursts_warn_and_ephemeral_messages_stay_private(world: Env, bot: TinyBot):
    fake, w = world
    channel = bot.get_channel(w.channel_id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("0")
    for count in range(1, 7):
        sent = await sent.edit(content=str(count))
    assert len(fake.rate_warnings) == 1 and "6 message edits within 5s" in fake.rate_warnings[0]
    private = (await (await fake.slash(w.alice, "hello", {"name": "Ada"})).response()).message
    assert private is not None and private.ephemeral
    with pytest.raises(discord.NotFound):
        await channel.fetch_message(private.id)
    assert not fake.violations[:-1] and "10008" in fake.violations[-1]
