"""`/run` through the real bot, its real sandbox and the fake Discord: every answer fits Discord's limits."""

from __future__ import annotations

from tests.discord_markdown import RAW_MENTION, assert_plain, split_block, visible
from tests.e2e.conftest import World
from tests.fakediscord import FakeMessage, FakeUser, run_bot_process

NITRO = 'raise ValueError("x\\n# FREE NITRO\\n[claim it](https://example.com/nitro)")\n'


async def run_snippet(world: World, user: FakeUser, code: str, *, share: bool = False) -> FakeMessage:
    opened = await world.fake.slash(user, "run", {"share": share} if share else None, channel_id=world.channel_id)
    modal = await opened.response()
    assert modal.type == 9, f"expected a modal, got {modal.type}: {modal.data}"
    assert modal.data["title"] == "Run PyTorch code"
    submitted = await world.fake.submit_modal(user, opened, {"code": code})
    deferred = await submitted.response()
    assert deferred.type == 5  # "thinking…" within 3 s, the output follows
    [reply] = await submitted.wait_followups(1, timeout=20)
    return reply


async def test_run_answers_every_kind_of_snippet(world: World) -> None:
    alice = world.members["alice"]
    async with run_bot_process(world.fake, world.sandbox_env(TORCHQUIZ_SANDBOX_WALL_SECONDS="2")):
        printed = await run_snippet(
            world,
            alice,
            "import torch\nx = torch.tensor(2.0, requires_grad=True)\n(x ** 3 + 2 * x).backward()\nprint(x.grad)\n",
        )
        assert printed.ephemeral
        assert "ran in" in printed.content and "tensor(14.)" in printed.content
        assert "Stopped early" not in printed.content and "Error" not in printed.content

        raised = await run_snippet(world, alice, "import torch\ntorch.ones(2, 3) @ torch.ones(2, 3)\n")
        assert "💥 Error: RuntimeError: mat1 and mat2 shapes cannot be multiplied" in raised.content

        looped = await run_snippet(world, alice, "while True:\n    pass\n")
        assert "⏱️ Stopped early: time limit" in looped.content

        flood = await run_snippet(world, alice, "while True:\n    print('tensor' * 100)\n")
        assert "📜 Stopped early: output limit" in flood.content
        assert len(flood.content) <= 2000
        [attachment] = flood.attachments
        assert attachment.filename == "output.txt"
        assert len(attachment.data) <= 64 * 1024 + 1024

        shared = await run_snippet(world, alice, "print('hello, group')", share=True)
        assert not shared.ephemeral and "hello, group" in shared.content


async def test_member_text_in_a_shared_run_never_becomes_markup(world: World) -> None:
    """An exception message or output written to look like the bot's own headings, links or pings stays text."""
    alice = world.members["alice"]
    async with run_bot_process(world.fake, world.sandbox_env()):
        raised = await run_snippet(world, alice, NITRO, share=True)
        assert not raised.ephemeral
        outside, inside = split_block(raised.content)
        assert_plain(outside)
        [stop] = [line for line in raised.content.splitlines() if line.startswith("💥")]
        assert stop == raised.content.splitlines()[-1]
        assert stop.startswith("💥 Error: ValueError: x # FREE NITRO \\[claim it]\\(https://example.com/nitro)")
        assert "\n# FREE NITRO\n" in visible(inside)  # the traceback is shown as raised, inside the block

        printed = await run_snippet(
            world, alice, 'print("```\\n# FREE NITRO\\n@everyone <@123456789012345678>\\n```")\n', share=True
        )
        outside, inside = split_block(printed.content)
        assert_plain(outside)
        assert visible(inside) == "text\n```\n# FREE NITRO\n@everyone <@123456789012345678>\n```\n"
        assert not RAW_MENTION.search(inside)


async def test_moderators_can_switch_run_off(world: World) -> None:
    bob, mod = world.members["bob"], world.members["mod"]
    async with run_bot_process(world.fake, world.sandbox_env()):
        refused = await world.fake.slash(
            bob, "settings", {"allowed": False}, subcommand="run", channel_id=world.channel_id
        )
        reply = await refused.response()
        assert reply.message is not None and "Manage Server permission" in reply.message.text

        switched = await world.fake.slash(
            mod, "settings", {"allowed": False}, subcommand="run", channel_id=world.channel_id
        )
        assert "switched off" in (await switched.response()).data["content"]

        blocked = await world.fake.slash(bob, "run", channel_id=world.channel_id)
        answer = await blocked.response()
        assert answer.type == 4 and "Moderators have switched `/run` off" in answer.data["content"]


async def test_run_says_why_when_the_sandbox_is_off(world: World) -> None:
    async with run_bot_process(world.fake, world.env()):
        answer = await (await world.fake.slash(world.members["carol"], "run", channel_id=world.channel_id)).response()
        assert (
            answer.type == 4
            and "`/run` is unavailable: the operator switched the sandbox off" in answer.data["content"]
        )
