from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage import MigrationError, RefusedWrite, ResultRecord, Store, connect
from bot.storage.database import migrations


def result(round_id: str, *, correct: bool, points: int, user: int = 7) -> ResultRecord:
    return ResultRecord(round_id, user, 1, "autograd-basics", "q", correct, points, 1, 0, ["autograd"], 1.0)


async def prepare(store: Store, *rounds: str) -> None:
    await store.start_play("p", mode="challenge", owner_id=7, pack_id="autograd-basics", started_at=0.0)
    for position, round_id in enumerate(rounds):
        await store.open_round(round_id, play_id="p", position=position, question_id="q", opened_at=0, deadline=9)


async def test_schema_is_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    async with Store.open(path) as store:
        assert await store.schema_version() == migrations()[-1].version
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == migrations()[-1].version


async def test_reopening_keeps_data_and_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    async with Store.open(path) as store:
        await prepare(store, "p-0")
        await store.record_result(result("p-0", correct=True, points=100))
    async with Store.open(path) as store:
        assert (await store.profile(7)).points == 100


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 99")
    with pytest.raises(MigrationError, match="newer"):
        await connect(path)


async def test_a_repeated_click_is_stored_once(store: Store) -> None:
    await prepare(store, "p-0")
    assert await store.record_attempt("p-0", 7, choice="A", attempt=1, correct=False, created_at=1.0)
    assert not await store.record_attempt("p-0", 7, choice="A", attempt=2, correct=False, created_at=1.1)
    assert await store.attempts_for("p-0", 7) == [("A", 1, False)]


async def test_results_are_idempotent_and_move_streaks(store: Store) -> None:
    await prepare(store, "p-0", "p-1", "p-2")
    assert await store.record_result(result("p-0", correct=True, points=100))
    assert not await store.record_result(result("p-0", correct=True, points=100))
    await store.record_result(result("p-1", correct=True, points=110))
    await store.record_result(result("p-2", correct=False, points=0))
    profile = await store.profile(7)
    assert (profile.points, profile.answered, profile.correct) == (210, 3, 2)
    assert (profile.current_streak, profile.best_streak) == (0, 2)
    assert profile.accuracy == pytest.approx(2 / 3)


async def test_badges_are_awarded_once(store: Store) -> None:
    assert await store.award_badge(7, pack_id="a", name="A", emoji="🧠", guild_id=1, awarded_at=1.0)
    assert not await store.award_badge(7, pack_id="a", name="A", emoji="🧠", guild_id=1, awarded_at=2.0)
    assert [b.name for b in (await store.profile(7)).badges] == ["A"]


async def test_negative_points_are_impossible(store: Store) -> None:
    await prepare(store, "p-0")
    with pytest.raises(RefusedWrite, match=r"(?i)check"):
        await store.record_result(result("p-0", correct=False, points=-5))
    assert (await store.profile(7)).answered == 0
