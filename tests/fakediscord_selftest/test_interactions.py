"""The fake against the real discord.py client: every way a bot answers an interaction."""

from __future__ import annotations

import pytest

from tests.fakediscord import FakeDiscord, Upload

from .conftest import World
from .tinybot import TinyBot

Env = tuple[FakeDiscord, World]


async def test_slash_answers_ephemerally_with_embed_and_buttons(world: Env, bot: TinyBot):
    fake, w = world
    it = await fake.slash(w.alice, "hello", {"name": "Ada", "times": 2})
    reply = await it.response()
    assert reply.type == 4
    message = reply.message
    assert message is not None and message.ephemeral
    assert message.embed is not None and message.embed["title"] == "Hello Ada"
    assert message.embed["description"] == "x2"
    assert message.embed["fields"][0]["value"] == "False"
    assert message.custom_ids == ["hello:edit", "hello:reply", "hello:rename", "hello:pick"]
    assert it.original is message
    assert message in fake.channel_messages(w.channel_id)
    assert not fake.violations and not fake.unhandled


async def test_member_permissions_reach_the_bot(world: Env, bot: TinyBot):
    fake, w = world
    reply = await (await fake.slash(w.admin, "hello", {"name": "Root"})).response()
    assert reply.message is not None and reply.message.embed is not None
    assert reply.message.embed["fields"][0]["value"] == "True"


async def test_click_answered_by_edit_message(world: Env, bot: TinyBot):
    fake, w = world
    message = (await (await fake.slash(w.alice, "hello", {"name": "Ada"})).response()).message
    assert message is not None
    click = await fake.click(w.alice, message, "hello:edit")
    reply = await click.response()
    assert reply.type == 7 and reply.message is message
    assert message.content == "edited by alice" and message.components == []
    assert [e.via for e in message.edits] == ["callback 7"]
    with pytest.raises(AssertionError, match="not on message"):
        await fake.click(w.alice, message, "hello:edit")
    # A stale client still shows the old buttons; discord.py still routes the click to the stored view.
    stale = await fake.click(w.alice, message, "hello:edit", force=True)
    assert (await stale.response()).type == 7
    assert len(message.edits) == 2 and not fake.violations


async def test_click_answered_by_ephemeral_reply_and_followup(world: Env, bot: TinyBot):
    fake, w = world
    message = (await (await fake.slash(w.alice, "hello", {"name": "Ada"})).response()).message
    assert message is not None
    click = await fake.click(w.alice, message, "hello:reply")
    reply = await click.response()
    assert reply.type == 4 and reply.message is not None
    assert reply.message.ephemeral and reply.message.content == "a private reply"
    (followup,) = await click.wait_followups(1)
    assert followup.ephemeral and followup.content == "and a follow-up"
    assert followup.interaction_id == click.id
    assert not fake.violations


async def test_click_refuses_what_a_user_could_not_click(world: Env, bot: TinyBot):
    fake, w = world
    message = (await (await fake.slash(w.alice, "hello", {"name": "Ada"})).response()).message
    assert message is not None
    with pytest.raises(AssertionError, match="cannot see ephemeral"):
        await fake.click(w.admin, message, "hello:edit")
    with pytest.raises(AssertionError, match="not on message"):
        await fake.click(w.alice, message, "nope")
    button = message.component("hello:reply")
    assert button is not None
    button["disabled"] = True
    with pytest.raises(AssertionError, match="disabled"):
        await fake.click(w.alice, message, "hello:reply")


async def test_modal_round_trip(world: Env, bot: TinyBot):
    fake, w = world
    it = await fake.slash(w.alice, "ask")
    shown = await it.response()
    assert shown.type == 9 and it.modal is not None and it.modal["title"] == "Your answer"
    with pytest.raises(AssertionError, match="no field"):
        await fake.submit_modal(w.alice, it, {"wrong": "x"})
    submit = await fake.submit_modal(w.alice, it, {"answer": "42"})
    reply = await submit.response()
    assert reply.message is not None and reply.message.content == "you said 42"
    with pytest.raises(AssertionError, match="already submitted"):
        await fake.submit_modal(w.alice, it, {"answer": "42"})
    second = await fake.slash(w.alice, "ask")
    await second.response()
    assert second.modal is not None
    again = await fake.submit_modal(w.alice, second.modal["custom_id"], {"answer": "43"})
    assert (await again.response()).data["content"] == "you said 43"


async def test_deferred_response_filled_by_followup(world: Env, bot: TinyBot):
    fake, w = world
    it = await fake.slash(w.alice, "slow")
    reply = await it.response()
    assert reply.type == 5 and reply.message is not None
    (followup,) = await it.wait_followups(1)
    assert followup is it.original and not followup.loading
    assert followup.content == "done thinking" and not followup.ephemeral
    assert (await it.wait_original()).content == "done thinking"


async def test_original_response_edit(world: Env, bot: TinyBot):
    fake, w = world
    it = await fake.slash(w.alice, "orig")
    message = (await it.response()).message
    assert message is not None
    await fake.wait_for_edit(message, lambda m: m.content == "second version")
    assert [e.content for e in message.edits] == ["second version"]
    assert message.edits[0].via == "PATCH webhook @original"
    assert bot.original_edit is not None and bot.original_edit.content == "second version"
    assert bot.original_edit.id == message.id


async def test_file_followup_after_ephemeral_defer(world: Env, bot: TinyBot):
    fake, w = world
    it = await fake.slash(w.alice, "file")
    (followup,) = await it.wait_followups(1)
    assert followup.ephemeral and followup.content == "here"
    (attachment,) = followup.attachments
    assert attachment.filename == "result.txt" and attachment.data == b"tensor([1.])"
    assert not fake.violations


async def test_subcommand_and_typed_options(world: Env, bot: TinyBot):
    fake, w = world
    it = await fake.slash(w.alice, "quiz start", {"topic": "autograd", "rounds": 3, "hard": True})
    assert (await it.response()).data["content"] == "quiz on autograd: 3 rounds, hard=True"
    it = await fake.slash(w.alice, "quiz", {"topic": "nn", "rounds": 1}, subcommand="start")
    assert (await it.response()).data["content"] == "quiz on nn: 1 rounds, hard=False"
    it = await fake.slash(w.admin, "quiz admin reset", {"confirm": True})
    assert (await it.response()).data["content"] == "reset confirm=True"
    (option,) = it.payload["data"]["options"]
    assert (option["type"], option["name"], option["options"][0]["type"]) == (2, "admin", 1)


async def test_attachment_and_member_options(world: Env, bot: TinyBot):
    fake, w = world
    it = await fake.slash(w.alice, "upload", {"code": Upload("a.py", b"print(1)"), "who": w.admin})
    assert (await it.response()).data["content"] == "admin sent a.py: print(1)"


async def test_slash_refuses_what_discord_would_not_send(world: Env, bot: TinyBot):
    fake, w = world
    with pytest.raises(AssertionError, match="never synced"):
        await fake.slash(w.alice, "missing")
    with pytest.raises(AssertionError, match="required"):
        await fake.slash(w.alice, "hello", {"times": 1})
    with pytest.raises(AssertionError, match="does not fit"):
        await fake.slash(w.alice, "hello", {"name": "x", "times": "two"})
    with pytest.raises(AssertionError, match="needs a subcommand"):
        await fake.slash(w.alice, "quiz")


async def test_modal_from_a_button_updates_that_message(world: Env, bot: TinyBot):
    fake, w = world
    message = (await (await fake.slash(w.alice, "hello", {"name": "Ada"})).response()).message
    assert message is not None
    click = await fake.click(w.alice, message, "hello:rename")
    assert (await click.response()).type == 9
    submit = await fake.submit_modal(w.alice, click, {"name": "Grace"})
    reply = await submit.response()
    assert reply.type == 7 and reply.message is message and message.content == "renamed to Grace"
    assert submit.payload["message"]["id"] == str(message.id)


async def test_select_menu(world: Env, bot: TinyBot):
    fake, w = world
    message = (await (await fake.slash(w.alice, "hello", {"name": "Ada"})).response()).message
    assert message is not None
    with pytest.raises(AssertionError, match="not all among"):
        await fake.select(w.alice, message, "hello:pick", ["z"])
    it = await fake.select(w.alice, message, "hello:pick", ["b"])
    assert (await it.response()).data["content"] == "picked b"


async def test_autocomplete(world: Env, bot: TinyBot):
    fake, w = world
    it = await fake.autocomplete(w.alice, "pack", {"name": "autograd"}, focused="name")
    reply = await it.response()
    assert reply.type == 8
    assert [c["value"] for c in reply.data["choices"]] == ["autograd-basics", "autograd-advanced"]
    with pytest.raises(AssertionError, match="autocomplete"):
        await fake.autocomplete(w.alice, "hello", {"name": "A"}, focused="name")
