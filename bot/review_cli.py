"""`python -m bot review optimize [--min-reviews N]`: fit FSRS's parameters to the reviews members made.

Why: FSRS schedules with 21 parameters; its defaults come from millions of flashcard reviews, and TorchQuiz's
reviews (quiz questions, rated from attempts, hints and speed) may behave differently. Once enough reviews are
stored, the optimizer of the `fsrs` package fits the parameters to them; this prints them as a `.env` line:

    TORCHQUIZ_REVIEW_PARAMETERS=0.212,1.2931,...

The optimizer needs pandas and tqdm besides torch: `pip install -c constraints.txt -e ".[optimizer]"`.

The lead wires `add_arguments` into the `review` sub-parser and calls `run(args, settings)`. Exit status: 0 with
the line printed on stdout; 1 with one line on stderr when there is no database, too few reviews, or the
optimizer is not installed; 2 for a usage error (argparse).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import itertools
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS

from bot.engine.review import ReviewEntry, format_parameters, to_datetime
from bot.storage import Store

if TYPE_CHECKING:
    from bot.settings import Settings

EXIT_OK = 0
EXIT_PROBLEM = 1

DEFAULT_MIN_REVIEWS = 400
ENV_KEY = "TORCHQUIZ_REVIEW_PARAMETERS"
INSTALL_HINT = 'pip install -c constraints.txt -e ".[optimizer]"'
OPTIMIZER_MODULES = ("torch", "pandas", "tqdm")

# What fsrs's optimizer learns from: a card's reviews (its first 64) that come a day or more after the previous
# one. With fewer than one mini-batch of them (512) it returns its default parameters unchanged.
FSRS_SEQUENCE = 64
FSRS_MIN_SPACED_REVIEWS = 512


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `review` command's actions to its parser (`python -m bot review ACTION`)."""
    actions = parser.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    optimize = actions.add_parser(
        "optimize", help=f"fit FSRS's parameters to the stored reviews and print them as a {ENV_KEY} line"
    )
    optimize.add_argument(
        "--min-reviews",
        type=_positive_int,
        default=DEFAULT_MIN_REVIEWS,
        metavar="N",
        help=f"refuse with fewer stored reviews than this (default {DEFAULT_MIN_REVIEWS})",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run `review optimize` against `settings.database`; the exit status as documented above."""
    min_reviews = int(getattr(args, "min_reviews", DEFAULT_MIN_REVIEWS))
    if isinstance(settings.database, Path) and not settings.database.exists():
        return _fail(f"no database at {settings.database} (set TORCHQUIZ_DATABASE)")
    entries = asyncio.run(_stored_reviews(settings))
    if len(entries) < min_reviews:
        return _fail(f"{len(entries)} reviews are stored; optimizing needs at least {min_reviews} (--min-reviews)")
    missing = missing_optimizer_modules()
    if missing:
        return _fail(f"the FSRS optimizer needs {' and '.join(missing)}: {INSTALL_HINT}")
    logs = to_review_logs(entries)
    spaced = spaced_reviews(logs)
    if spaced < FSRS_MIN_SPACED_REVIEWS:
        return _fail(
            f"only {spaced} of the {len(entries)} reviews came a day or more after the same card's previous one;"
            f" the FSRS optimizer learns from those and needs {FSRS_MIN_SPACED_REVIEWS}, so it would keep its"
            " defaults"
        )
    parameters = optimal_parameters(logs)
    if tuple(parameters) == tuple(DEFAULT_PARAMETERS):
        return _fail("the FSRS optimizer kept its default parameters; there is nothing to change")
    cards = len({log.card_id for log in logs})
    print(
        f"torchquiz: fitted to {len(entries)} reviews of {cards} cards ({spaced} spaced a day or more)", file=sys.stderr
    )
    print(f"{ENV_KEY}={format_parameters(parameters)}")
    return EXIT_OK


def _fail(message: str) -> int:
    print(f"torchquiz: {message}", file=sys.stderr)
    return EXIT_PROBLEM


async def _stored_reviews(settings: Settings) -> list[ReviewEntry]:
    async with Store.open(settings.database) as store:
        return await store.review_logs()


def missing_optimizer_modules() -> list[str]:
    """The modules `fsrs.Optimizer` imports that cannot be imported here (it swaps itself for a stub without)."""
    missing: list[str] = []
    for name in OPTIMIZER_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def to_review_logs(entries: Sequence[ReviewEntry]) -> list[fsrs.ReviewLog]:
    """Stored reviews as fsrs's review logs: one card id per member and question, numbered from 1."""
    card_ids: dict[tuple[int, str, str], int] = {}
    logs: list[fsrs.ReviewLog] = []
    for entry in entries:
        card_id = card_ids.setdefault((entry.user_id, entry.pack_id, entry.question_id), len(card_ids) + 1)
        logs.append(
            fsrs.ReviewLog(
                card_id=card_id,
                rating=entry.rating,
                review_datetime=to_datetime(entry.reviewed_at),
                review_duration=entry.duration_ms,
            )
        )
    return logs


def spaced_reviews(logs: Sequence[fsrs.ReviewLog]) -> int:
    """How many reviews the optimizer learns from: within each card's first 64, those a day or more after the
    card's previous review (the count fsrs compares with its mini-batch size)."""
    by_card: dict[int, list[datetime]] = {}
    for log in logs:
        by_card.setdefault(log.card_id, []).append(log.review_datetime)
    count = 0
    for times in by_card.values():
        ordered = sorted(times)[:FSRS_SEQUENCE]
        count += sum(1 for before, after in itertools.pairwise(ordered) if (after - before).days > 0)
    return count


def optimal_parameters(logs: Sequence[fsrs.ReviewLog]) -> list[float]:
    """Run fsrs's optimizer (needs the `optimizer` extra)."""
    from fsrs.optimizer import Optimizer

    return [float(value) for value in Optimizer(list(logs)).compute_optimal_parameters()]
