"""The daily question: one post per server and local day, and members' daily streaks.

Days are the server's local calendar days as 'YYYY-MM-DD' (`GuildSettings.local_day`); the caller computes them,
so this module never reads a clock.

Streak rule (`record_daily_answer`), per member and server, counting days with a correct answer:

- a correct answer for the day after the last counted day extends the streak by one;
- a correct answer after a gap of one or more days (or the first ever) starts it again at 1;
- a second correct answer for a day already counted changes nothing (a day counts once);
- a wrong answer changes nothing stored: the streak is not extended, and since that day has no correct answer,
  the next correct answer after it starts again at 1 (unless the member still answers that day correctly);
- an answer for a day before the last counted day changes nothing (days are counted in order);
- the best streak is the longest run ever counted.

A streak is alive while its last counted day is today or yesterday: `daily_streak` and `record_daily_answer`
report `current` as 0 once a whole day went by without a correct answer, while the stored run waits to be reset.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.domain.plays import PlayMode
from bot.storage._base import StoreBase
from bot.storage.engine import Executor
from bot.storage.records import DailyPost, DailyStreak

POST_COLUMNS = "guild_id, day, pack_id, question_id, play_id, channel_id, message_id, posted_at"


class DailyRecords(StoreBase):
    async def claim_daily_post(
        self,
        guild_id: int,
        day: str,
        *,
        pack_id: str,
        question_id: str,
        play_id: str,
        channel_id: int,
        posted_at: float,
        owner_id: int = 0,
    ) -> bool:
        """Claim `day`'s daily question for the server before posting it; True only for the first claim of that
        day, so the caller posts only then. The claim also stores the play (mode 'daily', owned by `owner_id`,
        the bot's own user id) unless a play with that id is already stored; a lost claim stores nothing."""
        _check_day(day)
        try:
            async with self._db.transaction() as db:
                if await db.fetchone("SELECT 1 FROM daily_posts WHERE guild_id = ? AND day = ?", (guild_id, day)):
                    return False
                await db.execute(
                    "INSERT INTO plays (id, mode, guild_id, channel_id, owner_id, pack_id, started_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                    (play_id, PlayMode.DAILY.value, guild_id, channel_id, owner_id, pack_id, posted_at),
                )
                claimed = await db.execute(
                    f"INSERT INTO daily_posts ({POST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)"
                    " ON CONFLICT (guild_id, day) DO NOTHING",
                    (guild_id, day, pack_id, question_id, play_id, channel_id, posted_at),
                )
                if claimed != 1:  # another process claimed the day in between: store nothing, not even the play
                    raise _LostClaim
        except _LostClaim:
            return False
        return True

    async def set_daily_message(self, guild_id: int, day: str, message_id: int) -> None:
        async with self._db.transaction() as db:
            await db.execute(
                "UPDATE daily_posts SET message_id = ? WHERE guild_id = ? AND day = ?", (message_id, guild_id, day)
            )

    async def daily_post(self, guild_id: int, day: str) -> DailyPost | None:
        row = await self._db.fetchone(
            f"SELECT {POST_COLUMNS} FROM daily_posts WHERE guild_id = ? AND day = ?", (guild_id, day)
        )
        return None if row is None else post_from_row(tuple(row))

    async def daily_post_of_play(self, play_id: str) -> DailyPost | None:
        """The daily post a play belongs to (a click knows only its play)."""
        row = await self._db.fetchone(f"SELECT {POST_COLUMNS} FROM daily_posts WHERE play_id = ?", (play_id,))
        return None if row is None else post_from_row(tuple(row))

    async def recent_daily_posts(self, guild_id: int, limit: int = 30) -> list[DailyPost]:
        """The server's latest daily posts, newest first (to avoid repeating a recent question)."""
        rows = await self._db.fetchall(
            f"SELECT {POST_COLUMNS} FROM daily_posts WHERE guild_id = ? ORDER BY day DESC LIMIT ?",
            (guild_id, max(limit, 0)),
        )
        return [post_from_row(tuple(row)) for row in rows]

    async def record_daily_answer(self, user_id: int, guild_id: int, day: str, *, correct: bool) -> DailyStreak:
        """Count a member's final answer to `day`'s daily question (the post's day, not the day of answering,
        so answering yesterday's question after midnight counts for yesterday), by the rule in this module's
        docstring. Returns the streak as of `day`."""
        answered = _check_day(day)
        async with self._db.transaction() as db:
            current, best, last_day = await _stored_streak(db, user_id, guild_id, self._db.dialect.for_update)
            if correct and (last_day is None or answered > date.fromisoformat(last_day)):
                follows = last_day is not None and answered - date.fromisoformat(last_day) == timedelta(days=1)
                current = current + 1 if follows else 1
                best = max(best, current)
                last_day = day
                await db.execute(
                    "INSERT INTO daily_streaks (user_id, guild_id, current, best, last_day) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (user_id, guild_id) DO UPDATE SET current = excluded.current,"
                    " best = excluded.best, last_day = excluded.last_day",
                    (user_id, guild_id, current, best, last_day),
                )
        return _as_of(user_id, guild_id, current, best, last_day, today=answered)

    async def daily_streak(self, user_id: int, guild_id: int, today: str) -> DailyStreak:
        """The member's daily streak in the server as of `today` (the server's local day): `current` is 0 when
        the last correct day is before yesterday."""
        current, best, last_day = await _stored_streak(self._db, user_id, guild_id)
        return _as_of(user_id, guild_id, current, best, last_day, today=_check_day(today))


class _LostClaim(Exception):
    """Rolls a claim's transaction back when another process claimed the same day first."""


def _check_day(day: str) -> date:
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        parsed = None
    if parsed is None or parsed.isoformat() != day:
        raise ValueError(f"a day is written YYYY-MM-DD, not {day!r}")
    return parsed


async def _stored_streak(db: Executor, user_id: int, guild_id: int, lock: str = "") -> tuple[int, int, str | None]:
    """The stored run; `lock` (the dialect's FOR UPDATE) keeps it while a transaction changes it."""
    row = await db.fetchone(
        "SELECT current, best, last_day FROM daily_streaks WHERE user_id = ? AND guild_id = ?" + lock,
        (user_id, guild_id),
    )
    if row is None:
        return 0, 0, None
    return int(row[0]), int(row[1]), None if row[2] is None else str(row[2])


def _as_of(user_id: int, guild_id: int, current: int, best: int, last_day: str | None, *, today: date) -> DailyStreak:
    alive = last_day is not None and date.fromisoformat(last_day) >= today - timedelta(days=1)
    return DailyStreak(user_id, guild_id, current if alive else 0, best, last_day)


def post_from_row(row: tuple[Any, ...]) -> DailyPost:
    """A `daily_posts` row (columns in `POST_COLUMNS` order) as a record."""
    guild_id, day, pack_id, question_id, play_id, channel_id, message_id, posted_at = row
    return DailyPost(
        guild_id=int(guild_id),
        day=str(day),
        pack_id=str(pack_id),
        question_id=str(question_id),
        play_id=str(play_id),
        channel_id=int(channel_id),
        message_id=None if message_id is None else int(message_id),
        posted_at=float(posted_at),
    )
