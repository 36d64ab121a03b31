"""A click or a form that nothing in the bot handles is still answered, privately and within Discord's 3 s.

The `world` fixture fails the test if the bot broke one of Discord's rules, which includes answering late or
answering one interaction twice (the fallback must never answer a click that a real button handled).
"""

from __future__ import annotations

from tests.e2e.conftest import World
from tests.e2e.player import Player
from tests.fakediscord import BotProcess, FakeCallback, FakeInteraction, FakeMessage

CHANNEL_MESSAGE = 4
RESPONSE_DEADLINE = 3.0


async def _bot_message(world: World) -> FakeMessage:
    """A message the bot posted: its reply to /help."""
    reply = await (await world.fake.slash(world.members["alice"], "help", channel_id=world.channel_id)).response()
    assert reply.message is not None
    return reply.message


def _private_answer(interaction: FakeInteraction, callback: FakeCallback) -> str:
    assert callback.type == CHANNEL_MESSAGE, callback
    assert callback.message is not None and callback.message.ephemeral
    assert callback.at - interaction.created_at < RESPONSE_DEADLINE
    return callback.message.content


async def test_unknown_button_is_no_longer_active(world: World, bot: BotProcess) -> None:
    message = await _bot_message(world)
    click = await world.fake.click(world.members["alice"], message, "nothing:here", force=True)
    assert _private_answer(click, await click.response()) == "This button is no longer active."


async def test_unknown_select_menu_is_answered_too(world: World, bot: BotProcess) -> None:
    message = await _bot_message(world)
    choice = await world.fake.select(world.members["bob"], message, "gone:menu", ["a"], force=True)
    assert _private_answer(choice, await choice.response()) == "This button is no longer active."


async def test_unknown_form_is_no_longer_active(world: World, bot: BotProcess) -> None:
    submitted = await world.fake.submit_modal(world.members["carol"], "nothing:form", {"code": "x"}, force=True)
    assert _private_answer(submitted, await submitted.response()) == "This form is no longer active."


async def test_real_buttons_beside_an_unknown_one_answer_once(world: World, bot: BotProcess) -> None:
    alice = world.members["alice"]
    player = Player(world.fake, alice, world.channel_id)
    await player.start()
    problem = player.problem
    assert problem is not None
    _, hint = await player.click("Hint")
    assert hint.message is not None and "no longer active" not in hint.message.text
    stray = await world.fake.click(alice, problem, "nothing:here", force=True)
    assert _private_answer(stray, await stray.response()) == "This button is no longer active."
    await player.answer_and_advance("A")
    late = await world.fake.click(alice, problem, player.custom_id("A", problem), force=True)
    reply = await late.response()
    assert reply.message is not None and "This question has closed." in reply.message.text
    # each interaction was answered exactly once: a second answer would be a violation (checked by `world`)
    assert all(interaction.acknowledged for interaction in world.fake.interactions)
