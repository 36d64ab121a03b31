"""Helpers for driving a live quiz through the fake Discord."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import World
from tests.fakediscord import FakeMessage, FakeUser

QUIZ_ENV = {"TORCHQUIZ_QUIZ_LOBBY_SECONDS": "60", "TORCHQUIZ_QUIZ_PAUSE_SECONDS": "0.2"}


def button(message: FakeMessage, label: str) -> str:
    for item in message.buttons:
        if item.get("label") == label:
            return str(item["custom_id"])
    raise AssertionError(f"no button {label!r}: {[b.get('label') for b in message.buttons]}")


async def reply_text(world: World, user: FakeUser, message: FakeMessage, label: str, *, force: bool = False) -> str:
    """Click a button and return the private reply's text."""
    interaction = await world.fake.click(user, message, button(message, label), force=force)
    callback = await interaction.response()
    assert callback.message is not None and callback.message.ephemeral, callback.data
    return callback.message.text


async def start_quiz(world: World, options: dict[str, Any], *, channel_id: int | None = None) -> FakeMessage:
    channel = channel_id or world.channel_id
    started = await world.fake.slash(world.members["mod"], "quiz", options, subcommand="start", channel_id=channel)
    callback = await started.response()
    assert callback.type == 4 and callback.message is not None, callback.data
    assert not callback.message.ephemeral  # the lobby is public
    return callback.message


async def next_question(world: World, number: int, *, channel_id: int | None = None) -> FakeMessage:
    return await world.fake.wait_for_message(
        lambda m: f"Question {number}/" in m.text and not m.ephemeral and "closed" not in m.text,
        timeout=15,
        channel_id=channel_id or world.channel_id,
    )


async def closed(world: World, message: FakeMessage, within: float = 15) -> FakeMessage:
    return await world.fake.wait_for_edit(message, lambda m: "· closed" in m.text, timeout=within)


async def podium(world: World, *, channel_id: int | None = None) -> FakeMessage:
    return await world.fake.wait_for_message(
        lambda m: "Final standings" in m.text, timeout=20, channel_id=channel_id or world.channel_id
    )


def field(message: FakeMessage, name: str) -> str:
    assert message.embed is not None
    for item in message.embed.get("fields", []):
        if item["name"] == name:
            return str(item["value"])
    raise AssertionError(f"no field {name!r}")
