"""Typed rows that cross the storage facade, in and out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class ResultRecord:
    round_id: str
    user_id: int
    guild_id: int | None
    pack_id: str
    question_id: str
    correct: bool
    points: int
    attempts: int
    hints: int
    tags: Sequence[str]
    created_at: float
    ranked: bool = True
    """Whether the result counts on leaderboards (points, accuracy and answers); False for practice and review."""


@dataclass(frozen=True)
class BadgeRecord:
    pack_id: str
    name: str
    emoji: str
    awarded_at: float


@dataclass(frozen=True)
class Profile:
    user_id: int
    points: int
    answered: int
    correct: int
    current_streak: int
    best_streak: int
    badges: tuple[BadgeRecord, ...]

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True)
class GuildSettings:
    """A server's options; None means "use the bot's default"."""

    guild_id: int
    run_enabled: bool = True
    quiz_channel_id: int | None = None
    moderator_role_id: int | None = None
    default_time_limit: int | None = None
    default_count: int | None = None
    daily_channel_id: int | None = None
    """Where the daily question is posted; None: no daily question."""
    daily_time: int | None = None
    """When, in minutes after local midnight (0–1439)."""
    daily_role_id: int | None = None
    """The role the daily question mentions, if any."""
    timezone: str | None = None
    """The server's IANA time zone name; None means UTC. Days and the daily time are local to it."""

    @property
    def daily_enabled(self) -> bool:
        return self.daily_channel_id is not None and self.daily_time is not None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone or "UTC")

    def local_day(self, at: float) -> str:
        """The server's calendar day at unix time `at`, as 'YYYY-MM-DD'."""
        return datetime.fromtimestamp(at, tz=self.zone).date().isoformat()

    def daily_due_at(self, day: str) -> float | None:
        """Unix time at which `day`'s daily question is due (its local time on that day); None when off."""
        if self.daily_time is None:
            return None
        hours, minutes = divmod(self.daily_time, 60)
        local = datetime.combine(date.fromisoformat(day), time(hours, minutes), tzinfo=self.zone)
        return local.astimezone(UTC).timestamp()


@dataclass(frozen=True)
class RoundRow:
    round_id: str
    position: int
    question_id: str
    opened_at: float
    deadline: float
    closed_at: float | None
    message_id: int | None


@dataclass(frozen=True)
class LiveSnapshot:
    """Everything stored about a live session: enough to replay it through the engine after a restart."""

    play_id: str
    guild_id: int | None
    channel_id: int | None
    owner_id: int
    pack_id: str
    started_at: float
    question_ids: tuple[str, ...]
    time_limit: int
    lobby_message_id: int | None
    participants: tuple[tuple[int, float], ...] = ()
    rounds: tuple[RoundRow, ...] = ()
    attempts: tuple[tuple[str, int, str, float], ...] = ()  # round, member, choice, time
    hints: tuple[tuple[str, int, float], ...] = ()  # round, member, time


@dataclass(frozen=True)
class DailyPost:
    """A server's daily question for one local day."""

    guild_id: int
    day: str
    pack_id: str
    question_id: str
    play_id: str
    channel_id: int
    message_id: int | None
    posted_at: float


@dataclass(frozen=True)
class DailyStreak:
    """Consecutive days with a correct daily answer, in one server; `current` is 0 once a day was missed."""

    user_id: int
    guild_id: int
    current: int
    best: int
    last_day: str | None
    """The last day answered correctly, 'YYYY-MM-DD'."""


@dataclass(frozen=True)
class ProfileStats:
    """A member's totals over ranked results (what leaderboards count), in one server or everywhere."""

    points: int
    answered: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True)
class BoardRow:
    """One member's line on a leaderboard; `rank` counts from 1."""

    rank: int
    user_id: int
    points: int
    correct: int
    answered: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class LeaderboardPage:
    """One page of a leaderboard: `page` counts from 1 and lies in 1..`pages` (`pages` is at least 1, even for an
    empty board); `members` is how many members the whole board has."""

    rows: tuple[BoardRow, ...]
    page: int
    pages: int
    members: int
