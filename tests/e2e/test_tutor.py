"""The tutor modes through the real bot and the fake Discord: practice, spaced review, and resuming after a restart.

The bot's clock is moved forward by the test (`TORCHQUIZ_CLOCK_OFFSET_FILE`), so cards come due without waiting.
"""

from __future__ import annotations

import signal
from pathlib import Path

import yaml

from tests.conftest import CHALLENGES
from tests.database_reader import read_database
from tests.e2e.conftest import World
from tests.e2e.live import field
from tests.e2e.player import Player
from tests.fakediscord import run_bot_process


def results(database: Path | str, user_id: int) -> list[tuple[str, int, int]]:
    with read_database(database) as db:
        return db.execute(
            "SELECT question_id, correct, points FROM results WHERE user_id = ? ORDER BY created_at", (user_id,)
        ).fetchall()


def clocked(world: World, tmp_path: Path) -> tuple[dict[str, str], Path]:
    offset = tmp_path / "clock-offset"
    offset.write_text("0")
    return {**world.env(), "TORCHQUIZ_CLOCK_OFFSET_FILE": str(offset)}, offset


async def test_practice_is_untimed_explains_each_answer_and_earns_no_points(world: World, tmp_path: Path) -> None:
    alice = world.members["alice"]
    async with run_bot_process(world.fake, world.env()):
        started = await world.fake.slash(
            alice, "practice", {"pack": "autograd-basics", "count": 5}, channel_id=world.channel_id
        )
        callback = await started.response()
        problem = callback.message
        assert problem is not None and problem.ephemeral
        assert "📝 Practice" in problem.text and "untimed, no points" in problem.text
        assert problem.embed is not None and problem.embed["title"].startswith("Practice · Problem 1/5")
        assert field(problem, "Closes") == "untimed"
        player = Player(world.fake, alice, world.channel_id)
        player.problem, player.last = problem, started
        answers = answer_keys()
        answered = 0
        while player.problem is not None and answered < 5:
            letter = next(key for prompt, key in answers.items() if prompt in player.problem.text)
            revealed, following = await player.answer_and_advance(letter)
            answered += 1
            assert revealed.message is not None
            assert revealed.message.embed is not None
            verdict = revealed.message.embed["description"].split("\n")[0]
            assert verdict == "✅ **Correct!**"  # no points in practice
            assert "comes back for review" in revealed.message.text  # every answer is a review of its card
            if answered == 5:
                assert "Practice complete" in following.text and "5/5" in following.text
                break
    assert [points for _, _, points in results(world.database, alice.id)] == [0] * 5
    with read_database(world.database) as db:  # and practice never counts on a leaderboard
        assert db.execute("SELECT COUNT(*) FROM results WHERE ranked = 1").fetchone() == (0,)


def answer_keys() -> dict[str, str]:
    """The start of each autograd-basics prompt and its answer: practice serves them in random order."""
    pack = yaml.safe_load((CHALLENGES / "autograd-basics.yaml").read_text(encoding="utf-8"))
    return {question["prompt"].strip()[:60]: question["answer"] for question in pack["questions"]}


async def test_review_serves_the_questions_missed_in_a_challenge(world: World, tmp_path: Path) -> None:
    alice = world.members["alice"]
    env, offset = clocked(world, tmp_path)
    async with run_bot_process(world.fake, env):
        nothing = await (await world.fake.slash(alice, "review", channel_id=world.channel_id)).response()
        assert nothing.message is not None and "You have no cards yet" in nothing.message.text

        player = Player(world.fake, alice, world.channel_id)
        await player.start()
        await player.click("B")  # wrong, one attempt left
        _, second = await player.answer_and_advance("C")  # wrong again: missed
        assert "Problem 2/5" in second.text
        await player.answer_and_advance("B")  # right first time

        # A missed question comes back within minutes; a right one not for a while.
        offset.write_text("300")
        review = await world.fake.slash(alice, "review", channel_id=world.channel_id)
        callback = await review.response()
        served = callback.message
        assert served is not None and served.ephemeral
        assert "🔁 1 card(s) due" in served.text
        assert served.embed is not None and served.embed["title"].startswith("Review · Problem 1/1")
        reviewer = Player(world.fake, alice, world.channel_id)
        reviewer.problem, reviewer.last = served, review
        revealed, summary = await reviewer.answer_and_advance("A")
        assert revealed.message is not None and "comes back for review <t:" in revealed.message.text
        assert "Review complete" in summary.text and "1/1" in summary.text

        offset.write_text("450")  # the right answer's card is due ten minutes after it; the reviewed one later
        later = await (await world.fake.slash(alice, "review", channel_id=world.channel_id)).response()
        assert later.message is not None and "Nothing is due for review" in later.message.text

    with read_database(world.database) as db:
        ratings = db.execute(
            "SELECT question_id, rating, mode FROM review_logs WHERE user_id = ? ORDER BY reviewed_at", (alice.id,)
        ).fetchall()
    first, second_question = ratings[0][0], ratings[1][0]
    # Again for the miss; Easy for right answers given at once (within a quarter of the time; 20 s when untimed).
    assert [rating for _, rating, _ in ratings] == [1, 4, 4]
    assert [mode for _, _, mode in ratings] == ["challenge", "challenge", "review"]
    assert ratings[2][0] == first != second_question


async def test_a_restart_resumes_an_open_challenge_problem(world: World) -> None:
    alice = world.members["alice"]
    async with run_bot_process(world.fake, world.env()) as first_run:
        player = Player(world.fake, alice, world.channel_id)
        await player.start()
        _, second = await player.answer_and_advance("A")
        assert "Problem 2/5" in second.text
        _, reply = await player.click("C")  # one attempt used before the restart
        assert reply.message is not None and "1 attempt left" in reply.message.text
        first_run.process.send_signal(signal.SIGKILL)
        await first_run.process.wait()

    async with run_bot_process(world.fake, world.env()):
        # The problem is still open after the restart: the member's next click is answered, and counts as the
        # second attempt (half points), and the run goes on.
        revealed, third = await player.answer_and_advance("B")
        assert revealed.message is not None and "Correct!" in revealed.message.text
        assert "Problem 3/5" in third.text
    # 100 for the first problem; the second: half for a second attempt, +10% for the streak of one.
    assert [row[1:] for row in results(world.database, alice.id)] == [(1, 100), (1, 55)]
