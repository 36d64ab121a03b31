"""A `code` problem of `/challenge`: Submit code opens the code box, the sandbox grades it case by case."""

from __future__ import annotations

import re

from tests.database_reader import read_database
from tests.e2e.conftest import World
from tests.e2e.player import Player
from tests.fakediscord import FakeInteraction, FakeMessage, run_bot_process

SOLUTION = """import torch


def square_grad(values):
    x = torch.tensor(values, requires_grad=True)
    (x ** 2).sum().backward()
    return x.grad
"""


async def submit(world: World, player: Player, code: str) -> tuple[FakeInteraction, FakeMessage]:
    opened, modal = await player.click("Submit code")
    assert modal.type == 9 and modal.data["title"] == "Submit code"
    [row] = modal.data["components"]
    assert "def square_grad(values):" in row["components"][0]["value"]  # prefilled with the starter
    submitted = await world.fake.submit_modal(player.user, opened, {"code": code})
    assert (await submitted.response()).type == 5  # acknowledged at once; grading follows
    [report] = await submitted.wait_followups(1, timeout=20)
    return submitted, report


async def test_code_problem_is_graded_case_by_case(world: World) -> None:
    alice = world.members["alice"]
    async with run_bot_process(world.fake, world.sandbox_env()):
        player = Player(world.fake, alice, world.channel_id)
        await player.start("autograd-in-code")
        await player.answer_and_advance("B")
        problem = player.problem
        assert problem is not None and "Problem 2/9" in problem.text and "Starter code" in problem.text
        assert [b["label"] for b in problem.buttons] == ["Submit code", "Hint"]

        _, report = await submit(world, player, "def square_grad(values):\n    return [0.0]\n")
        assert report.ephemeral and report.embed is not None
        assert report.embed["title"] == "Check results: 0/3 passed"
        # The inputs are drawn afresh for each submission, so the expected values change; their shape does not.
        assert re.search(
            r"❌ gradient of sum\(x²\)[^:]*: failed, expected `tensor\(\[[^`]+\]\)` got `\[0\.0\]`", report.text
        )
        assert "expected a tensor, got a list or tuple" in report.text
        assert "2 attempts left" in report.text

        opened, _ = await player.click("Submit code")
        repeated = await world.fake.submit_modal(
            alice, opened, {"code": "def square_grad(values):\n    return [0.0]\n"}
        )
        refusal = await repeated.response()
        assert refusal.type == 4 and "You already submitted exactly this code" in refusal.data["content"]

        submitted, passed = await submit(world, player, SOLUTION)
        assert passed.embed is not None and passed.embed["title"] == "Check results: 3/3 passed"
        assert "✅ gradient at a single negative value: passed" in passed.text
        assert "**All checks passed!** +28 points" in passed.text  # 50 halved for a later attempt, +10% streak
        revealed = await world.fake.wait_for_edit(problem, lambda m: "A reference solution" in m.text, timeout=10)
        assert all(b["disabled"] for b in revealed.buttons)
        following = await player.next_message(submitted)
        assert "Problem 3/9" in following.text

    with read_database(world.database) as db:
        rows = db.execute(
            "SELECT question_id, correct, points, attempts FROM results WHERE user_id = ? ORDER BY created_at",
            (alice.id,),
        ).fetchall()
    assert rows == [("accumulate-three-times", 1, 100, 1), ("square-grad", 1, 28, 2)]


async def test_code_that_ends_before_the_check_fails(world: World) -> None:
    alice = world.members["alice"]
    async with run_bot_process(world.fake, world.sandbox_env()):
        player = Player(world.fake, alice, world.channel_id)
        await player.start("autograd-in-code")
        await player.answer_and_advance("B")
        _, report = await submit(world, player, "import os\nos._exit(0)\n")
        assert report.embed is not None and report.embed["title"] == "Check results: 0/3 passed"
        assert "⚠️ your code ended before the check ran" in report.text
        assert "❌ autograd computed it (a backward pass ran): not reached" in report.text
        assert "2 attempts left" in report.text  # the first submission, which was wrong, used one
        assert "All checks passed" not in report.text
