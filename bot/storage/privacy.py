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

from bot.domain.plays import PlayMode
from bot.storage._base import StoreBase

PRIVATE_PLAY_MODES = (PlayMode.CHALLENGE.value, PlayMode.PRACTICE.value, PlayMode.REVIEW.value)
"""Plays that belong to one member, deleted with them."""

_MODES = ", ".join(f"'{mode}'" for mode in PRIVATE_PLAY_MODES)
_OWN_PLAYS = f"SELECT id FROM plays WHERE owner_id = :user AND mode IN ({_MODES})"

MEMBER_ROWS: tuple[tuple[str, str, str], ...] = (
    # (table, which rows are the member's, the export's order), in an order that deletes children before their
    # parents. The order is by time where the table has one, so an export reads the same on either engine.
    ("board_totals", "user_id = :user", "guild_id, pack_id"),
    ("result_tags", "user_id = :user", "round_id, tag"),
    ("results", "user_id = :user", "created_at, round_id"),
    ("attempts", "user_id = :user", "created_at, round_id, attempt"),
    ("hints", "user_id = :user", "created_at, round_id"),
    ("participants", "user_id = :user", "joined_at, play_id"),
    ("play_items", f"play_id IN ({_OWN_PLAYS})", "play_id, position"),
    ("rounds", f"play_id IN ({_OWN_PLAYS})", "opened_at, play_id, position"),
    ("plays", f"owner_id = :user AND mode IN ({_MODES})", "started_at, id"),
    ("members", "user_id = :user", "user_id"),
    ("badges", "user_id = :user", "awarded_at, pack_id"),
    ("cards", "user_id = :user", "pack_id, question_id"),
    ("review_logs", "user_id = :user", "reviewed_at, id"),
    ("daily_streaks", "user_id = :user", "guild_id"),
    ("hidden_members", "user_id = :user", "user_id"),
)
# What the export leaves out: leaderboard totals are sums of the exported results, and the flag is `privacy`.
_NOT_EXPORTED = frozenset({"board_totals", "hidden_members", "result_tags"})


class PrivacyRecords(StoreBase):
    async def set_hidden(self, user_id: int, hidden: bool) -> None:
        """Hide the member from global leaderboards, or show them again (server boards always show them)."""
        async with self._db.transaction() as db:
            if hidden:
                await db.execute("INSERT INTO hidden_members (user_id) VALUES (?) ON CONFLICT DO NOTHING", (user_id,))
            else:
                await db.execute("DELETE FROM hidden_members WHERE user_id = ?", (user_id,))

    async def is_hidden(self, user_id: int) -> bool:
        row = await self._db.fetchone("SELECT 1 FROM hidden_members WHERE user_id = ?", (user_id,))
        return row is not None

    async def export_member(self, user_id: int) -> dict[str, list[dict[str, object]]]:
        """Everything stored about the member, table by table, as JSON-ready rows (column name → value), read in
        one snapshot. Results carry their topics as `tags`; `privacy` holds the one flag, `hidden`."""
        params = {"user": user_id}
        exported: dict[str, list[dict[str, object]]] = {}
        async with self._db.snapshot() as db:
            for table, where, order in MEMBER_ROWS:
                if table in _NOT_EXPORTED:
                    continue
                exported[table] = await db.fetch_named(f"SELECT * FROM {table} WHERE {where} ORDER BY {order}", params)
            tags: dict[str, list[str]] = {}
            for row in await db.fetch_named(
                "SELECT round_id, tag FROM result_tags WHERE user_id = :user ORDER BY round_id, tag", params
            ):
                tags.setdefault(str(row["round_id"]), []).append(str(row["tag"]))
            hidden = await db.fetch_named("SELECT 1 FROM hidden_members WHERE user_id = :user", params)
        for result in exported["results"]:
            result["tags"] = tags.get(str(result["round_id"]), [])
        exported["privacy"] = [{"hidden": bool(hidden)}]
        return exported

    async def forget_member(self, user_id: int) -> dict[str, int]:
        """Delete every row about the member (see the module docstring) in one transaction; returns how many rows
        each table lost, every table listed (0 included). Other members' rows and shared plays stay."""
        deleted: dict[str, int] = {}
        async with self._db.transaction() as db:
            for table, where, _ in MEMBER_ROWS:
                deleted[table] = await db.execute(f"DELETE FROM {table} WHERE {where}", {"user": user_id})
        return deleted
