"""A member's privacy: hiding from global leaderboards, a copy of everything stored about them, and forgetting it.

"Everything about a member" is one list, `MEMBER_ROWS`, that both `export_member` and `forget_member` walk, so
what a member can download is exactly what forgetting deletes:

- their rows in every table keyed by member: results (with their topics), attempts, hints, joins to live quizzes,
  streaks, badges, review cards and the review log, daily streaks, the privacy flag, leaderboard totals;
- the private plays they own (challenge, practice, review) with those plays' rounds and question lists.

Shared rows stay: plays that are not private (a live quiz, even one they started as moderator; the daily
question), their rounds, and every other member's rows. Packs a moderator uploaded belong to the server and stay.

Rows are found through indexes where there are any; `attempts`, `hints`, `participants` and `result_tags` are keyed
by round or play first, so they are searched by their `user_id` column (a full scan of those tables, once).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

from bot.domain.plays import PlayMode
from bot.storage._base import StoreBase

PRIVATE_PLAY_MODES = (PlayMode.CHALLENGE.value, PlayMode.PRACTICE.value, PlayMode.REVIEW.value)
"""Plays that belong to one member, deleted with them."""

_MODES = ", ".join(f"'{mode}'" for mode in PRIVATE_PLAY_MODES)
_OWN_PLAYS = f"SELECT id FROM plays WHERE owner_id = :user AND mode IN ({_MODES})"

MEMBER_ROWS: tuple[tuple[str, str], ...] = (
    # (table, which rows are the member's), in an order that deletes children before their parents.
    ("board_totals", "user_id = :user"),
    ("result_tags", "user_id = :user"),
    ("results", "user_id = :user"),
    ("attempts", "user_id = :user"),
    ("hints", "user_id = :user"),
    ("participants", "user_id = :user"),
    ("play_items", f"play_id IN ({_OWN_PLAYS})"),
    ("rounds", f"play_id IN ({_OWN_PLAYS})"),
    ("plays", f"owner_id = :user AND mode IN ({_MODES})"),
    ("members", "user_id = :user"),
    ("badges", "user_id = :user"),
    ("cards", "user_id = :user"),
    ("review_logs", "user_id = :user"),
    ("daily_streaks", "user_id = :user"),
    ("hidden_members", "user_id = :user"),
)
# What the export leaves out: leaderboard totals are sums of the exported results, and the flag is `privacy`.
_NOT_EXPORTED = frozenset({"board_totals", "hidden_members", "result_tags"})


class PrivacyRecords(StoreBase):
    async def set_hidden(self, user_id: int, hidden: bool) -> None:
        """Hide the member from global leaderboards, or show them again (server boards always show them)."""
        async with self._transaction() as db:
            if hidden:
                await db.execute("INSERT INTO hidden_members (user_id) VALUES (?) ON CONFLICT DO NOTHING", (user_id,))
            else:
                await db.execute("DELETE FROM hidden_members WHERE user_id = ?", (user_id,))

    async def is_hidden(self, user_id: int) -> bool:
        async with self._db.execute("SELECT 1 FROM hidden_members WHERE user_id = ?", (user_id,)) as cursor:
            return await cursor.fetchone() is not None

    async def export_member(self, user_id: int) -> dict[str, list[dict[str, object]]]:
        """Everything stored about the member, table by table, as JSON-ready rows (column name → value), read in
        one snapshot. Results carry their topics as `tags`; `privacy` holds the one flag, `hidden`."""
        params = {"user": user_id}
        exported: dict[str, list[dict[str, object]]] = {}
        async with self._consistent_reads() as db:
            for table, where in MEMBER_ROWS:
                if table in _NOT_EXPORTED:
                    continue
                exported[table] = await _rows(db, f"SELECT * FROM {table} WHERE {where} ORDER BY rowid", params)
            tags: dict[str, list[str]] = {}
            for row in await _rows(
                db, "SELECT round_id, tag FROM result_tags WHERE user_id = :user ORDER BY round_id, tag", params
            ):
                tags.setdefault(str(row["round_id"]), []).append(str(row["tag"]))
            hidden = await _rows(db, "SELECT 1 FROM hidden_members WHERE user_id = :user", params)
        for result in exported["results"]:
            result["tags"] = tags.get(str(result["round_id"]), [])
        exported["privacy"] = [{"hidden": bool(hidden)}]
        return exported

    async def forget_member(self, user_id: int) -> dict[str, int]:
        """Delete every row about the member (see the module docstring) in one transaction; returns how many rows
        each table lost, every table listed (0 included). Other members' rows and shared plays stay."""
        deleted: dict[str, int] = {}
        async with self._transaction() as db:
            for table, where in MEMBER_ROWS:
                cursor = await db.execute(f"DELETE FROM {table} WHERE {where}", {"user": user_id})
                deleted[table] = cursor.rowcount
        return deleted

    @asynccontextmanager
    async def _consistent_reads(self) -> AsyncIterator[aiosqlite.Connection]:
        """Reads that see one state of the database: a read transaction, with no write in between."""
        async with self._lock:
            await self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                await self._db.commit()


async def _rows(db: aiosqlite.Connection, sql: str, params: dict[str, Any]) -> list[dict[str, object]]:
    async with db.execute(sql, params) as cursor:
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, tuple(row), strict=True)) for row in await cursor.fetchall()]
