"""`/challenge autograd-basics` played through the real bot, the real discord.py client and the fake Discord."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.database_reader import read_database
from tests.e2e.conftest import World
from tests.e2e.live import field
from tests.e2e.player import Player
from tests.fakediscord import BotProcess, run_bot_process

CORRECT = ["A", "B", "A", "C", "D"]
EPHEMERAL = 64


def stored(database: Path | str, user_id: int) -> list[tuple[str, int, int]]:
    with read_database(database) as db:
        return db.execute(
            "SELECT question_id, correct, points FROM results WHERE user_id = ? ORDER BY created_at", (user_id,)
        ).fetchall()


async def test_first_problem_is_private_with_countdown_and_buttons(world: World, bot: BotProcess) -> None:
    player = Player(world.fake, world.members["alice"], world.channel_id)
    callback = await player.start()
    problem = callback.message
    assert problem is not None and problem.ephemeral
    assert problem.embed is not None
    assert "Problem 1/5" in problem.embed["title"]
    assert field(problem, "Type") == "Conceptual"
    assert field(problem, "Difficulty") == "Intermediate"
    assert field(problem, "Points") == "100"
    assert re.fullmatch(r"<t:\d+:R>", field(problem, "Closes"))
    assert [b["label"] for b in problem.buttons] == ["A", "B", "C", "D", "Hint"]


async def test_all_right_earns_the_badge_and_is_stored(world: World, bot: BotProcess) -> None:
    alice = world.members["alice"]
    player = Player(world.fake, alice, world.channel_id)
    await player.start()
    for number, letter in enumerate(CORRECT, start=1):
        callback, following = await player.answer_and_advance(letter)
        assert callback.message is not None
        assert "Correct!" in callback.message.text and "closed" in callback.message.text
        assert all(button["disabled"] for button in callback.message.buttons)
        if number < 5:
            assert f"Problem {number + 1}/5" in following.text
            assert following.flags & EPHEMERAL
    summary = following
    assert "5/5" in summary.text and "865" in summary.text
    assert "Badge earned: **Automatic Differentiation Master**" in summary.text
    # 100 + 100·1.1 + 150·1.2 + 150·1.3 + 200·1.4: the streak bonus grows with every right answer
    assert [points for _, _, points in stored(world.database, alice.id)] == [100, 110, 180, 195, 280]

    profile = await (await world.fake.slash(alice, "profile", channel_id=world.channel_id)).response()
    assert profile.message is not None
    assert field(profile.message, "Points") == "865"
    assert field(profile.message, "Accuracy").startswith("100%")
    assert "Automatic Differentiation Master" in profile.message.text


async def test_wrong_then_right_hint_and_a_miss(world: World, bot: BotProcess) -> None:
    bob = world.members["bob"]
    player = Player(world.fake, bob, world.channel_id)
    await player.start()

    _, wrong = await player.click("D")
    assert wrong.type == 4 and wrong.message is not None and wrong.message.ephemeral
    assert "1 attempt left" in wrong.message.text
    callback, _ = await player.answer_and_advance("A")
    assert callback.message is not None and "+50 points" in callback.message.text  # half for a second attempt

    _, hint = await player.click("Hint")
    assert hint.message is not None and "Differentiate x³ + 2x" in hint.message.text
    callback, _ = await player.answer_and_advance("B")
    assert callback.message is not None and "+83 points" in callback.message.text  # (100 − 25) × 1.1 streak

    _, first = await player.click("B")
    assert first.message is not None and "1 attempt left" in first.message.text
    callback, _ = await player.answer_and_advance("C")
    assert callback.message is not None
    assert "No attempts left" in callback.message.text and "Answer: A." in callback.message.text

    await player.answer_and_advance("C")
    _, summary = await player.answer_and_advance("D")
    assert "3/5" not in summary.text and "4/5" in summary.text
    assert "Badge earned" not in summary.text
    assert "Get every problem right to earn" in summary.text
    assert stored(world.database, bob.id) == [
        ("why-autodiff", 1, 50),
        ("cubic-grad", 1, 83),
        ("clear-gradient-model", 0, 0),
        ("lr-too-high", 1, 150),
        ("detach-backward", 1, 220),
    ]
    with read_database(world.database) as db:
        assert db.execute("SELECT COUNT(*) FROM badges WHERE user_id = ?", (bob.id,)).fetchone() == (0,)


async def test_double_click_is_counted_once(world: World, bot: BotProcess) -> None:
    carol = world.members["carol"]
    player = Player(world.fake, carol, world.channel_id)
    await player.start()
    _, first = await player.click("C")
    _, second = await player.click("C")
    assert first.message is not None and "1 attempt left" in first.message.text
    assert second.message is not None and "You already tried C" in second.message.text
    problem = player.problem
    assert problem is not None
    await player.answer_and_advance("A")
    revealed = {b["label"]: b for b in problem.buttons}
    assert all(b["disabled"] for b in revealed.values())
    assert revealed["A"]["style"] == 3 and revealed["C"]["style"] == 4  # green answer, red wrong pick
    # a client that has not refreshed clicks the closed problem once more
    again = await world.fake.click(carol, problem, player.custom_id("A", problem), force=True)
    late = await again.response()
    assert late.message is not None and "This question has closed." in late.message.text
    with read_database(world.database) as db:
        attempts = db.execute(
            "SELECT choice, attempt FROM attempts WHERE user_id = ? ORDER BY attempt", (carol.id,)
        ).fetchall()
    assert attempts == [("C", 1), ("A", 2)]
    assert stored(world.database, carol.id) == [("why-autodiff", 1, 50)]


async def test_help_lists_commands_and_scoring(world: World, bot: BotProcess) -> None:
    reply = await (await world.fake.slash(world.members["dave"], "help", channel_id=world.channel_id)).response()
    assert reply.message is not None and reply.message.ephemeral
    text = reply.message.text
    for command in ("/challenge", "/profile", "/help"):
        assert command in text
    assert "a correct later attempt earns half" in text and "each hint costs a quarter" in text


async def test_unknown_pack_gets_a_clear_answer(world: World, bot: BotProcess) -> None:
    reply = await (
        await world.fake.slash(
            world.members["dave"], "challenge", {"pack": "no-such-pack"}, channel_id=world.channel_id
        )
    ).response()
    assert reply.message is not None and "There is no pack called `no-such-pack`" in reply.message.text


async def test_a_problem_left_to_time_out(world: World, tmp_path: Path) -> None:
    data = yaml.safe_load((world.packs_dir / "autograd-basics.yaml").read_text(encoding="utf-8"))
    data["defaults"]["time_limit"] = 3
    quick = tmp_path / "packs"
    quick.mkdir()
    (quick / "autograd-basics.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    world.packs_dir = quick
    dave = world.members["dave"]
    async with run_bot_process(world.fake, world.env()):
        player = Player(world.fake, dave, world.channel_id)
        await player.start()
        await player.answer_and_advance("A")
        timed_out = player.problem
        assert timed_out is not None and "Problem 2/5" in timed_out.text
        revealed = await world.fake.wait_for_edit(timed_out, lambda m: "Time's up" in m.text, timeout=10)
        assert all(b["disabled"] for b in revealed.buttons) and "Answer: B." in revealed.text
        following = await player.next_message()
        assert "Problem 3/5" in following.text
        stale = await world.fake.click(dave, timed_out, player.custom_id("B", timed_out), force=True)
        reply = await stale.response()
        assert reply.message is not None and "This question has closed." in reply.message.text
    assert stored(world.database, dave.id)[:2] == [("why-autodiff", 1, 100), ("cubic-grad", 0, 0)]
