"""Reading what members achieved: profiles (and later leaderboards)."""

from __future__ import annotations

from bot.storage._base import StoreBase
from bot.storage.records import BadgeRecord, Profile


class MemberRecords(StoreBase):
    async def profile(self, user_id: int) -> Profile:
        points, answered, correct = await self._db.fetchone(
            "SELECT COALESCE(SUM(points), 0), COUNT(*), COALESCE(SUM(correct), 0) FROM results WHERE user_id = ?",
            (user_id,),
        ) or (0, 0, 0)
        streaks = await self._db.fetchone(
            "SELECT current_streak, best_streak FROM members WHERE user_id = ?", (user_id,)
        )
        held = await self._db.fetchall(
            "SELECT pack_id, name, emoji, awarded_at FROM badges WHERE user_id = ? ORDER BY awarded_at",
            (user_id,),
        )
        badges = tuple(BadgeRecord(r[0], r[1], r[2], r[3]) for r in held)
        return Profile(
            user_id=user_id,
            points=int(points),
            answered=int(answered),
            correct=int(correct),
            current_streak=int(streaks[0]) if streaks else 0,
            best_streak=int(streaks[1]) if streaks else 0,
            badges=badges,
        )
