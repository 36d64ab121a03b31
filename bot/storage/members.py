"""Reading what members achieved: profiles (and later leaderboards)."""

from __future__ import annotations

from bot.storage._base import StoreBase
from bot.storage.records import BadgeRecord, Profile


class MemberRecords(StoreBase):
    async def profile(self, user_id: int) -> Profile:
        async with self._db.execute(
            "SELECT COALESCE(SUM(points), 0), COUNT(*), COALESCE(SUM(correct), 0) FROM results WHERE user_id = ?",
            (user_id,),
        ) as cursor:
            points, answered, correct = await cursor.fetchone() or (0, 0, 0)
        async with self._db.execute(
            "SELECT current_streak, best_streak FROM members WHERE user_id = ?", (user_id,)
        ) as cursor:
            streaks = await cursor.fetchone()
        async with self._db.execute(
            "SELECT pack_id, name, emoji, awarded_at FROM badges WHERE user_id = ? ORDER BY awarded_at",
            (user_id,),
        ) as cursor:
            badges = tuple(BadgeRecord(r[0], r[1], r[2], r[3]) for r in await cursor.fetchall())
        return Profile(
            user_id=user_id,
            points=int(points),
            answered=int(answered),
            correct=int(correct),
            current_streak=int(streaks[0]) if streaks else 0,
            best_streak=int(streaks[1]) if streaks else 0,
            badges=badges,
        )
