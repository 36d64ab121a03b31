"""`/privacy hide|show`, `/export-my-data` and `/forget-me` through the real bot and the fake Discord."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.database_reader import read_database
from tests.e2e.conftest import World
from tests.e2e.live import button
from tests.e2e.player import Player
from tests.e2e.test_leaderboard import footer, leaderboard, private_reply, rows, seed
from tests.fakediscord import FakeMessage, FakeUser, run_bot_process
from tests.fakediscord import inject as fake_inject


async def private(world: World, user: FakeUser, name: str, subcommand: str | None = None) -> FakeMessage:
    """Run a command and return its private answer (waiting for a deferred one to be filled in)."""
    interaction = await world.fake.slash(user, name, subcommand=subcommand, channel_id=world.channel_id)
    callback = await interaction.response()
    message = await interaction.wait_original() if callback.type == 5 else callback.message
    assert message is not None and message.ephemeral, callback.data
    return message


def on_board(message: FakeMessage) -> list[int]:
    return [int(str(row["user"])) for row in rows(message)]


async def export(world: World, user: FakeUser) -> dict[str, list[dict[str, Any]]]:
    message = await private(world, user, "export-my-data")
    [attachment] = message.attachments
    assert attachment.filename.startswith(f"torchquiz-data-{user.id}-") and attachment.filename.endswith(".json")
    data: dict[str, list[dict[str, Any]]] = json.loads(attachment.data)
    return data


async def test_a_hidden_member_is_left_off_global_boards(world: World) -> None:
    fake = world.fake
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    elsewhere = fake.add_guild("Another study group")
    fake.add_channel(elsewhere, "general")
    zed = fake.add_member(elsewhere, "zed")
    await seed(world.database, world.guild_id, [(alice.id, 300, 3), (bob.id, 500, 5), (carol.id, 100, 1)])
    await seed(world.database, elsewhere, [(zed.id, 400, 4)])
    async with run_bot_process(fake, world.env()):
        everywhere = await leaderboard(world, alice, scope="global")
        assert on_board(everywhere) == [bob.id, zed.id, alice.id, carol.id]
        assert "Members can hide from global boards with /privacy hide" in footer(everywhere)
        assert on_board(await leaderboard(world, alice)) == [bob.id, alice.id, carol.id]  # this server only

        hidden = await private(world, bob, "privacy", "hide")
        assert "hidden from global leaderboards" in hidden.text
        assert on_board(await leaderboard(world, alice, scope="global")) == [zed.id, alice.id, carol.id]
        assert on_board(await leaderboard(world, alice)) == [bob.id, alice.id, carol.id]  # server boards still show
        own = await leaderboard(world, bob, scope="global", period="week")
        assert bob.id not in on_board(own) and "You're hidden from global boards" in own.text
        assert "hidden from global boards" in await private_reply(world, bob, own, "Me")

        shown = await private(world, bob, "privacy", "show")
        assert "show you again" in shown.text
        assert on_board(await leaderboard(world, alice, scope="global")) == [bob.id, zed.id, alice.id, carol.id]


async def test_forget_me_after_export(world: World) -> None:
    fake = world.fake
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    await seed(world.database, world.guild_id, [(alice.id, 300, 3), (bob.id, 500, 5), (carol.id, 400, 4)])
    async with run_bot_process(fake, world.env()):
        player = Player(fake, carol, world.channel_id)
        await player.start()
        await player.answer_and_advance("A")  # a running challenge, one answer stored, the next problem open
        await private(world, carol, "privacy", "hide")

        data = await export(world, carol)
        assert len(data["results"]) == 6 and {row["user_id"] for row in data["results"]} == {carol.id}
        assert all(row["tags"] for row in data["results"])
        assert {row["owner_id"] for row in data["plays"]} == {carol.id} and len(data["plays"]) == 2
        assert data["attempts"] and {row["user_id"] for row in data["attempts"]} == {carol.id}
        assert data["privacy"] == [{"hidden": True}]
        assert str(bob.id) not in json.dumps(data)  # nobody else's rows

        warning = await private(world, carol, "forget-me")
        assert "cannot be undone" in warning.text
        assert [b["label"] for b in warning.buttons] == ["Delete everything", "Cancel"]
        stranger = await fake.click(bob, warning, button(warning, "Delete everything"), force=True)
        refused = await stranger.response()
        assert refused.message is not None and refused.message.ephemeral and "someone else" in refused.message.text
        cancelled = await (await fake.click(carol, warning, button(warning, "Cancel"))).response()
        assert cancelled.type == 7 and warning.text == "Nothing was deleted." and warning.buttons == []
        assert len((await export(world, carol))["results"]) == 6
        assert carol.id in on_board(await leaderboard(world, alice))

        confirm = await private(world, carol, "forget-me")
        pressed = await fake.click(carol, confirm, button(confirm, "Delete everything"))
        await pressed.response()
        report = await fake.wait_for_edit(confirm, lambda m: "Done" in m.text)
        # six answers, and the open problem of the running challenge, which ended (as missed) before the deletion
        assert "7 answered questions" in report.text and "2 private plays" in report.text
        assert "1 privacy setting" in report.text and report.buttons == []

        assert on_board(await leaderboard(world, alice)) == [bob.id, alice.id]
        assert player.problem is not None
        closed = await fake.click(carol, player.problem, player.custom_id("B"), force=True)  # the stopped challenge
        answer = await closed.response()
        assert answer.message is not None and "This question has closed." in answer.message.text
        after = await export(world, carol)
        assert all(rows == [] for table, rows in after.items() if table != "privacy")
        assert after["privacy"] == [{"hidden": False}]

    with read_database(world.database) as db:
        for table, column in (("results", "user_id"), ("attempts", "user_id"), ("plays", "owner_id")):
            count = db.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (carol.id,)).fetchone()[0]
            assert count == 0, table
        assert db.execute("SELECT COUNT(*) FROM results WHERE user_id = ?", (bob.id,)).fetchone()[0] == 5


async def test_an_export_too_big_to_attach_is_refused_whole(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    alice = world.members["alice"]
    await seed(world.database, world.guild_id, [(alice.id, 300, 3)])
    monkeypatch.setattr(fake_inject, "ATTACHMENT_SIZE_LIMIT", 1024)  # what the fake tells the bot it may attach
    async with run_bot_process(world.fake, world.env()):
        message = await private(world, alice, "export-my-data")
        assert message.attachments == []
        assert "more than the 1 KiB a file can be here" in message.text
