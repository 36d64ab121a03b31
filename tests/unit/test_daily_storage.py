"""The daily question on a real database: server settings, one post per day, and daily streaks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.storage import DailyStreak, GuildSettings, RefusedWrite, Store

GUILD = 100


# -- settings ------------------------------------------------------------------------------------------------


async def test_daily_settings_are_kept_and_listed(store: Store) -> None:
    settings = await store.set_daily(GUILD, 555, 9 * 60 + 30, 777)
    assert (settings.daily_channel_id, settings.daily_time, settings.daily_role_id) == (555, 570, 777)
    assert settings.daily_enabled and settings.run_enabled  # other options untouched
    await store.set_daily(GUILD + 1, 556, 0)
    await store.update_guild_settings(GUILD + 2, quiz_channel_id=9)  # a server without a daily question
    assert [g.guild_id for g in await store.guilds_with_daily()] == [GUILD, GUILD + 1]
    off = await store.disable_daily(GUILD)
    assert not off.daily_enabled and off.daily_role_id is None
    assert [g.guild_id for g in await store.guilds_with_daily()] == [GUILD + 1]


async def test_a_time_outside_the_day_is_refused(store: Store) -> None:
    for minutes in (-1, 1440):
        with pytest.raises(ValueError, match="0–1439"):
            await store.set_daily(GUILD, 555, minutes)
    assert not (await store.guild_settings(GUILD)).daily_enabled


async def test_the_database_refuses_a_time_outside_the_day_too(store: Store) -> None:
    with pytest.raises(RefusedWrite, match=r"(?i)check"):
        await store._write_guild_settings(GUILD, {"daily_time": 1440})


async def test_time_zones_are_checked_and_cleared(store: Store) -> None:
    assert (await store.set_timezone(GUILD, "Europe/Paris")).timezone == "Europe/Paris"
    for bad in ("Mars/Olympus", "../etc/passwd", ""):
        with pytest.raises(ValueError, match="time zone"):
            await store.set_timezone(GUILD, bad)
    assert (await store.guild_settings(GUILD)).timezone == "Europe/Paris"
    assert (await store.set_timezone(GUILD, None)).timezone is None


def test_days_and_the_daily_time_are_local_to_the_server() -> None:
    paris = GuildSettings(GUILD, daily_channel_id=1, daily_time=9 * 60, timezone="Europe/Paris")
    utc = GuildSettings(GUILD, daily_channel_id=1, daily_time=9 * 60)
    late_evening_utc = datetime(2025, 7, 1, 22, 30, tzinfo=UTC).timestamp()  # 00:30 on 2 July in Paris
    assert utc.local_day(late_evening_utc) == "2025-07-01"
    assert paris.local_day(late_evening_utc) == "2025-07-02"
    assert utc.daily_due_at("2025-07-02") == datetime(2025, 7, 2, 9, 0, tzinfo=UTC).timestamp()
    assert paris.daily_due_at("2025-07-02") == datetime(2025, 7, 2, 7, 0, tzinfo=UTC).timestamp()  # summer, UTC+2
    assert paris.daily_due_at("2025-01-15") == datetime(2025, 1, 15, 8, 0, tzinfo=UTC).timestamp()  # winter, UTC+1
    assert GuildSettings(GUILD).daily_due_at("2025-07-02") is None


# -- posts -----------------------------------------------------------------------------------------------------


async def claim(store: Store, day: str, play_id: str, question: str = "q1") -> bool:
    return await store.claim_daily_post(
        GUILD,
        day,
        pack_id="autograd-basics",
        question_id=question,
        play_id=play_id,
        channel_id=555,
        posted_at=1000.0,
        owner_id=1,
    )


async def test_only_the_first_claim_of_a_day_posts(store: Store) -> None:
    assert await claim(store, "2025-07-01", "d1")
    assert not await claim(store, "2025-07-01", "d1-again", question="q2")
    post = await store.daily_post(GUILD, "2025-07-01")
    assert post is not None and (post.question_id, post.play_id, post.message_id) == ("q1", "d1", None)
    assert await store.play_status("d1") == "running"
    assert await store.play_status("d1-again") is None  # a lost claim stores nothing
    assert await claim(store, "2025-07-02", "d2")  # the next day is a new day
    assert await store.daily_post(GUILD + 1, "2025-07-01") is None


async def test_the_message_is_remembered_and_found_from_its_play(store: Store) -> None:
    await claim(store, "2025-07-01", "d1")
    await store.set_daily_message(GUILD, "2025-07-01", 424242)
    post = await store.daily_post_of_play("d1")
    assert post is not None and (post.day, post.message_id) == ("2025-07-01", 424242)
    assert await store.daily_post_of_play("nothing") is None


async def test_recent_posts_come_newest_first(store: Store) -> None:
    for day in ("2025-07-01", "2025-07-03", "2025-07-02"):
        await claim(store, day, f"d-{day}", question=f"q-{day}")
    assert [p.day for p in await store.recent_daily_posts(GUILD, limit=2)] == ["2025-07-03", "2025-07-02"]


async def test_a_malformed_day_is_refused(store: Store) -> None:
    for bad in ("2025-7-1", "20250701", "yesterday"):
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            await claim(store, bad, "x")
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            await store.daily_streak(7, GUILD, bad)


# -- streaks ---------------------------------------------------------------------------------------------------


async def answer(store: Store, day: str, correct: bool = True, user: int = 7) -> DailyStreak:
    return await store.record_daily_answer(user, GUILD, day, correct=correct)


async def test_consecutive_correct_days_build_a_streak(store: Store) -> None:
    assert (await answer(store, "2025-06-30")).current == 1
    assert (await answer(store, "2025-07-01")).current == 2  # across a month
    streak = await answer(store, "2025-07-02")
    assert (streak.current, streak.best, streak.last_day) == (3, 3, "2025-07-02")


async def test_a_day_counts_once(store: Store) -> None:
    await answer(store, "2025-07-01")
    assert (await answer(store, "2025-07-01")).current == 1


async def test_a_gap_starts_again_and_best_remains(store: Store) -> None:
    for day in ("2025-07-01", "2025-07-02", "2025-07-03"):
        await answer(store, day)
    streak = await answer(store, "2025-07-05")
    assert (streak.current, streak.best) == (1, 3)


async def test_a_wrong_answer_does_not_extend_and_breaks_the_chain(store: Store) -> None:
    await answer(store, "2025-07-01")
    await answer(store, "2025-07-02")
    wrong = await answer(store, "2025-07-03", correct=False)
    assert (wrong.current, wrong.best, wrong.last_day) == (2, 2, "2025-07-02")  # unchanged that day
    assert (await answer(store, "2025-07-04")).current == 1  # 3 July had no correct answer


async def test_right_after_wrong_on_the_same_day_still_counts(store: Store) -> None:
    await answer(store, "2025-07-01")
    await answer(store, "2025-07-02", correct=False)
    assert (await answer(store, "2025-07-02")).current == 2


async def test_an_answer_for_an_earlier_day_changes_nothing(store: Store) -> None:
    await answer(store, "2025-07-01")
    await answer(store, "2025-07-02")
    late = await answer(store, "2025-06-30")
    assert (late.current, late.best, late.last_day) == (2, 2, "2025-07-02")


async def test_the_streak_shown_today_is_zero_once_a_day_was_missed(store: Store) -> None:
    assert await store.daily_streak(7, GUILD, "2025-07-01") == DailyStreak(7, GUILD, 0, 0, None)
    await answer(store, "2025-07-01")
    await answer(store, "2025-07-02")
    assert (await store.daily_streak(7, GUILD, "2025-07-02")).current == 2
    assert (await store.daily_streak(7, GUILD, "2025-07-03")).current == 2  # today's not answered yet: alive
    missed = await store.daily_streak(7, GUILD, "2025-07-04")
    assert (missed.current, missed.best) == (0, 2)


async def test_streaks_are_per_member_and_server(store: Store) -> None:
    await answer(store, "2025-07-01")
    await answer(store, "2025-07-02")
    await answer(store, "2025-07-02", user=8)
    other_server = await store.record_daily_answer(7, GUILD + 1, "2025-07-02", correct=True)
    assert (await store.daily_streak(7, GUILD, "2025-07-02")).current == 2
    assert (await store.daily_streak(8, GUILD, "2025-07-02")).current == 1
    assert other_server.current == 1
