"""When the daily question is due, when its day ends, the times moderators type, and whom a post may ping."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import discord
import pytest

from bot.engine import QuizError
from bot.storage import GuildSettings
from cogs.daily._schedule import announcement, day_end, format_time, is_due, next_post_at, parse_time

PARIS = GuildSettings(1, daily_channel_id=10, daily_time=9 * 60 + 30, timezone="Europe/Paris")


def at(year: int, month: int, day: int, hour: int, minute: int) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(("text", "minutes"), [("09:30", 570), ("9:05", 545), (" 00:00 ", 0), ("23:59", 1439)])
def test_times_are_read_on_a_24_hour_clock(text: str, minutes: int) -> None:
    assert parse_time(text) == minutes
    assert parse_time(format_time(minutes)) == minutes


@pytest.mark.parametrize("text", ["24:00", "12:60", "9", "9h30", "09:3", "-1:00", "", "noon", "１２:００"])
def test_other_times_are_refused_with_the_format(text: str) -> None:
    with pytest.raises(QuizError, match="HH:MM"):
        parse_time(text)


def test_a_day_ends_at_the_next_local_midnight_even_across_a_clock_change() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert day_end(paris, "2025-07-01") == at(2025, 7, 1, 22, 0)  # summer: UTC+2
    assert day_end(paris, "2025-01-15") == at(2025, 1, 15, 23, 0)  # winter: UTC+1
    assert day_end(paris, "2025-03-30") - day_end(paris, "2025-03-29") == 23 * 3600  # clocks go forward
    assert day_end(ZoneInfo("UTC"), "2025-12-31") == at(2026, 1, 1, 0, 0)


def test_due_once_the_local_time_has_come() -> None:
    assert not is_due(PARIS, at(2025, 7, 1, 7, 29))  # 09:29 in Paris
    assert is_due(PARIS, at(2025, 7, 1, 7, 30))
    assert is_due(PARIS, at(2025, 7, 1, 21, 59))  # still that day: a missed post is made late
    assert not is_due(PARIS, at(2025, 7, 1, 22, 0))  # 00:00 on 2 July, before its time
    assert not is_due(GuildSettings(1), at(2025, 7, 1, 12, 0))  # no daily question


def test_the_next_post() -> None:
    morning, noon = at(2025, 7, 1, 6, 0), at(2025, 7, 1, 10, 0)
    assert next_post_at(PARIS, morning, posted_today=False) == at(2025, 7, 1, 7, 30)
    assert next_post_at(PARIS, noon, posted_today=False) == noon  # due, waiting for the poster
    assert next_post_at(PARIS, noon, posted_today=True) == at(2025, 7, 2, 7, 30)
    assert next_post_at(GuildSettings(1), noon, posted_today=False) is None


def test_a_post_pings_only_the_daily_role() -> None:
    quiet = announcement(None)
    assert "<@&" not in quiet.content
    assert quiet.allowed_mentions.to_dict() == discord.AllowedMentions.none().to_dict()
    loud = announcement(4242)
    assert loud.content.startswith("<@&4242> ")
    payload: object = loud.allowed_mentions.to_dict()
    assert payload == {"parse": [], "roles": [4242]}  # no everyone, no users
