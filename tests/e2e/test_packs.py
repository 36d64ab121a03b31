"""`/packs`: browsing, and uploads that become playable in their own server only."""

from __future__ import annotations

from typing import Any

import yaml

from tests.database_reader import read_database
from tests.e2e.conftest import World
from tests.fakediscord import FakeUser, Upload, run_bot_process

GOOD: dict[str, Any] = {
    "id": "study-night",
    "title": "Study Night",
    "description": "Two questions our group wrote.",
    "author": "The study group",
    "badge": {"name": "Night Owl", "emoji": "🦉"},
    "questions": [
        {
            "id": "sum-rows",
            "type": "predict_output",
            "difficulty": "beginner",
            "tags": ["reductions"],
            "prompt": "What is printed?",
            "code": "import torch\nprint(torch.ones(2, 3).sum(dim=0).tolist())\n",
            "choices": ["[2.0, 2.0, 2.0]", "[3.0, 3.0]", "6.0"],
            "answer": "A",
            "hint": "dim=0 collapses the rows.",
            "explanation": "Summing over dim 0 adds the two rows, leaving three columns of 2.0.",
            "verify": {"output": "[2.0, 2.0, 2.0]"},
        },
        {
            "id": "leaf",
            "type": "conceptual",
            "difficulty": "intermediate",
            "tags": ["autograd"],
            "prompt": "Which tensors get a .grad after backward()?",
            "choices": ["Leaves that require grad", "Every tensor in the graph"],
            "answer": "A",
            "hint": "Think about which tensors you created yourself.",
            "explanation": "Only leaf tensors with requires_grad keep .grad; intermediate results do not by default.",
        },
    ],
}


async def upload(world: World, user: FakeUser, data: dict[str, Any] | str, name: str = "pack.yaml") -> str:
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    sent = await world.fake.slash(
        user,
        "packs",
        {"file": Upload(name, text.encode("utf-8"), "text/yaml")},
        subcommand="upload",
        channel_id=world.channel_id,
    )
    first = await sent.response()
    if first.type == 4:  # refused straight away
        assert first.message is not None
        return first.message.text
    assert first.type == 5
    [reply] = await sent.wait_followups(1, timeout=20)
    assert reply.ephemeral and len(reply.content) <= 2000
    return reply.content


async def test_uploads_are_checked_and_stay_in_their_server(world: World) -> None:
    other_guild = world.fake.add_guild("Another group")
    other_channel = world.fake.add_channel(other_guild, "general")
    stranger = world.fake.add_member(other_guild, "stranger")
    mod, alice = world.members["mod"], world.members["alice"]
    async with run_bot_process(world.fake, world.sandbox_env()):
        assert "Only moderators" in await upload(world, alice, GOOD)

        broken = yaml.safe_load(yaml.safe_dump(GOOD))
        del broken["questions"][1]["answer"]
        broken["questions"][0]["difficulty"] = "easy"
        refused = await upload(world, mod, broken)
        assert "was not added: 2 problems" in refused
        assert "question 'sum-rows', field 'difficulty'" in refused
        assert "question 'leaf', field 'answer': is missing" in refused

        wrong_key = yaml.safe_load(yaml.safe_dump(GOOD))
        wrong_key["questions"][0]["verify"]["output"] = "[3.0, 3.0]"
        refused = await upload(world, mod, wrong_key)
        assert "verify.output claims '[3.0, 3.0]' but the code gives '[2.0, 2.0, 2.0]'" in refused

        clash = yaml.safe_load(yaml.safe_dump(GOOD))
        clash["id"] = "autograd-basics"
        assert "is the id of a shipped pack" in await upload(world, mod, clash)
        assert "must be a .yaml or .yml file" in await upload(world, mod, GOOD, name="pack.txt")
        # A file nested a few hundred levels deep exhausts the YAML parser's recursion: refused, not a traceback.
        deep = await upload(world, mod, "questions: " + "[" * 600)
        assert "nests lists or mappings too deeply to be read" in deep and "went wrong" not in deep

        accepted = await upload(world, mod, GOOD)
        assert "✅ **Study Night** (`study-night`, 2 questions) added for this server" in accepted

        listing = await (
            await world.fake.slash(alice, "packs", subcommand="list", channel_id=world.channel_id)
        ).response()
        assert listing.message is not None and "Study Night" in listing.message.text
        assert "Autograd Basics" in listing.message.text
        info = await (
            await world.fake.slash(
                alice, "packs", {"pack": "study-night"}, subcommand="info", channel_id=world.channel_id
            )
        ).response()
        assert info.message is not None and "Night Owl" in info.message.text and "Predict Output 1" in info.message.text

        played = await (
            await world.fake.slash(alice, "challenge", {"pack": "study-night"}, channel_id=world.channel_id)
        ).response()
        assert played.message is not None and "Study Night · Problem 1/2" in played.message.text

        elsewhere = await (
            await world.fake.slash(stranger, "challenge", {"pack": "study-night"}, channel_id=other_channel)
        ).response()
        assert elsewhere.message is not None and "There is no pack called `study-night`" in elsewhere.message.text
        other_list = await (
            await world.fake.slash(stranger, "packs", subcommand="list", channel_id=other_channel)
        ).response()
        assert other_list.message is not None and "Study Night" not in other_list.message.text

    with read_database(world.database) as db:
        assert db.execute("SELECT guild_id, pack_id FROM guild_packs").fetchall() == [(world.guild_id, "study-night")]

    async with run_bot_process(world.fake, world.env()):  # kept across a restart
        again = await (
            await world.fake.slash(alice, "challenge", {"pack": "study-night"}, channel_id=world.channel_id)
        ).response()
        assert again.message is not None and "Study Night · Problem 1/2" in again.message.text
