"""Spaced review: members' FSRS cards, the log of every review, and accuracy by topic for mastery."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import fsrs

from bot.domain.plays import PlayMode
from bot.engine.review import CardState, ReviewEntry
from bot.storage._base import StoreBase

_CARD_COLUMNS = "user_id, pack_id, question_id, state, step, stability, difficulty, due, last_review, reps, lapses"
_LOG_COLUMNS = "user_id, pack_id, question_id, rating, reviewed_at, duration_ms, mode"


class ReviewRecords(StoreBase):
    async def record_review(self, card: CardState, entry: ReviewEntry) -> bool:
        """Store a review: its log entry and the card after it, in one transaction.

        Idempotent: when this member's review of this question at this moment (`entry.reviewed_at`) is already
        stored, nothing changes (so replaying a question's close never moves a card twice) and False is returned.
        """
        if (card.user_id, card.pack_id, card.question_id) != (entry.user_id, entry.pack_id, entry.question_id):
            raise ValueError("the card and the review entry are for different questions or members")
        async with self._db.transaction() as db:
            logged = await db.execute(
                f"INSERT INTO review_logs ({_LOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id, pack_id, question_id, reviewed_at) DO NOTHING",
                (
                    entry.user_id,
                    entry.pack_id,
                    entry.question_id,
                    int(entry.rating),
                    entry.reviewed_at,
                    entry.duration_ms,
                    str(entry.mode),
                ),
            )
            if logged != 1:
                return False
            await db.execute(
                f"INSERT INTO cards ({_CARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id, pack_id, question_id) DO UPDATE SET state = excluded.state,"
                " step = excluded.step, stability = excluded.stability, difficulty = excluded.difficulty,"
                " due = excluded.due, last_review = excluded.last_review, reps = excluded.reps,"
                " lapses = excluded.lapses",
                (
                    card.user_id,
                    card.pack_id,
                    card.question_id,
                    card.state,
                    card.step,
                    card.stability,
                    card.difficulty,
                    card.due,
                    card.last_review,
                    card.reps,
                    card.lapses,
                ),
            )
        return True

    async def card(self, user_id: int, pack_id: str, question_id: str) -> CardState | None:
        row = await self._db.fetchone(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE user_id = ? AND pack_id = ? AND question_id = ?",
            (user_id, pack_id, question_id),
        )
        return None if row is None else _card(tuple(row))

    async def due_cards(self, user_id: int, now: float, limit: int) -> list[CardState]:
        """The member's cards due at `now`, most overdue first (earliest due), at most `limit`."""
        rows = await self._db.fetchall(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE user_id = ? AND due <= ?"
            " ORDER BY due, pack_id, question_id LIMIT ?",
            (user_id, now, max(limit, 0)),
        )
        return _cards(rows)

    async def review_counts(self, user_id: int, now: float) -> tuple[int, float | None]:
        """How many of the member's cards are due at `now`, and when the next one not yet due comes due
        (None when no card is waiting)."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) FILTER (WHERE due <= ?), MIN(due) FILTER (WHERE due > ?) FROM cards WHERE user_id = ?",
            (now, now, user_id),
        )
        if row is None:
            return 0, None
        return int(row[0]), None if row[1] is None else float(row[1])

    async def cards_of(self, user_id: int) -> list[CardState]:
        """All the member's cards, by pack and question (pair them with their questions' tags for mastery)."""
        rows = await self._db.fetchall(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE user_id = ? ORDER BY pack_id, question_id", (user_id,)
        )
        return _cards(rows)

    async def accuracy_by_tag(self, user_id: int, guild_id: int | None = None) -> dict[str, tuple[int, int]]:
        """(correct, answered) per tag over the member's results; only those in `guild_id` when given."""
        sql = (
            "SELECT t.tag, COALESCE(SUM(r.correct), 0), COUNT(*) FROM results r"
            " JOIN result_tags t ON t.round_id = r.round_id AND t.user_id = r.user_id WHERE r.user_id = ?"
        )
        params: tuple[int, ...] = (user_id,)
        if guild_id is not None:
            sql += " AND r.guild_id = ?"
            params = (user_id, guild_id)
        rows = await self._db.fetchall(sql + " GROUP BY t.tag ORDER BY t.tag", params)
        return {str(row[0]): (int(row[1]), int(row[2])) for row in rows}

    async def review_logs(self, user_id: int | None = None) -> list[ReviewEntry]:
        """Every stored review (one member's when `user_id` is given), oldest first: the optimizer's input."""
        sql = f"SELECT {_LOG_COLUMNS} FROM review_logs"
        params: tuple[int, ...] = ()
        if user_id is not None:
            sql += " WHERE user_id = ?"
            params = (user_id,)
        rows = await self._db.fetchall(sql + " ORDER BY reviewed_at, id", params)
        return [
            ReviewEntry(
                user_id=int(row[0]),
                pack_id=str(row[1]),
                question_id=str(row[2]),
                rating=fsrs.Rating(int(row[3])),
                reviewed_at=float(row[4]),
                duration_ms=None if row[5] is None else int(row[5]),
                mode=PlayMode(str(row[6])),
            )
            for row in rows
        ]


def _card(row: Sequence[Any]) -> CardState:
    user_id, pack_id, question_id, state, step, stability, difficulty, due, last_review, reps, lapses = row
    return CardState(
        user_id=int(user_id),
        pack_id=str(pack_id),
        question_id=str(question_id),
        state=int(state),
        step=None if step is None else int(step),
        stability=None if stability is None else float(stability),
        difficulty=None if difficulty is None else float(difficulty),
        due=float(due),
        last_review=None if last_review is None else float(last_review),
        reps=int(reps),
        lapses=int(lapses),
    )


def _cards(rows: Iterable[Sequence[Any]]) -> list[CardState]:
    return [_card(tuple(row)) for row in rows]
