"""`/settings` changes how live quizzes run on a server."""

from __future__ import annotations

from tests.e2e.conftest import World
from tests.e2e.live import QUIZ_ENV
from tests.fakediscord import run_bot_process


async def settings(world: World, user: str, name: str, options: dict[str, object] | None = None) -> str:
    interaction = await world.fake.slash(
        world.members[user], "settings", options, subcommand=name, channel_id=world.channel_id
    )
    callback = await interaction.response()
    assert callback.message is not None and callback.message.ephemeral
    return callback.message.text


async def quiz_start(world: World, user: str, channel_id: int) -> str:
    interaction = await world.fake.slash(
        world.members[user], "quiz", {"pack": "autograd-basics", "count": 1}, subcommand="start", channel_id=channel_id
    )
    callback = await interaction.response()
    assert callback.message is not None
    return callback.message.text


async def test_moderator_role_quiz_channel_and_defaults(world: World) -> None:
    elsewhere = world.fake.add_channel(world.guild_id, "off-topic")
    role = world.fake.state.guild(world.guild_id).roles[world.quizmaster_role]
    async with run_bot_process(world.fake, {**world.env(), **QUIZ_ENV}):
        assert "Manage Server permission" in await settings(world, "dave", "show")
        assert "Only moderators" in await quiz_start(world, "dave", world.channel_id)

        shown = await settings(world, "mod", "moderator-role", {"role": role})
        assert f"<@&{role.id}> can now run quizzes." in shown
        shown = await settings(world, "mod", "quiz-channel", {"channel": world.channel_id})
        assert f"**Quiz channel:** <#{world.channel_id}>" in shown
        shown = await settings(world, "mod", "quiz-defaults", {"time": 45, "count": 4})
        assert "**Quiz defaults:** 4 questions, 45 s each" in shown

        assert f"Live quizzes run in <#{world.channel_id}>" in await quiz_start(world, "dave", elsewhere)
        lobby = await quiz_start(world, "dave", world.channel_id)
        assert "Live quiz: Autograd Basics" in lobby and "1 question**, 45 s each" in lobby

        shown = await settings(world, "mod", "quiz-channel")
        assert "**Quiz channel:** any channel" in shown
