"""When the daily question is due and when its day ends, the HH:MM times moderators type, and whom a post mentions.

Pure: every function takes the time it works on, so tests never sleep. Days are the server's local calendar days
('YYYY-MM-DD', `GuildSettings.local_day`); the question of a day is posted at the server's daily time on that day
(`GuildSettings.daily_due_at`) and stays open until the next local midnight (`day_end`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import discord

from bot.engine import QuizError
from bot.storage import GuildSettings

_HH_MM = re.compile(r"(?P<hours>[0-9]{1,2}):(?P<minutes>[0-9]{2})")
TIME_FORMAT_HELP = "Give the time as HH:MM on a 24-hour clock, e.g. 09:30 or 18:00."


def parse_time(text: str) -> int:
    """Minutes after midnight for 'HH:MM' (24-hour clock, '9:05' too); a `QuizError` a member can read otherwise."""
    match = _HH_MM.fullmatch(text.strip())
    if match is None:
        raise QuizError(TIME_FORMAT_HELP)
    hours, minutes = int(match["hours"]), int(match["minutes"])
    if hours > 23 or minutes > 59:
        raise QuizError(TIME_FORMAT_HELP)
    return hours * 60 + minutes


def format_time(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours:02d}:{rest:02d}"


def day_end(zone: ZoneInfo, day: str) -> float:
    """Unix time of the local midnight that ends `day`: when its daily question closes."""
    following = date.fromisoformat(day) + timedelta(days=1)
    return datetime.combine(following, time(0, 0), tzinfo=zone).timestamp()


def is_due(options: GuildSettings, now: float) -> bool:
    """Whether today's (local) daily question is due at `now`: the server has one and its time has come."""
    if not options.daily_enabled:
        return False
    due = options.daily_due_at(options.local_day(now))
    return due is not None and now >= due


def next_post_at(options: GuildSettings, now: float, *, posted_today: bool) -> float | None:
    """When the next daily question goes out: today's time if it is still ahead and not posted, `now` when it is
    due and waiting for the poster, else tomorrow's time. None when the server has no daily question."""
    if not options.daily_enabled:
        return None
    today = options.local_day(now)
    if not posted_today:
        due = options.daily_due_at(today)
        assert due is not None
        return max(due, now)
    tomorrow = (date.fromisoformat(today) + timedelta(days=1)).isoformat()
    return options.daily_due_at(tomorrow)


@dataclass(frozen=True)
class Announcement:
    """The text above a posted daily question, and the only mentions it may ping."""

    content: str
    allowed_mentions: discord.AllowedMentions


POST_LINE = "📅 Today's daily question is here! Answer with the buttons: only you see how you did."


def announcement(role_id: int | None) -> Announcement:
    """Mention the server's daily role when one is set, and allow pinging that role only (never everyone, never a
    member named in the question)."""
    if role_id is None:
        return Announcement(POST_LINE, discord.AllowedMentions.none())
    return Announcement(
        f"<@&{role_id}> {POST_LINE}",
        discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(id=role_id)], replied_user=False),
    )
