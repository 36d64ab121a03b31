"""`python -m bot review optimize`: refuses clearly without enough reviews or without the optimizer, and prints
a `.env` line the scheduler accepts when it can fit."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import fsrs
import pytest
from pydantic import SecretStr

from bot import review_cli
from bot.engine.review import CardState, ReviewEntry, ReviewScheduler, parse_parameters
from bot.settings import Settings
from bot.storage import Store

DAY = 86_400.0
T0 = 1_750_000_000.0


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot review")
    review_cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def settings_for(database: Path) -> Settings:
    return Settings(token=SecretStr("offline"), database=database)


async def store_reviews(path: Path, *, cards: int, reviews_each: int, seed: int = 1) -> None:
    """Members answering questions over weeks, each review a day or more after the last (as the bot stores them)."""
    rng = random.Random(seed)
    scheduler = ReviewScheduler(enable_fuzzing=False)
    async with Store.open(path) as store:
        for number in range(cards):
            card: CardState | None = None
            at = T0 + number * 3600
            for _ in range(reviews_each):
                rating = fsrs.Rating.Again if rng.random() < 0.15 else rng.choice([fsrs.Rating.Hard, fsrs.Rating.Good])
                card, entry = scheduler.review(
                    card, user_id=number % 7, pack_id="p", question_id=f"q{number}", rating=rating, at=at
                )
                await store.record_review(card, entry)
                at = max(card.due, at + DAY)


def test_min_reviews_must_be_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse("optimize").min_reviews == 400
    assert parse("optimize", "--min-reviews", "25").min_reviews == 25
    for bad in ("0", "many"):
        with pytest.raises(SystemExit) as exited:
            parse("optimize", "--min-reviews", bad)
        assert exited.value.code == 2
    capsys.readouterr()


def test_a_missing_database_is_named_and_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "none.db"
    assert review_cli.run(parse("optimize"), settings_for(path)) == 1
    assert capsys.readouterr().err.strip() == f"torchquiz: no database at {path} (set TORCHQUIZ_DATABASE)"
    assert not path.exists()


async def test_too_few_reviews_says_how_many_and_how_many_are_needed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.db"
    await store_reviews(path, cards=3, reviews_each=2)
    status = await _run_in_thread(parse("optimize"), settings_for(path))
    captured = capsys.readouterr()
    assert status == 1 and captured.out == ""
    assert captured.err.splitlines() == [
        "torchquiz: 6 reviews are stored; optimizing needs at least 400 (--min-reviews)"
    ]


async def test_without_the_optimizer_extra_it_says_how_to_install_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.db"
    await store_reviews(path, cards=3, reviews_each=2)
    monkeypatch.setitem(sys.modules, "pandas", None)  # as on an install without the extra
    status = await _run_in_thread(parse("optimize", "--min-reviews", "5"), settings_for(path))
    [line] = capsys.readouterr().err.splitlines()
    assert status == 1
    assert "pandas" in line and 'pip install -c constraints.txt -e ".[optimizer]"' in line


def test_reviews_become_fsrs_logs_one_card_per_member_and_question() -> None:
    entries = [
        ReviewEntry(1, "p", "a", fsrs.Rating.Good, T0, 1500),
        ReviewEntry(2, "p", "a", fsrs.Rating.Again, T0 + 5),
        ReviewEntry(1, "p", "a", fsrs.Rating.Easy, T0 + 2 * DAY),
        ReviewEntry(1, "p", "b", fsrs.Rating.Hard, T0 + 2 * DAY + 1),
    ]
    logs = review_cli.to_review_logs(entries)
    assert [log.card_id for log in logs] == [1, 2, 1, 3]
    assert logs[0].review_datetime.timestamp() == T0 and logs[0].review_duration == 1500
    assert review_cli.spaced_reviews(logs) == 1  # only member 1's second look at "a" came a day later


async def test_enough_reviews_but_too_few_spaced_apart_explains_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.db"
    await store_reviews(path, cards=10, reviews_each=3)
    monkeypatch.setattr(review_cli, "missing_optimizer_modules", lambda: [])  # as with the extra installed
    status = await _run_in_thread(parse("optimize", "--min-reviews", "30"), settings_for(path))
    [line] = capsys.readouterr().err.splitlines()
    assert status == 1
    assert line.startswith("torchquiz: only 20 of the 30 reviews came a day or more after")
    assert "needs 512" in line


async def test_optimized_parameters_are_printed_ready_for_env(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The optimizer extra is part of the test install (README), so this always runs the real optimizer.
    path = tmp_path / "t.db"
    await store_reviews(path, cards=90, reviews_each=8)
    status = await _run_in_thread(parse("optimize"), settings_for(path))
    captured = capsys.readouterr()
    assert status == 0, captured.err
    [line] = captured.out.splitlines()
    key, _, value = line.partition("=")
    assert key == "TORCHQUIZ_REVIEW_PARAMETERS"
    parameters = parse_parameters(value)
    assert len(parameters) == 21
    assert parameters != pytest.approx(ReviewScheduler().parameters)  # fitted, not the defaults
    assert "fitted to 720 reviews of 90 cards" in captured.err


async def _run_in_thread(args: argparse.Namespace, settings: Settings) -> int:
    """`run` starts its own event loop, as the command line does; keep it off the test's loop."""
    import asyncio

    return await asyncio.to_thread(review_cli.run, args, settings)
