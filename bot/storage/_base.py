"""What every part of the storage facade shares: the engine that runs its SQL."""

from __future__ import annotations

from bot.storage.engine import Engine
from bot.storage.records import RoundRow

ROUND_COLUMNS = "id, position, question_id, opened_at, deadline, closed_at, message_id"


class StoreBase:
    def __init__(self, engine: Engine) -> None:
        self._db = engine

    async def rounds_of(self, play_id: str) -> tuple[RoundRow, ...]:
        """Every round of a play, in play order (what replaying a play after a restart starts from)."""
        rows = await self._db.fetchall(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE play_id = ? ORDER BY position", (play_id,)
        )
        return tuple(RoundRow(*row) for row in rows)
