"""SQLite's side of the leaderboards: `board_totals` kept by 0007's triggers whatever happens to `results`, and the
query plans that use 0007's indexes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage import BoardRow, Store
from tests.unit.test_boards import DAY, G1, G2, T0, Answer, Plays


async def test_totals_follow_results_that_are_deleted_or_changed(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    async with Store.open(path) as store:
        plays = Plays(store)
        await plays.add(Answer(7, 100, True), Answer(7, 50, True, guild=G2), Answer(8, 10, True))
    with sqlite3.connect(path) as raw:
        raw.execute("DELETE FROM results WHERE user_id = 8")
        raw.execute("UPDATE results SET ranked = 0 WHERE round_id = 'p2-0'")
        assert raw.execute("SELECT COUNT(*) FROM board_totals WHERE user_id = 8").fetchone() == (0,)
    async with Store.open(path) as store:
        world = await store.leaderboard(guild_id=None, since=None, pack_id=None, page=1)
        assert world.rows == (BoardRow(1, 7, 100, 1, 1),)
        assert (await store.leaderboard(guild_id=G2, since=None, pack_id=None, page=1)).members == 0
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE results SET ranked = 1, points = 70, guild_id = 111 WHERE round_id = 'p2-0'")
    async with Store.open(path) as store:
        world = await store.leaderboard(guild_id=G1, since=None, pack_id=None, page=1)
        assert world.rows == (BoardRow(1, 7, 170, 2, 2),)
        assert totals_agree(path)


def totals_agree(path: Path) -> bool:
    """`board_totals` holds exactly what adding up the ranked results gives."""
    with sqlite3.connect(path) as raw:
        stored = sorted(raw.execute("SELECT * FROM board_totals").fetchall())
        computed = sorted(
            raw.execute(
                "SELECT 0, '', user_id, SUM(points), SUM(correct), COUNT(*) FROM results WHERE ranked = 1"
                " GROUP BY user_id"
                " UNION ALL SELECT 0, pack_id, user_id, SUM(points), SUM(correct), COUNT(*) FROM results"
                " WHERE ranked = 1 GROUP BY pack_id, user_id"
                " UNION ALL SELECT guild_id, '', user_id, SUM(points), SUM(correct), COUNT(*) FROM results"
                " WHERE ranked = 1 AND guild_id IS NOT NULL GROUP BY guild_id, user_id"
                " UNION ALL SELECT guild_id, pack_id, user_id, SUM(points), SUM(correct), COUNT(*) FROM results"
                " WHERE ranked = 1 AND guild_id IS NOT NULL GROUP BY guild_id, pack_id, user_id"
            ).fetchall()
        )
    return stored == computed


async def test_the_queries_use_0007_s_indexes(tmp_path: Path) -> None:
    """The plan of each query as the store runs it (captured from the connection), on a database without ANALYZE
    statistics, as the bot's is."""
    path = tmp_path / "db.sqlite"
    async with Store.open(path) as store:
        await Plays(store).add(Answer(7, 100, True), Answer(8, 50, True, guild=G2))
        statements: list[str] = []
        connection = store._db._db  # type: ignore[attr-defined]  # the SQLite engine's own connection
        await connection.set_trace_callback(statements.append)

        async def plan(call: object) -> str:
            statements.clear()
            await call  # type: ignore[misc]
            selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
            assert len(selects) == 1, statements
            async with connection.execute(f"EXPLAIN QUERY PLAN {selects[0]}") as cursor:
                return "\n".join(str(row[3]) for row in await cursor.fetchall())

        week = T0 - 7 * DAY
        weekly_server = await plan(store.leaderboard(guild_id=G1, since=week, pack_id=None, page=1))
        assert "SEARCH results USING COVERING INDEX results_board_guild (guild_id=? AND ranked=? AND created_at>?)" in (
            weekly_server
        )
        weekly_pack = await plan(store.leaderboard(guild_id=G1, since=week, pack_id="data-loading", page=1))
        assert "COVERING INDEX results_board_guild" in weekly_pack
        weekly_global = await plan(store.leaderboard(guild_id=None, since=week, pack_id=None, page=1))
        assert "SEARCH results USING COVERING INDEX results_board_all (ranked=? AND created_at>?)" in weekly_global
        all_time_global = await plan(store.leaderboard(guild_id=None, since=None, pack_id=None, page=1))
        assert "SEARCH board_totals USING PRIMARY KEY (guild_id=? AND pack_id=?)" in all_time_global
        assert " results " not in all_time_global
        me = await plan(store.board_position(7, guild_id=None, since=None, pack_id=None))
        assert "SEARCH board_totals USING PRIMARY KEY (guild_id=? AND pack_id=?)" in me
        me_weekly = await plan(store.board_position(7, guild_id=G1, since=week, pack_id=None))
        assert "COVERING INDEX results_board_guild" in me_weekly
        stats = await plan(store.profile_stats(7, G1))
        assert "SEARCH board_totals USING PRIMARY KEY (guild_id=? AND pack_id=? AND user_id=?)" in stats
        chart = await plan(store.points_per_day(7, None, week))
        assert "SEARCH results USING COVERING INDEX results_member_days (user_id=? AND ranked=? AND created_at>?)" in (
            chart
        )
        assert "COVERING INDEX results_member_days" in await plan(store.points_per_day(7, G1, week))
        topics = await plan(store.accuracy_by_tag(7, G1))
        assert "SEARCH r USING COVERING INDEX results_member_topics (user_id=? AND guild_id=?)" in topics
        assert "COVERING INDEX results_member_topics (user_id=?)" in await plan(store.accuracy_by_tag(7))
