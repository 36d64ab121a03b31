"""Migration 0007: results stored before it learn whether they are ranked from their play's mode, the all-time
totals are built from them, and from then on the triggers keep the totals in step."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage import BoardRow, ResultRecord, Store
from bot.storage.database import migrations
from tests.unit.test_board_totals_sqlite import totals_agree

G1 = 111


def database_at_version_6(path: Path) -> None:
    """A database as TorchQuiz left it before 0007: one result in each mode (practice and review with 0 points, as
    the finish service stored them), one outside any server."""
    with sqlite3.connect(path) as raw:
        for migration in migrations()[:6]:
            raw.executescript(migration.sql)
        plays = [
            ("c", "challenge", G1, 7, 100, 1),
            ("l", "live", G1, 7, 80, 1),
            ("d", "daily", G1, 8, 50, 1),
            ("p", "practice", G1, 8, 0, 1),
            ("r", "review", G1, 8, 0, 0),
            ("dm", "challenge", None, 8, 60, 1),
        ]
        for play, mode, guild, user, points, correct in plays:
            raw.execute(
                "INSERT INTO plays (id, mode, guild_id, owner_id, pack_id, started_at, status)"
                " VALUES (?, ?, ?, ?, 'autograd-basics', 1.0, 'finished')",
                (play, mode, guild, user),
            )
            raw.execute(
                "INSERT INTO rounds (id, play_id, position, question_id, opened_at, deadline)"
                " VALUES (?, ?, 0, 'q', 1.0, 9.0)",
                (f"{play}-0", play),
            )
            raw.execute(
                "INSERT INTO results (round_id, user_id, guild_id, pack_id, question_id, correct, points, attempts,"
                " hints, created_at) VALUES (?, ?, ?, 'autograd-basics', 'q', ?, ?, 1, 0, 5.0)",
                (f"{play}-0", user, guild, correct, points),
            )
        raw.execute("PRAGMA user_version = 6")


async def test_upgrading_ranks_results_by_their_mode_and_builds_the_totals(tmp_path: Path) -> None:
    path = tmp_path / "v6.db"
    database_at_version_6(path)
    async with Store.open(path) as store:
        assert await store.schema_version() == migrations()[-1].version
        world = await store.leaderboard(guild_id=None, since=None, pack_id=None, page=1)
        assert world.rows == (BoardRow(1, 7, 180, 2, 2), BoardRow(2, 8, 110, 2, 2))
        server = await store.leaderboard(guild_id=G1, since=None, pack_id=None, page=1)
        assert server.rows == (BoardRow(1, 7, 180, 2, 2), BoardRow(2, 8, 50, 1, 1))
        assert server.rows == (await store.leaderboard(guild_id=G1, since=0.0, pack_id=None, page=1)).rows
        stats = await store.profile_stats(8, G1)
        assert (stats.points, stats.answered, stats.correct) == (50, 1, 1)
        # From now on the triggers keep the totals.
        await store.start_play("new", mode="challenge", owner_id=8, pack_id="autograd-basics", started_at=9.0)
        await store.open_round("new-0", play_id="new", position=0, question_id="q", opened_at=9, deadline=20)
        await store.record_result(
            ResultRecord("new-0", 8, G1, "autograd-basics", "q", True, 200, 1, 0, ["autograd"], 10.0)
        )
        assert await store.board_position(8, guild_id=G1, since=None, pack_id=None) == (1, 1)
    with sqlite3.connect(path) as raw:
        ranked = dict(raw.execute("SELECT round_id, ranked FROM results").fetchall())
        assert ranked == {"c-0": 1, "l-0": 1, "d-0": 1, "p-0": 0, "r-0": 0, "dm-0": 1, "new-0": 1}
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute("UPDATE results SET ranked = 2 WHERE round_id = 'c-0'")
    assert totals_agree(path)


async def test_results_are_ranked_unless_told_otherwise(store: Store) -> None:
    await store.start_play("p", mode="practice", owner_id=7, pack_id="autograd-basics", started_at=0.0)
    await store.open_round("p-0", play_id="p", position=0, question_id="q", opened_at=0, deadline=9)
    await store.open_round("p-1", play_id="p", position=1, question_id="q2", opened_at=0, deadline=9)
    base = ResultRecord("p-0", 7, G1, "autograd-basics", "q", True, 0, 1, 0, ["autograd"], 1.0)
    assert base.ranked
    await store.record_results(
        [base, ResultRecord("p-1", 7, G1, "autograd-basics", "q2", True, 0, 1, 0, [], 1.0, False)]
    )
    board = await store.leaderboard(guild_id=G1, since=None, pack_id=None, page=1)
    assert board.rows == (BoardRow(1, 7, 0, 1, 1),)
