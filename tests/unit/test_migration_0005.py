"""Migration 0005: plays refuse modes and statuses outside `PlayMode`/`PlayStatus`, and upgrading a version-4
database keeps every row, with foreign keys still enforced afterwards."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from bot.domain.plays import PlayMode, PlayStatus
from bot.storage import MigrationError, RefusedWrite, Store, connect
from bot.storage.database import migrations


def database_at_version_4(path: Path, *, extra_sql: str = "") -> None:
    """A database as TorchQuiz left it before 0005, with one finished challenge and its stored answer."""
    with sqlite3.connect(path) as raw:
        for migration in migrations()[:4]:
            raw.executescript(migration.sql)
        raw.executescript(
            """
            INSERT INTO plays (id, mode, guild_id, channel_id, owner_id, pack_id, started_at, ended_at, status)
                VALUES ('old', 'challenge', 1, 2, 7, 'autograd-basics', 10.0, 20.0, 'finished');
            INSERT INTO rounds (id, play_id, position, question_id, opened_at, deadline)
                VALUES ('old-0', 'old', 0, 'q1', 10.0, 130.0);
            INSERT INTO results (round_id, user_id, guild_id, pack_id, question_id, correct, points, attempts,
                                 hints, created_at)
                VALUES ('old-0', 7, 1, 'autograd-basics', 'q1', 1, 100, 1, 0, 15.0);
            INSERT INTO guild_settings (guild_id, run_enabled, quiz_channel_id) VALUES (1, 0, 2);
            """
            + extra_sql
        )
        raw.execute("PRAGMA user_version = 4")


def version_of(path: Path) -> int:
    with sqlite3.connect(path) as raw:
        return int(raw.execute("PRAGMA user_version").fetchone()[0])


async def test_upgrading_keeps_plays_their_rounds_and_results(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    database_at_version_4(path)
    async with Store.open(path) as store:
        assert await store.schema_version() == migrations()[-1].version
        assert await store.play_status("old") == "finished"
        profile = await store.profile(7)
        assert (profile.points, profile.answered, profile.correct) == (100, 1, 1)
        settings = await store.guild_settings(1)
        assert (settings.run_enabled, settings.quiz_channel_id, settings.daily_channel_id) == (False, 2, None)
        # Foreign keys are on again: a round of a play that does not exist is refused.
        with pytest.raises(RefusedWrite):
            await store.open_round("nope-0", play_id="nope", position=0, question_id="q", opened_at=0, deadline=1)
        # ...and the rebuilt table is the one rounds point at.
        await store.open_round("old-1", play_id="old", position=1, question_id="q2", opened_at=0, deadline=1)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        assert raw.execute("SELECT name FROM sqlite_master WHERE name = 'plays_new'").fetchall() == []


async def test_a_play_with_an_unknown_mode_is_refused(store: Store) -> None:
    with pytest.raises(RefusedWrite, match=r"(?i)check"):
        await store.start_play("x", mode="bogus", owner_id=7, pack_id="p", started_at=0.0)
    assert await store.play_status("x") is None


async def test_a_play_with_an_unknown_status_is_refused(store: Store) -> None:
    await store.start_play("x", mode=PlayMode.PRACTICE, owner_id=7, pack_id="p", started_at=0.0)
    with pytest.raises(RefusedWrite, match=r"(?i)check"):
        await store.finish_play("x", ended_at=1.0, status="done")
    assert await store.play_status("x") == "running"


async def test_every_mode_and_status_of_the_enums_is_accepted(store: Store) -> None:
    for mode in PlayMode:
        for status in PlayStatus:
            play_id = f"{mode}-{status}"
            # One owner per play: a member runs one timed challenge at a time (a rule the database keeps).
            owner = sum(map(ord, play_id))
            await store.start_play(play_id, mode=mode, owner_id=owner, pack_id="p", started_at=0.0)
            await store.finish_play(play_id, ended_at=1.0, status=status)
            if status is not PlayStatus.RUNNING:
                assert await store.play_status(play_id) == status


def test_the_check_lists_exactly_the_enum_values(tmp_path: Path) -> None:
    """Adding a mode or status to the enums needs a migration that rebuilds the CHECK; this says so."""
    sql = next(m.sql for m in migrations() if m.version == 5)

    def listed(column: str, table: str) -> set[str]:
        body = sql[sql.index(f"CREATE TABLE {table} ") :]
        match = re.search(rf"{column}\s+TEXT NOT NULL[^,]*CHECK \({column} IN \(([^)]*)\)\)", body)
        assert match is not None, f"no CHECK on {table}.{column}"
        return set(re.findall(r"'([^']*)'", match.group(1)))

    assert listed("mode", "plays_new") == {m.value for m in PlayMode}
    assert listed("status", "plays_new") == {s.value for s in PlayStatus}
    assert listed("mode", "review_logs") == {m.value for m in PlayMode}


async def test_a_stored_play_outside_the_enums_stops_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    database_at_version_4(
        path,
        extra_sql="INSERT INTO plays (id, mode, owner_id, pack_id, started_at) VALUES ('typo', 'chalenge', 7, 'p', 1);",
    )
    with pytest.raises(MigrationError, match="left at version 4"):
        await connect(path)
    assert version_of(path) == 4
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == 2  # nothing lost, nothing half-done
        assert raw.execute("SELECT name FROM sqlite_master WHERE name = 'cards'").fetchall() == []


async def test_a_broken_reference_stops_the_upgrade_loudly(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    # A round whose play is gone: only possible with foreign keys off, as here on the raw connection.
    database_at_version_4(
        path,
        extra_sql="INSERT INTO rounds (id, play_id, position, question_id, opened_at, deadline)"
        " VALUES ('lost-0', 'lost', 0, 'q', 0, 1);",
    )
    with pytest.raises(MigrationError, match=r"left at version 4.*rounds row \d+ -> plays"):
        await connect(path)
    assert version_of(path) == 4
