"""Live quiz sessions with several members, through the real bot and the fake Discord."""

from __future__ import annotations

import re
import signal

from tests.database_reader import read_database
from tests.e2e.conftest import World
from tests.e2e.live import QUIZ_ENV, button, closed, field, next_question, podium, reply_text, start_quiz
from tests.fakediscord import run_bot_process


def results(world: World) -> list[tuple[str, int, int, int]]:
    with read_database(world.database) as db:
        return db.execute(
            "SELECT question_id, user_id, correct, points FROM results ORDER BY question_id, user_id"
        ).fetchall()


async def test_a_full_session(world: World) -> None:
    alice, bob, carol, mod = (world.members[n] for n in ("alice", "bob", "carol", "mod"))
    async with run_bot_process(world.fake, {**world.env(), **QUIZ_ENV}):
        lobby = await start_quiz(world, {"pack": "autograd-basics", "count": 3, "time": 6})
        assert "Live quiz: Autograd Basics" in lobby.text and "3 questions" in lobby.text
        for member in (alice, bob, carol):
            assert "You're in!" in await reply_text(world, member, lobby, "Join")
        assert "already in" in await reply_text(world, alice, lobby, "Join")
        refused = await reply_text(world, bob, lobby, "Start now")
        assert "Only moderators" in refused
        await reply_text(world, mod, lobby, "Start now")

        first = await next_question(world, 1)
        assert re.search(r"<t:\d+:R>", field(first, "Closes"))
        assert [b["label"] for b in first.buttons] == ["A", "B", "C", "D", "Hint"]
        right = await reply_text(world, alice, first, "A")
        assert re.fullmatch(r"✅ \*\*A\*\* is right! \+(\d+) points", right)
        assert int(right.split("+")[1].split()[0]) > 50  # answered early: more than half
        assert "1 attempt left" in await reply_text(world, bob, first, "B")
        assert "is right" in await reply_text(world, bob, first, "A")
        assert "1 attempt left" in await reply_text(world, carol, first, "C")
        assert "last attempt" in await reply_text(world, carol, first, "D")
        # everybody is done, so the question closes before its deadline
        revealed = await closed(world, first, within=5)
        assert all(b["disabled"] for b in revealed.buttons)
        assert "Answer: A." in revealed.text
        counts = field(revealed, "Answers")
        assert re.search(r"`A` .* 2 ✅", counts) and re.search(r"`B` .* 1", counts) and re.search(r"`D` .* 1", counts)
        assert f"<@{alice.id}>" in field(revealed, "Fastest correct")
        assert f"🥇 <@{alice.id}>" in field(revealed, "Top five")
        late = await reply_text(world, carol, first, "A", force=True)
        assert "This question has closed." in late

        second = await next_question(world, 2)
        assert "is right" in await reply_text(world, alice, second, "B")
        skipped = await world.fake.slash(mod, "quiz", subcommand="skip", channel_id=world.channel_id)
        assert "Closing this question" in (await skipped.response()).data["content"]
        await closed(world, second, within=5)

        third = await next_question(world, 3)
        status = await (
            await world.fake.slash(bob, "quiz", subcommand="status", channel_id=world.channel_id)
        ).response()
        assert "Question 3/3" in status.data["content"]
        await closed(world, third, within=12)  # nobody answers: the deadline closes it
        final = await podium(world)
        assert final.text.index(f"<@{alice.id}>") < final.text.index(f"<@{bob.id}>")
        assert "3 of 3" in field(final, "Questions played")

    stored = results(world)
    assert len(stored) == 9  # three participants × three questions, unanswered ones as misses
    by_question = {(q, u): (c, p) for q, u, c, p in stored}
    assert by_question[("why-autodiff", carol.id)] == (0, 0)
    assert by_question[("cubic-grad", bob.id)] == (0, 0)  # skipped before answering
    assert by_question[("cubic-grad", alice.id)][0] == 1
    assert all(c == 0 for (q, _), (c, _p) in by_question.items() if q == "clear-gradient-model")
    alice_points = sum(p for (q, u), (_, p) in by_question.items() if u == alice.id)
    assert f"🥇 <@{alice.id}> — {alice_points}" in final.text


async def test_only_moderators_start_and_one_session_per_channel(world: World) -> None:
    bob = world.members["bob"]
    second_channel = world.fake.add_channel(world.guild_id, "quiz-2")
    async with run_bot_process(world.fake, {**world.env(), **QUIZ_ENV}):
        refused = await world.fake.slash(
            bob, "quiz", {"pack": "autograd-basics"}, subcommand="start", channel_id=world.channel_id
        )
        reply = await refused.response()
        assert reply.message is not None and reply.message.ephemeral
        assert "Only moderators" in reply.message.text

        first_lobby = await start_quiz(world, {"pack": "autograd-basics", "count": 1, "time": 5})
        busy = await world.fake.slash(
            world.members["mod"], "quiz", {"pack": "autograd-basics"}, subcommand="start", channel_id=world.channel_id
        )
        assert "already running in this channel" in (await busy.response()).data["content"]

        second_lobby = await start_quiz(
            world, {"pack": "autograd-in-code", "count": 1, "time": 5}, channel_id=second_channel
        )
        for lobby, member in ((first_lobby, world.members["alice"]), (second_lobby, bob)):
            await reply_text(world, member, lobby, "Join")
            await reply_text(world, world.members["mod"], lobby, "Start now")
        one = await next_question(world, 1)
        two = await next_question(world, 1, channel_id=second_channel)
        assert "Autograd Basics" in one.text and "Autograd in Code" in two.text
        assert "is right" in await reply_text(world, world.members["alice"], one, "A")
        assert "is right" in await reply_text(world, bob, two, "B")
        await podium(world)
        await podium(world, channel_id=second_channel)


async def test_restart_mid_session_loses_no_answer(world: World) -> None:
    alice, bob = world.members["alice"], world.members["bob"]
    env = {**world.env(), **QUIZ_ENV}
    async with run_bot_process(world.fake, env) as first_run:
        lobby = await start_quiz(world, {"pack": "autograd-basics", "count": 3, "time": 60})
        for member in (alice, bob):
            await reply_text(world, member, lobby, "Join")
        await reply_text(world, world.members["mod"], lobby, "Start now")
        question = await next_question(world, 1)
        acknowledged = [await reply_text(world, alice, question, "A"), await reply_text(world, bob, question, "C")]
        assert "is right" in acknowledged[0] and "1 attempt left" in acknowledged[1]
        first_run.process.send_signal(signal.SIGKILL)
        await first_run.process.wait()

    async with run_bot_process(world.fake, env):
        final = await podium(world)
        assert "interrupted when TorchQuiz restarted" in final.text
        assert f"🥇 <@{alice.id}>" in final.text
        ended = await reply_text(world, bob, question, "B", force=True)
        assert "This quiz session has ended." in ended
        joined = await reply_text(world, bob, lobby, "Join", force=True)
        assert "This quiz session has ended." in joined

    with read_database(world.database) as db:
        attempts = db.execute("SELECT user_id, choice FROM attempts ORDER BY user_id").fetchall()
        status = db.execute("SELECT status FROM plays").fetchone()
    assert sorted(attempts) == sorted([(alice.id, "A"), (bob.id, "C")])
    assert status == ("interrupted",)
    stored = {(u, c) for _, u, c, _ in results(world)}
    assert stored == {(alice.id, 1), (bob.id, 0)}
    assert button(question, "A")  # the old message still carries its buttons


async def test_stop_ends_early_with_results_saved(world: World) -> None:
    alice, mod = world.members["alice"], world.members["mod"]
    async with run_bot_process(world.fake, {**world.env(), **QUIZ_ENV}):
        lobby = await start_quiz(world, {"pack": "autograd-basics", "time": 60})
        await reply_text(world, alice, lobby, "Join")
        await reply_text(world, mod, lobby, "Start now")
        question = await next_question(world, 1)
        assert "is right" in await reply_text(world, alice, question, "A")
        refused = await world.fake.slash(alice, "quiz", subcommand="stop", channel_id=world.channel_id)
        assert "Only moderators" in (await refused.response()).data["content"]
        stopped = await world.fake.slash(mod, "quiz", subcommand="stop", channel_id=world.channel_id)
        assert "Stopping the quiz" in (await stopped.response()).data["content"]
        final = await podium(world)
        assert "stopped early" in final.text and "1 of 5" in field(final, "Questions played")
        after = await world.fake.slash(mod, "quiz", subcommand="status", channel_id=world.channel_id)
        assert "No quiz is running in this channel." in (await after.response()).data["content"]
    with read_database(world.database) as db:
        assert db.execute("SELECT status FROM plays").fetchone() == ("stopped",)
    assert [(u, c) for _, u, c, _ in results(world)] == [(alice.id, 1)]
