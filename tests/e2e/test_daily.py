"""The daily question through the real bot and the fake Discord: set up, posted at its time, answered privately,
kept across a restart, and closed when the server's day ends.

The server's time zone is picked so that its local time is around noon whenever the test runs, so the day never
ends by accident mid-test; the day's end is reached by moving the bot's clock (`TORCHQUIZ_CLOCK_OFFSET_FILE`).
"""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.questions import LETTERS, Pack, Question
from bot.engine.review import RATING_RULES_TEXT
from bot.engine.scoring import RULES_TEXT, base_points, score_correct
from bot.packs import load_library
from tests.database_reader import read_database
from tests.e2e.conftest import World
from tests.e2e.live import button, field, reply_text
from tests.fakediscord import BotProcess, FakeMessage, FakeUser, run_bot_process

DAILY_ENV = {"TORCHQUIZ_DAILY_CHECK_SECONDS": "1"}
TITLE = "📅 Daily question · "


def midday_zone() -> str:
    """An IANA zone whose local time is between 12:00 and 13:00 right now."""
    shift = 12 - datetime.now(UTC).hour  # -11..12 hours east of UTC
    return "Etc/GMT" if shift == 0 else f"Etc/GMT{'-' if shift > 0 else '+'}{abs(shift)}"  # POSIX signs are inverted


def query(world: World, sql: str, *args: object) -> list[tuple[object, ...]]:
    with read_database(world.database) as db:
        return db.execute(sql, args).fetchall()


def daily_question(world: World, day: str | None = None) -> tuple[Pack, Question]:
    sql = "SELECT pack_id, question_id FROM daily_posts" + (" WHERE day = ?" if day else " ORDER BY day DESC")
    pack_id, question_id = query(world, sql, *([day] if day else []))[0]
    pack = load_library([world.packs_dir]).packs[str(pack_id)]
    return pack, pack.question(str(question_id))


def wrong_letters(question: Question) -> list[str]:
    return [letter for letter in LETTERS[: len(question.choices or ())] if letter != question.answer]


async def settings(world: World, user: str, name: str, options: dict[str, object] | None = None) -> str:
    interaction = await world.fake.slash(
        world.members[user], "settings", options, subcommand=name, channel_id=world.channel_id
    )
    callback = await interaction.response()
    assert callback.message is not None and callback.message.ephemeral
    return callback.message.text


async def slash(world: World, user: FakeUser, name: str) -> FakeMessage:
    callback = await (await world.fake.slash(user, name, channel_id=world.channel_id)).response()
    assert callback.message is not None and callback.message.ephemeral, callback.data
    return callback.message


async def the_post(world: World, day_after: FakeMessage | None = None) -> FakeMessage:
    """The daily question the bot posts in the channel (a newer one than `day_after`, when given)."""
    floor = day_after.id if day_after is not None else 0
    return await world.fake.wait_for_message(
        lambda m: TITLE in m.text and not m.ephemeral and "closed" not in m.text and m.id > floor,
        timeout=15,
        channel_id=world.channel_id,
    )


def posts_in_channel(world: World) -> list[FakeMessage]:
    return [m for m in world.fake.channel_messages(world.channel_id) if TITLE in m.text and not m.ephemeral]


async def test_posted_answered_shown_and_kept_across_a_restart(world: World) -> None:
    alice, bob, carol = (world.members[name] for name in ("alice", "bob", "carol"))
    role = world.fake.state.guild(world.guild_id).roles[world.quizmaster_role]
    zone = midday_zone()
    env = {**world.env(), **DAILY_ENV}
    async with run_bot_process(world.fake, env) as first_run:
        nothing = await slash(world, carol, "daily")
        assert "This server has no daily question" in nothing.text and "/settings daily" in nothing.text

        assert "Manage Server" in await settings(
            world, "alice", "daily", {"channel": world.channel_id, "time": "11:00"}
        )
        refused = await settings(world, "mod", "timezone", {"zone": "Mars/Olympus"})
        assert "is not a time zone I know" in refused and "Europe/Paris" in refused
        refused = await settings(world, "mod", "daily", {"channel": world.channel_id, "time": "25:00"})
        assert "HH:MM" in refused
        assert f"**Time zone:** {zone}" in await settings(world, "mod", "timezone", {"zone": zone})
        shown = await settings(world, "mod", "daily", {"channel": world.channel_id, "time": "11:00", "role": role})
        assert f"**Daily question:** in <#{world.channel_id}> at 11:00, mentioning <@&{role.id}>" in shown
        listed = await settings(world, "mod", "show")
        assert f"**Daily question:** in <#{world.channel_id}> at 11:00" in listed and f"**Time zone:** {zone}" in listed

        post = await the_post(world)  # 11:00 has passed in the server's zone: posted at once
        day = datetime.now(ZoneInfo(zone)).date().isoformat()
        assert post.content.startswith(f"<@&{role.id}> ") and f"{TITLE}{day}" in post.text
        pack, question = daily_question(world, day)
        assert question.type != "code"
        letters = LETTERS[: len(question.choices or ())]
        assert [b["label"] for b in post.buttons] == [*letters, "Hint"]
        attempts = question.effective_attempts(pack.defaults)
        assert attempts >= 2, "every shipped multiple-choice question allows a second attempt"
        answer, wrong = question.answer or "?", wrong_letters(question)

        right = await reply_text(world, alice, post, answer)
        assert f"✅ **{answer}** is right! +{base_points(question.difficulty)} points" in right
        assert question.explanation[:60] in right and "🔥 1-day streak" in right
        assert "already answered this question correctly" in await reply_text(world, alice, post, wrong[0])

        for letter in wrong[: attempts - 1]:
            assert "attempt" in await reply_text(world, bob, post, letter)
        last = await reply_text(world, bob, post, wrong[attempts - 1])
        assert "that was your last attempt" in last and question.explanation[:60] in last
        assert "No daily streak yet" in last

        private = await slash(world, carol, "daily")  # carol missed the post
        assert f"{TITLE}{day}" in private.text and f"{attempts} attempts left" in private.text
        assert private.custom_ids == post.custom_ids  # the same buttons, answered by the same play
        assert question.hint[:40] in await reply_text(world, carol, private, "Hint")
        assert f"{attempts - 1} attempt" in await reply_text(world, carol, private, wrong[0])

        alice_profile = await (await world.fake.slash(alice, "profile", channel_id=world.channel_id)).response()
        assert alice_profile.message is not None
        assert field(alice_profile.message, "Daily streak") == "🔥 1 now · best 1"
        assert field(alice_profile.message, "Points") == str(base_points(question.difficulty))
        bob_profile = await slash(world, bob, "profile")
        assert field(bob_profile, "Daily streak").startswith("none yet")
        assert "/practice topic:" in field(bob_profile, "Practise next")

        first_run.process.send_signal(signal.SIGKILL)
        await first_run.process.wait()

    async with run_bot_process(world.fake, env):
        # the play was rebuilt from storage: carol's hint and wrong attempt still count
        late = await reply_text(world, carol, post, answer)
        expected = score_correct(question.difficulty, attempt=2, hints=1).points
        assert f"is right! +{expected} points" in late and "🔥 1-day streak" in late
        assert "no attempts left" in await reply_text(world, bob, post, answer)
        assert "already answered" in await reply_text(world, alice, post, answer)
        await asyncio.sleep(2.5)  # at least two looks of the poster after the start
        assert len(posts_in_channel(world)) == 1
        assert query(world, "SELECT COUNT(*) FROM daily_posts") == [(1,)]

    assert world.fake.rate_warnings == []
    results = query(world, "SELECT user_id, correct, points, attempts, hints FROM results ORDER BY user_id")
    assert sorted(results) == sorted(
        [
            (alice.id, 1, base_points(question.difficulty), 1, 0),
            (bob.id, 0, 0, attempts, 0),
            (carol.id, 1, expected, 2, 1),
        ]
    )
    streaks = query(world, "SELECT user_id, current, best FROM daily_streaks ORDER BY user_id")
    assert sorted(streaks) == sorted([(alice.id, 1, 1), (carol.id, 1, 1)])
    modes = {mode for (mode,) in query(world, "SELECT mode FROM review_logs")}
    assert modes == {"daily"}
    assert query(world, "SELECT mode, status FROM plays") == [("daily", "running")]  # open until the day ends


async def test_the_day_ends_with_the_answer_shown_and_a_new_question_next_day(world: World, tmp_path: Path) -> None:
    alice, dave, carol = world.members["alice"], world.members["dave"], world.members["carol"]
    zone = midday_zone()
    offset_file = tmp_path / "clock-offset"
    offset_file.write_text("0", encoding="ascii")
    env = {**world.env(), **DAILY_ENV, "TORCHQUIZ_CLOCK_OFFSET_FILE": str(offset_file)}
    async with run_bot_process(world.fake, env):
        await settings(world, "mod", "timezone", {"zone": zone})
        later = await settings(world, "mod", "daily", {"channel": world.channel_id, "time": "23:59"})
        assert "at 23:59" in later
        waiting = await slash(world, carol, "daily")
        assert "Today's daily question comes <t:" in waiting.text and "(23:59)" in waiting.text
        assert not posts_in_channel(world)

        await settings(world, "mod", "daily", {"channel": world.channel_id, "time": "11:00"})
        post = await the_post(world)
        assert "<@&" not in post.content  # no role set: nobody is mentioned
        _, question = daily_question(world)
        answer, wrong = question.answer or "?", wrong_letters(question)
        assert "is right" in await reply_text(world, alice, post, answer)
        assert "attempt" in await reply_text(world, dave, post, wrong[0])  # tried, never finished

        local = datetime.now(ZoneInfo(zone))
        tomorrow_at_11 = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), ZoneInfo(zone))
        tomorrow_at_11 += timedelta(hours=11)
        offset_file.write_text(str(tomorrow_at_11.timestamp() - time.time() + 5), encoding="ascii")

        closed = await world.fake.wait_for_edit(post, lambda m: "· closed" in m.text, timeout=15)
        assert all(b["disabled"] for b in closed.buttons)
        assert [b["style"] for b in closed.buttons if b["label"] == answer] == [3]  # green: the right one
        assert f"**Answer: {answer}.**" in closed.text and question.explanation[:60] in closed.text
        counts = field(closed, "Answers")
        assert f"`{answer}` " in counts and " 1 ✅" in counts and f"`{wrong[0]}` " in counts
        assert field(closed, "Got it right") == "1 of 2 players"
        gone = await world.fake.click(dave, closed, button(closed, answer), force=True)
        reply = await gone.response()
        assert reply.message is not None and "This question has closed." in reply.message.text

        following = await the_post(world, day_after=post)  # the next day's question, at its time
        next_day = (local.date() + timedelta(days=1)).isoformat()
        assert f"{TITLE}{next_day}" in following.text
        _, second = daily_question(world, next_day)
        assert second.id != question.id  # a question posted in the last 30 days is not repeated
        shown = await slash(world, carol, "daily")
        assert f"{TITLE}{next_day}" in shown.text

    assert world.fake.rate_warnings == []
    missed = query(world, "SELECT correct, points, attempts FROM results WHERE user_id = ?", dave.id)
    assert missed == [(0, 0, 1)]
    first_play = query(world, "SELECT p.status FROM plays p JOIN daily_posts d ON d.play_id = p.id ORDER BY d.day")
    assert first_play[0] == ("finished",)


async def test_a_day_that_ended_while_the_bot_was_down_is_closed_and_the_missed_post_made(
    world: World, tmp_path: Path
) -> None:
    alice, dave = world.members["alice"], world.members["dave"]
    zone = midday_zone()
    offset_file = tmp_path / "clock-offset"
    offset_file.write_text("0", encoding="ascii")
    env = {**world.env(), **DAILY_ENV, "TORCHQUIZ_CLOCK_OFFSET_FILE": str(offset_file)}
    async with run_bot_process(world.fake, env) as first_run:
        await settings(world, "mod", "timezone", {"zone": zone})
        await settings(world, "mod", "daily", {"channel": world.channel_id, "time": "11:00"})
        post = await the_post(world)
        _, question = daily_question(world)
        answer, wrong = question.answer or "?", wrong_letters(question)
        assert "is right" in await reply_text(world, alice, post, answer)
        assert "attempt" in await reply_text(world, dave, post, wrong[0])
        first_run.process.send_signal(signal.SIGKILL)
        await first_run.process.wait()

    local = datetime.now(ZoneInfo(zone))
    next_day = local.date() + timedelta(days=1)
    noon = datetime.combine(next_day, datetime.min.time(), ZoneInfo(zone)) + timedelta(hours=12)
    offset_file.write_text(str(noon.timestamp() - time.time()), encoding="ascii")  # down until noon next day
    async with run_bot_process(world.fake, env):
        closed = await world.fake.wait_for_edit(post, lambda m: "· closed" in m.text, timeout=15)
        assert all(b["disabled"] for b in closed.buttons) and field(closed, "Got it right") == "1 of 2 players"
        following = await the_post(world, day_after=post)  # 11:00 passed while the bot was down
        assert f"{TITLE}{next_day.isoformat()}" in following.text
        await asyncio.sleep(2.5)
        assert len(posts_in_channel(world)) == 2

    missed = query(world, "SELECT correct, attempts FROM results WHERE user_id = ?", dave.id)
    assert missed == [(0, 1)]
    assert query(world, "SELECT COUNT(*) FROM rounds WHERE closed_at IS NULL") == [(1,)]  # today's only
    statuses = query(world, "SELECT p.status FROM plays p JOIN daily_posts d ON d.play_id = p.id ORDER BY d.day")
    assert statuses == [("finished",), ("running",)]


async def test_help_covers_practice_review_and_the_daily(world: World, bot: BotProcess) -> None:
    text = (await slash(world, world.members["dave"], "help")).text
    for command in ("/practice", "/review", "/daily", "/challenge", "/profile", "/settings"):
        assert command in text
    assert "daily-off" in text and "timezone" in text  # a group lists its subcommands
    assert RULES_TEXT in text and RATING_RULES_TEXT in text
    assert "`/practice` and `/review` earn **no leaderboard points**" in text
    assert "**Daily streak:**" in text and "your next right answer starts a new streak" in text
