"""Typed rows that cross the storage facade, in and out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


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
