"""Plays, rounds, attempts, hints, results and badges: what members do, as it happens."""

from __future__ import annotations

from bot.storage._base import StoreBase
from bot.storage.engine import DuplicateKey, Executor
from bot.storage.records import ResultRecord

RUNNING_RULES: dict[tuple[str, tuple[str, ...]], str] = {
    ("plays", ("owner_id",)): "this member already has a timed challenge running",
    ("plays", ("channel_id",)): "a live quiz is already running in this channel",
}
"""The database's own rules about running plays (unique partial indexes on `plays`), by the key the database
names when one is broken, in a member's words."""


class PlayConflict(Exception):
    """The database refused a new play because one like it is already running (perhaps in another process)."""


def conflict_of(error: DuplicateKey) -> PlayConflict | None:
    """The `PlayConflict` an insert into `plays` hit, or None when it broke another key."""
    reason = RUNNING_RULES.get((error.table, error.columns))
    return None if reason is None else PlayConflict(reason)


class PlayRecords(StoreBase):
    async def start_play(
        self,
        play_id: str,
        *,
        mode: str,
        owner_id: int,
        pack_id: str,
        started_at: float,
        guild_id: int | None = None,
        channel_id: int | None = None,
    ) -> None:
        """Store a new play; `PlayConflict` when the database's rules say one like it is already running."""
        try:
            async with self._db.transaction() as db:
                await db.execute(
                    "INSERT INTO plays (id, mode, guild_id, channel_id, owner_id, pack_id, started_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (play_id, mode, guild_id, channel_id, owner_id, pack_id, started_at),
                )
        except DuplicateKey as error:
            raise conflict_of(error) or error from None

    async def finish_play(self, play_id: str, *, ended_at: float, status: str = "finished") -> None:
        async with self._db.transaction() as db:
            await db.execute(
                "UPDATE plays SET ended_at = ?, status = ? WHERE id = ? AND ended_at IS NULL",
                (ended_at, status, play_id),
            )

    async def open_round(
        self,
        round_id: str,
        *,
        play_id: str,
        position: int,
        question_id: str,
        opened_at: float,
        deadline: float,
    ) -> None:
        async with self._db.transaction() as db:
            await db.execute(
                "INSERT INTO rounds (id, play_id, position, question_id, opened_at, deadline)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (round_id, play_id, position, question_id, opened_at, deadline),
            )

    async def close_round(self, round_id: str, *, closed_at: float) -> None:
        async with self._db.transaction() as db:
            await db.execute(
                "UPDATE rounds SET closed_at = ? WHERE id = ? AND closed_at IS NULL", (closed_at, round_id)
            )

    # -- what members do -------------------------------------------------------------------------------------

    async def record_attempt(
        self, round_id: str, user_id: int, *, choice: str, attempt: int, correct: bool, created_at: float
    ) -> bool:
        """Store one answer click; False when the same member's same choice on this round was already stored."""
        stored = await self._db.group_execute(
            "INSERT INTO attempts (round_id, user_id, choice, attempt, correct, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (round_id, user_id, choice) DO NOTHING",
            (round_id, user_id, choice, attempt, int(correct), created_at),
        )
        return stored == 1

    async def record_hint(self, round_id: str, user_id: int, *, created_at: float) -> bool:
        stored = await self._db.group_execute(
            "INSERT INTO hints (round_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (round_id, user_id, created_at),
        )
        return stored == 1

    async def record_result(self, result: ResultRecord) -> bool:
        """Store a question's final outcome and move the member's streak; idempotent per round and member."""
        return await self.record_results([result]) == 1

    async def record_results(self, results: list[ResultRecord]) -> int:
        """Store outcomes in one transaction (a live question closes for everyone at once); returns how many
        were new. A result already stored is skipped, streak and all, so replaying a close changes nothing."""
        stored = 0
        async with self._db.transaction() as db:
            for result in results:
                stored += await _insert_result(db, result, self._db.dialect.greatest)
        return stored

    async def award_badge(
        self, user_id: int, *, pack_id: str, name: str, emoji: str, guild_id: int | None, awarded_at: float
    ) -> bool:
        """Award a pack's badge once; False when the member already holds it."""
        async with self._db.transaction() as db:
            stored = await db.execute(
                "INSERT INTO badges (user_id, pack_id, name, emoji, guild_id, awarded_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (user_id, pack_id, name, emoji, guild_id, awarded_at),
            )
            return stored == 1

    # -- reading ---------------------------------------------------------------------------------------------

    async def attempts_for(self, round_id: str, user_id: int) -> list[tuple[str, int, bool]]:
        rows = await self._db.fetchall(
            "SELECT choice, attempt, correct FROM attempts WHERE round_id = ? AND user_id = ? ORDER BY attempt",
            (round_id, user_id),
        )
        return [(r[0], int(r[1]), bool(r[2])) for r in rows]

    async def play_status(self, play_id: str) -> str | None:
        row = await self._db.fetchone("SELECT status FROM plays WHERE id = ?", (play_id,))
        return str(row[0]) if row else None


async def _insert_result(db: Executor, result: ResultRecord, greatest: str) -> bool:
    inserted = await db.execute(
        "INSERT INTO results (round_id, user_id, guild_id, pack_id, question_id, correct,"
        " points, attempts, hints, created_at, ranked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (round_id, user_id) DO NOTHING",
        (
            result.round_id,
            result.user_id,
            result.guild_id,
            result.pack_id,
            result.question_id,
            int(result.correct),
            result.points,
            result.attempts,
            result.hints,
            result.created_at,
            int(result.ranked),
        ),
    )
    if inserted != 1:
        return False
    await db.executemany(
        "INSERT INTO result_tags (round_id, user_id, tag) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [(result.round_id, result.user_id, tag) for tag in result.tags],
    )
    if result.correct:
        streak = (
            "INSERT INTO members (user_id, current_streak, best_streak) VALUES (?, 1, 1)"
            " ON CONFLICT(user_id) DO UPDATE SET current_streak = members.current_streak + 1,"
            f" best_streak = {greatest}(members.best_streak, members.current_streak + 1)"
        )
    else:
        streak = (
            "INSERT INTO members (user_id, current_streak, best_streak) VALUES (?, 0, 0)"
            " ON CONFLICT(user_id) DO UPDATE SET current_streak = 0"
        )
    await db.execute(streak, (result.user_id,))
    return True
