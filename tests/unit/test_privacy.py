"""A member's own data: hiding from global boards, exporting everything stored about them, and forgetting it —
every row about them gone, every other row (another member's identical data, shared plays) exactly as it was."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import fsrs
import pytest

from bot.domain.plays import PlayMode
from bot.engine.review import ReviewScheduler
from bot.storage import RefusedWrite, ResultRecord, Store
from bot.storage.privacy import MEMBER_ROWS, PRIVATE_PLAY_MODES
from tests.sql import tables_with_column

A, B, MODERATOR, OTHER, BOT = 7, 8, 9, 10, 1
G1 = 111
T0 = 1_750_000_000.0
DAY = 86_400.0

Dump = dict[str, list[dict[str, object]]]


@pytest.fixture
async def db_path(tmp_path: Path) -> AsyncIterator[Path]:
    yield tmp_path / "torchquiz.db"


def dump(path: Path) -> Dump:
    """Every row of every table, in a stable order."""
    with sqlite3.connect(path) as raw:
        raw.row_factory = sqlite3.Row
        tables = [
            str(row[0])
            for row in raw.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            table: sorted(
                (dict(row) for row in raw.execute(f"SELECT * FROM {table}")),
                key=lambda row: json.dumps(row, sort_keys=True),
            )
            for table in tables
        }


def private_plays_of(member: int, before: Dump) -> set[str]:
    return {
        str(row["id"]) for row in before["plays"] if row["owner_id"] == member and row["mode"] in PRIVATE_PLAY_MODES
    }


def about(member: int, table: str, row: dict[str, object], own_plays: set[str]) -> bool:
    """Whether a row is about the member, decided independently of the code under test."""
    if row.get("user_id") == member:
        return True
    if table == "plays":
        return row["id"] in own_plays
    if table in {"rounds", "play_items"}:
        return row["play_id"] in own_plays
    return False


async def private_play(store: Store, member: int, mode: PlayMode, *, points: int, ranked: bool) -> None:
    play = f"{mode.value}-{member}"
    await store.start_play(
        play, mode=mode.value, owner_id=member, pack_id="autograd-basics", started_at=T0, guild_id=G1
    )
    await store.set_play_items(play, [("autograd-basics", "q1"), ("autograd-basics", "q2")])
    for position in range(2):
        round_id = f"{play}-{position}"
        question = f"q{position + 1}"
        await store.open_round(
            round_id, play_id=play, position=position, question_id=question, opened_at=T0, deadline=T0 + 60
        )
        await store.record_attempt(round_id, member, choice="A", attempt=1, correct=False, created_at=T0 + 1)
        await store.record_attempt(round_id, member, choice="B", attempt=2, correct=True, created_at=T0 + 2)
        await store.record_hint(round_id, member, created_at=T0 + 1.5)
        await store.record_result(
            ResultRecord(
                round_id,
                member,
                G1,
                "autograd-basics",
                question,
                True,
                points,
                2,
                1,
                ["autograd", "graphs"],
                T0 + 3,
                ranked=ranked,
            )
        )
    await store.finish_play(play, ended_at=T0 + 10)


async def member_data(store: Store, member: int) -> None:
    """Everything one member can have stored, made the same way for each member."""
    await private_play(store, member, PlayMode.CHALLENGE, points=100, ranked=True)
    await private_play(store, member, PlayMode.PRACTICE, points=0, ranked=False)
    await private_play(store, member, PlayMode.REVIEW, points=0, ranked=False)
    scheduler = ReviewScheduler(enable_fuzzing=False)
    for question in ("q1", "q2"):
        card, entry = scheduler.review(
            None, user_id=member, pack_id="autograd-basics", question_id=question, rating=fsrs.Rating.Good, at=T0
        )
        await store.record_review(card, entry)
    await store.award_badge(member, pack_id="autograd-basics", name="Autograd", emoji="🧠", guild_id=G1, awarded_at=T0)
    await store.record_daily_answer(member, G1, "2025-06-15", correct=True)
    await store.set_hidden(member, True)


async def shared_data(store: Store) -> None:
    """Plays several members share: a moderator's live quiz, the daily question, and a live quiz A started."""
    for channel, (play, owner) in enumerate((("live-1", MODERATOR), ("live-2", A)), start=5):
        await store.start_live(
            play,
            guild_id=G1,
            channel_id=channel,  # one running live quiz per channel (a rule the database keeps)
            owner_id=owner,
            pack_id="autograd-basics",
            started_at=T0,
            question_ids=["q1", "q2"],
            time_limit=30,
        )
        players = (A, B, OTHER) if play == "live-1" else (B, OTHER)
        for position in range(2):
            round_id = f"{play}-{position}"
            await store.open_round(
                round_id,
                play_id=play,
                position=position,
                question_id=f"q{position + 1}",
                opened_at=T0,
                deadline=T0 + 30,
            )
            for member in players:
                await store.add_participant(play, member, joined_at=T0)
                await store.record_attempt(round_id, member, choice="C", attempt=1, correct=True, created_at=T0 + 4)
                await store.record_hint(round_id, member, created_at=T0 + 2)
                await store.record_result(
                    ResultRecord(
                        round_id,
                        member,
                        G1,
                        "autograd-basics",
                        f"q{position + 1}",
                        True,
                        80,
                        1,
                        1,
                        ["autograd"],
                        T0 + 4,
                    )
                )
    assert await store.claim_daily_post(
        G1, "2025-06-15", pack_id="autograd-basics", question_id="q3", play_id="daily-1", channel_id=5,
        posted_at=T0, owner_id=BOT,
    )  # fmt: skip
    await store.open_round(
        "daily-1-0", play_id="daily-1", position=0, question_id="q3", opened_at=T0, deadline=T0 + DAY
    )
    for member in (A, B, OTHER):
        await store.record_attempt("daily-1-0", member, choice="D", attempt=1, correct=True, created_at=T0 + 9)
        await store.record_result(
            ResultRecord("daily-1-0", member, G1, "autograd-basics", "q3", True, 50, 1, 0, ["tensors"], T0 + 9)
        )


async def populated(path: Path) -> None:
    async with Store.open(path) as store:
        await member_data(store, A)
        await member_data(store, B)
        await private_play(store, OTHER, PlayMode.CHALLENGE, points=30, ranked=True)
        await shared_data(store)


async def test_hiding_is_a_flag_that_can_be_undone(store: Store) -> None:
    assert not await store.is_hidden(A)
    await store.set_hidden(A, True)
    assert await store.is_hidden(A) and not await store.is_hidden(B)
    await store.set_hidden(A, False)
    await store.set_hidden(A, False)
    assert not await store.is_hidden(A)


async def test_forgetting_deletes_every_row_about_the_member_and_nothing_else(db_path: Path) -> None:
    await populated(db_path)
    before = dump(db_path)
    own_plays = private_plays_of(A, before)
    assert own_plays == {"challenge-7", "practice-7", "review-7"}
    expected_gone = {table: [row for row in rows if about(A, table, row, own_plays)] for table, rows in before.items()}
    # The fixture covers every kind of row about a member, so each must really go.
    assert {table for table, rows in expected_gone.items() if rows} == {row[0] for row in MEMBER_ROWS}

    async with Store.open(db_path) as store:
        before_b = await store.leaderboard(guild_id=G1, since=None, pack_id=None, page=1)
        deleted = await store.forget_member(A)
        after_b = await store.leaderboard(guild_id=G1, since=None, pack_id=None, page=1)
        assert await store.board_position(A, guild_id=G1, since=None, pack_id=None) is None
        assert await store.profile_stats(A, None) == await store.profile_stats(999, None)
        assert not await store.is_hidden(A)
        assert await store.cards_of(A) == []
        assert await store.forget_member(A) == dict.fromkeys(deleted, 0)  # nothing left the second time

    after = dump(db_path)
    assert deleted == {table: len(rows) for table, rows in expected_gone.items() if table in deleted}
    for table, rows in before.items():
        kept = [row for row in rows if not about(A, table, row, own_plays)]
        assert after[table] == kept, table
    # B's identical data is all there, and B's standing only lost A as a neighbour.
    assert [(r.user_id, r.points) for r in after_b.rows] == [
        (r.user_id, r.points) for r in before_b.rows if r.user_id != A
    ]
    # A is mentioned only where a shared play names them as the moderator who started it.
    mentions = [
        (table, row)
        for table, rows in after.items()
        for row in rows
        if any(key in {"user_id", "owner_id", "uploaded_by"} and value == A for key, value in row.items())
    ]
    assert [(table, row["id"]) for table, row in mentions] == [("plays", "live-2")]


async def test_every_table_keyed_by_member_is_forgotten(store: Store) -> None:
    """A new table with a `user_id` column must be added to what forgetting (and the export) covers."""
    keyed = await tables_with_column(store, "user_id")
    assert "results" in keyed
    assert keyed <= {row[0] for row in MEMBER_ROWS}


async def test_forgetting_is_one_transaction(db_path: Path) -> None:
    """When a row of another member points at one of A's private rounds (the bot never stores one), deleting the
    round would break that reference: nothing is deleted at all."""
    await populated(db_path)
    async with Store.open(db_path) as store:
        await store.record_attempt("challenge-7-0", B, choice="Z", attempt=1, correct=False, created_at=T0)
    before = dump(db_path)
    async with Store.open(db_path) as store:
        with pytest.raises(RefusedWrite):
            await store.forget_member(A)
        assert await store.is_hidden(A)
    assert dump(db_path) == before


async def test_the_export_holds_everything_about_the_member_as_json(db_path: Path) -> None:
    await populated(db_path)
    before = dump(db_path)
    own_plays = private_plays_of(A, before)
    async with Store.open(db_path) as store:
        exported = await store.export_member(A)
    text = json.dumps(exported)
    assert json.loads(text) == exported
    assert exported["privacy"] == [{"hidden": True}]
    for table, rows in exported.items():
        if table == "privacy":
            continue
        stored = [row for row in before[table] if about(A, table, row, own_plays)]
        shown = [{k: v for k, v in row.items() if k != "tags"} for row in rows]
        assert sorted(shown, key=repr) == sorted(stored, key=repr), table
    assert len(exported["results"]) == 9  # 3 private plays x 2, the live quiz's 2, the daily question
    tags = {row["round_id"]: row["tags"] for row in exported["results"]}
    assert tags["challenge-7-0"] == ["autograd", "graphs"]
    assert tags["daily-1-0"] == ["tensors"]
    assert {row["mode"] for row in exported["plays"]} == {"challenge", "practice", "review"}
    assert len(exported["review_logs"]) == 2 and len(exported["cards"]) == 2
    assert exported["daily_streaks"][0]["best"] == 1


async def test_a_forgotten_member_exports_nothing(store: Store) -> None:
    await member_data(store, A)
    await store.forget_member(A)
    exported = await store.export_member(A)
    assert exported.pop("privacy") == [{"hidden": False}]
    assert all(rows == [] for rows in exported.values())
