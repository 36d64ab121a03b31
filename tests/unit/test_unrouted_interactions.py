"""`bot.client.has_handler` mirrors discord.py's own routing of clicks and form submits.

It reads private structures of discord.py (its view store and `wait_for` listeners), so these tests run it
against the real thing: if a new discord.py renames or reshapes them, they fail here instead of every unknown
click silently going unanswered again.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest

from bot.client import has_handler, pending_waits

BOT_ID = 20
CHANNEL_ID = 30
MESSAGE_ID = 50


class ProbeButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"probe:(?P<n>\d+)"):
    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label="probe", custom_id=f"probe:{n}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ProbeButton:
        return cls(int(match["n"]))


class ProbeModal(discord.ui.Modal, title="Probe"):
    answer: discord.ui.TextInput[ProbeModal] = discord.ui.TextInput(label="Answer", custom_id="answer")


def _user(user_id: int, name: str) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "discriminator": "0", "avatar": None}


def payload(custom_id: str, *, kind: int = 3, component_type: int = 2, message_id: int = MESSAGE_ID) -> dict[str, Any]:
    """The INTERACTION_CREATE payload Discord sends for a click (3) or a form (5)."""
    data: dict[str, Any] = {"custom_id": custom_id}
    if kind == 3:
        data["component_type"] = component_type
    else:
        data["components"] = []
    sent: dict[str, Any] = {
        "id": "10",
        "application_id": str(BOT_ID),
        "type": kind,
        "token": "token",
        "version": 1,
        "channel_id": str(CHANNEL_ID),
        "user": _user(40, "alice"),
        "data": data,
        "attachment_size_limit": 1024,
        "entitlements": [],
        "authorizing_integration_owners": {},
        "context": 0,
    }
    if kind == 3:
        sent["message"] = {
            "id": str(message_id),
            "channel_id": str(CHANNEL_ID),
            "author": _user(BOT_ID, "torchquiz"),
            "content": "",
            "timestamp": "2026-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "components": [],
        }
    return sent


def interaction(client: discord.Client, custom_id: str, **kwargs: Any) -> discord.Interaction:
    """A real `discord.Interaction`, parsed by discord.py from that payload."""
    return discord.Interaction(data=payload(custom_id, **kwargs), state=client._connection)  # type: ignore[arg-type]


@pytest.fixture
async def client() -> AsyncIterator[discord.Client]:
    async with discord.Client(intents=discord.Intents.default()) as made:  # sets its loop; never connects
        yield made


async def test_nothing_registered_means_no_handler(client: discord.Client) -> None:
    assert not has_handler(client, interaction(client, "nothing:here"))
    assert not has_handler(client, interaction(client, "nothing:form", kind=5))


async def test_dynamic_item_templates_are_handlers(client: discord.Client) -> None:
    client.add_dynamic_items(ProbeButton)
    assert has_handler(client, interaction(client, "probe:7"))
    assert not has_handler(client, interaction(client, "probe:seven"))  # the template must match in full
    assert not has_handler(client, interaction(client, "xprobe:7"))
    client.remove_dynamic_items(ProbeButton)
    assert not has_handler(client, interaction(client, "probe:7"))


async def test_persistent_and_message_views_are_handlers_until_stopped(client: discord.Client) -> None:
    persistent = discord.ui.View(timeout=None)
    persistent.add_item(discord.ui.Button(label="keep", custom_id="keep:me"))
    client.add_view(persistent)
    bound = discord.ui.View(timeout=None)
    bound.add_item(discord.ui.Button(label="here", custom_id="bound:here"))
    client.add_view(bound, message_id=MESSAGE_ID)

    assert has_handler(client, interaction(client, "keep:me"))
    assert has_handler(client, interaction(client, "keep:me", message_id=MESSAGE_ID + 1))
    assert has_handler(client, interaction(client, "bound:here"))
    assert not has_handler(client, interaction(client, "bound:here", message_id=MESSAGE_ID + 1))
    assert not has_handler(client, interaction(client, "keep:me", component_type=3))  # a select, not the button

    persistent.stop()
    bound.stop()
    assert not has_handler(client, interaction(client, "keep:me"))
    assert not has_handler(client, interaction(client, "bound:here"))


async def test_an_open_modal_is_a_handler_until_it_stops(client: discord.Client) -> None:
    modal = ProbeModal(custom_id="probe:form", timeout=None)
    client._connection.store_view(modal)  # what `interaction.response.send_modal` does
    assert has_handler(client, interaction(client, "probe:form", kind=5))
    assert not has_handler(client, interaction(client, "other:form", kind=5))
    modal.stop()
    assert not has_handler(client, interaction(client, "probe:form", kind=5))


async def test_wait_for_interaction_takes_the_event(client: discord.Client) -> None:
    assert pending_waits(client, "interaction") == []
    waiting = asyncio.ensure_future(
        client.wait_for("interaction", check=lambda i: (i.data or {}).get("custom_id") == "ask:me", timeout=5)
    )
    await asyncio.sleep(0)  # let wait_for register its listener
    waits = pending_waits(client, "interaction")
    assert len(waits) == 1

    client.dispatch("interaction", interaction(client, "not:asked"))
    assert not any(wait.done() for wait in waits)
    clicked = interaction(client, "ask:me")
    client.dispatch("interaction", clicked)
    assert any(wait.done() for wait in waits)
    assert await waiting is clicked


async def test_discord_routes_in_the_call_that_dispatches_the_interaction_event() -> None:
    """The fallback decides inside `dispatch("interaction")`, trusting that discord.py routed it in the same call."""
    seen: list[tuple[str, bool]] = []

    class Recorder(discord.Client):
        def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
            super().dispatch(event_name, *args, **kwargs)
            if event_name == "interaction":
                [event] = args
                assert isinstance(event, discord.Interaction)
                seen.append((str(dict(event.data or {})["custom_id"]), has_handler(self, event)))

    recorder = Recorder(intents=discord.Intents.default())
    recorder.add_dynamic_items(ProbeButton)
    try:
        for custom_id in ("probe:1", "nothing:here"):
            recorder._connection.parse_interaction_create(payload(custom_id))  # type: ignore[arg-type]
        await asyncio.sleep(0)  # let the dynamic item's task look at the message (it finds no such button)
    finally:
        await recorder.close()
    assert seen == [("probe:1", True), ("nothing:here", False)]
