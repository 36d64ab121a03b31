"""Storage benchmark: `python bench/storage.py [--results N] [--runs N] [--postgres URL]`, SQLite beside PostgreSQL.

Fills a fresh database in a temporary folder with a million results as the bot would store them — 50 servers,
20,000 members, 90 days — at schema 6, then lets `Store.open` apply migration 0007 to it (so its backfill and
index builds are measured too). Then it times what leaderboards and `/profile` ask for, through the `Store`
methods the bot calls, each beside the same call on a copy of the data without 0007's access paths: its indexes
dropped, and `board_totals` replaced by a view that adds the same totals up from `results`. Every pair of answers
must agree, so the run also checks the trigger-kept totals against the results at scale.

The data are skewed like a real bot's: server sizes fall off as 1/rank, members' activity is log-normal (a few
answer thousands of questions, most a few dozen), most members play in one server and some in two or three,
activity grows towards the present, and results come from private challenges (55%), live quizzes (20%), daily
questions (8%), practice (11%) and review (6%) — practice and review unranked, with 0 points. The data are made in
`bench/storage_data.py`; this script times queries on them.

The same data then go into PostgreSQL (`bench/storage_postgres.py`: the bot's PostgreSQL schema, a bulk copy of
every row, `board_totals` filled as 0007 fills it), and each query runs there too through the same `Store` method,
for a third column. `--postgres URL` names an empty database on a running server; without it the benchmark starts
a throwaway server with the test harness (`tests/servers/postgres.py`), and runs SQLite alone when this machine has
no PostgreSQL binaries. All answers, on both engines, must agree. About five minutes on two cores at a million
results, a third of it loading PostgreSQL.

Worst cases are timed: the biggest server, and its most active member for "me" and the profile. Each figure is
the median of `--runs` calls (20) after one warm-up call; a baseline or PostgreSQL call that is slow runs fewer times
(at least 3, within about 8 s per query). The target is under 50 ms for every leaderboard and profile query, on
each engine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: make `bot` importable

from bench.storage_data import DAY, DAYS, NOW, PACKS, Rows, World, build_database  # noqa: E402
from bench.storage_postgres import NotEmpty, Target, load, postgres_database, prepare  # noqa: E402
from bot.storage import Store  # noqa: E402

RESULTS = 1_000_000
GUILDS = 50
MEMBERS = 20_000
RUNS = 20
BASELINE_BUDGET = 8.0
"""Seconds a slow baseline query may take in all before its median is taken from fewer runs (at least 3)."""
MIN_RUNS = 3
TARGET_MS = 50.0

ZeroArgQuery = Callable[[Store], Awaitable[object]]


def render_profile_chart(days: list[tuple[str, int]]) -> object:
    """`/profile`'s chart for these days (and eight topics), drawn as the chart process draws it."""
    from bot.ui.chart import ChartData, render

    topics = [(f"topic-{n}", 1 - n / 10, "memory") for n in range(8)]
    return render(ChartData("the busiest member · the biggest server", days, topics))


CHART_RENDERER: Callable[[list[tuple[str, int]]], object] | None = render_profile_chart
"""What the benchmark times on the most active member's last 30 days (the chart process's work, one chart)."""

# 0007's access paths; the baseline copy goes without them.
INDEXES_0007 = (
    "results_board_guild",
    "results_board_all",
    "results_member_days",
    "results_member_topics",
    "rounds_by_play",
)
TRIGGERS_0007 = ("results_board_insert", "results_board_delete", "results_board_update")
BASELINE_TOTALS_VIEW = """
CREATE VIEW board_totals AS
    SELECT 0 AS guild_id, '' AS pack_id, user_id, SUM(points) AS points, SUM(correct) AS correct,
           COUNT(*) AS answered FROM results WHERE ranked = 1 GROUP BY user_id
    UNION ALL
    SELECT 0, pack_id, user_id, SUM(points), SUM(correct), COUNT(*) FROM results WHERE ranked = 1
    GROUP BY pack_id, user_id
    UNION ALL
    SELECT guild_id, '', user_id, SUM(points), SUM(correct), COUNT(*) FROM results
    WHERE ranked = 1 AND guild_id IS NOT NULL GROUP BY guild_id, user_id
    UNION ALL
    SELECT guild_id, pack_id, user_id, SUM(points), SUM(correct), COUNT(*) FROM results
    WHERE ranked = 1 AND guild_id IS NOT NULL GROUP BY guild_id, pack_id, user_id
"""


def make_baseline(source: Path, target: Path) -> None:
    """A copy of the data without 0007's indexes and totals table (a view adds the same totals up instead)."""
    shutil.copyfile(source, target)
    with sqlite3.connect(target) as raw:
        for trigger in TRIGGERS_0007:
            raw.execute(f"DROP TRIGGER {trigger}")
        for index in INDEXES_0007:
            raw.execute(f"DROP INDEX {index}")
        raw.execute("DROP TABLE board_totals")
        raw.execute(BASELINE_TOTALS_VIEW)


# -- the measures --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    name: str
    call: ZeroArgQuery
    target: bool = True
    """Whether the 50 ms target applies."""


def measures(guild: int, member: int) -> list[Measure]:
    week = NOW - 7 * DAY
    month = NOW - 30 * DAY
    pack = PACKS[0]
    return [
        Measure("weekly server page", lambda s: s.leaderboard(guild_id=guild, since=week, pack_id=None, page=1)),
        Measure(
            "weekly server page, one pack", lambda s: s.leaderboard(guild_id=guild, since=week, pack_id=pack, page=1)
        ),
        Measure("all-time server page", lambda s: s.leaderboard(guild_id=guild, since=None, pack_id=None, page=1)),
        Measure("weekly global page", lambda s: s.leaderboard(guild_id=None, since=week, pack_id=None, page=1)),
        Measure("all-time global page", lambda s: s.leaderboard(guild_id=None, since=None, pack_id=None, page=1)),
        Measure("all-time global page 50", lambda s: s.leaderboard(guild_id=None, since=None, pack_id=None, page=50)),
        Measure(
            "all-time global, accuracy (20+)",
            lambda s: s.leaderboard(guild_id=None, since=None, pack_id=None, page=1, order="accuracy", min_answers=20),
        ),
        Measure("all-time global, one pack", lambda s: s.leaderboard(guild_id=None, since=None, pack_id=pack, page=1)),
        Measure("me: weekly server", lambda s: s.board_position(member, guild_id=guild, since=week, pack_id=None)),
        Measure("me: all-time global", lambda s: s.board_position(member, guild_id=None, since=None, pack_id=None)),
        Measure("profile_stats, server", lambda s: s.profile_stats(member, guild)),
        Measure("profile_stats, global", lambda s: s.profile_stats(member, None)),
        Measure("points_per_day, 30 days", lambda s: s.points_per_day(member, None, month)),
        Measure("points_per_day, 30 days, server", lambda s: s.points_per_day(member, guild, month)),
        Measure("accuracy_by_tag, global", lambda s: s.accuracy_by_tag(member)),
        Measure("accuracy_by_tag, server", lambda s: s.accuracy_by_tag(member, guild)),
    ]


async def timed(store: Store, query: ZeroArgQuery, runs: int, budget: float | None) -> tuple[list[float], object]:
    answer = await query(store)  # warm-up, and the answer to compare
    samples: list[float] = []
    began = time.perf_counter()
    while len(samples) < runs:
        start = time.perf_counter()
        await query(store)
        samples.append(time.perf_counter() - start)
        if budget is not None and len(samples) >= MIN_RUNS and time.perf_counter() - began > budget:
            break
    return samples, answer


async def time_chart(store: Store, member: int, runs: int) -> list[float] | None:
    """The chart hook: None when no renderer is hooked in."""
    if CHART_RENDERER is None:
        return None
    days = await store.points_per_day(member, None, NOW - 30 * DAY)
    samples: list[float] = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        CHART_RENDERER(days)
        samples.append(time.perf_counter() - start)
    return samples[1:]


def busiest(world: World, rows: Rows) -> tuple[int, int]:
    """The biggest server (by results) and its most active member (by results there)."""
    per_guild: dict[int, int] = {}
    per_member: dict[tuple[int, int], int] = {}
    for row in rows.results:
        guild, user = row[2], row[1]
        if isinstance(guild, int) and isinstance(user, int):
            per_guild[guild] = per_guild.get(guild, 0) + 1
            per_member[(guild, user)] = per_member.get((guild, user), 0) + 1
    guild = max(per_guild, key=lambda g: per_guild[g])
    member = max((key for key in per_member if key[0] == guild), key=lambda k: per_member[k])[1]
    return guild, member


def ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


Timings = dict[str, tuple[list[float], object]]


async def time_all(target: Path | str, checks: list[Measure], runs: int, budget: float | None) -> Timings:
    async with Store.open(target) as store:
        return {measure.name: await timed(store, measure.call, runs, budget) for measure in checks}


async def time_privacy(target: Path | str, member: int) -> tuple[float, int, float, int]:
    """export_member and then forget_member (which deletes the member's rows), once each: ms and rows."""
    async with Store.open(target) as store:
        start = time.perf_counter()
        exported = await store.export_member(member)
        export_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        forgotten = await store.forget_member(member)
        forget_ms = (time.perf_counter() - start) * 1000
    return export_ms, sum(map(len, exported.values())), forget_ms, sum(forgotten.values())


def answers(expected: object, plain: object, postgres: object) -> str:
    """'same' when every engine's answer is the one SQLite with 0007 gave; otherwise which differ."""
    differ = [name for name, answer in (("without", plain), ("PostgreSQL", postgres)) if answer != expected]
    return "same" if not differ else "DIFFER: " + ", ".join(differ)


async def run(results: int, runs: int, folder: Path, postgres: Target | None) -> bool:
    """Fill, migrate, load, measure and print; True when every measured query met the target on every engine."""
    print(
        f"storage benchmark: {os.cpu_count()} cores, Linux {platform.release()}, SQLite {sqlite3.sqlite_version},"
        f" {results:,} results, {GUILDS} servers, {MEMBERS:,} members, {DAYS} days"
    )
    if postgres is not None:
        print(f"PostgreSQL: {postgres.description}")
        ready = await prepare(postgres.url)
    path, baseline = folder / "torchquiz.db", folder / "baseline.db"
    began = time.perf_counter()
    world, rows = build_database(path, results=results, guilds=GUILDS, members=MEMBERS)
    filled = time.perf_counter() - began
    began = time.perf_counter()
    async with Store.open(path) as store:
        migrated = time.perf_counter() - began
        hidden = world.members[:: max(1, MEMBERS // 200)]  # 1% of members hide from global boards
        for user in hidden:
            await store.set_hidden(user, True)
    size = path.stat().st_size
    print(
        f"filled in {filled:.1f} s ({len(rows.results):,} results, {len(rows.tags):,} topics, {len(rows.rounds):,}"
        f" rounds, {len(rows.plays):,} plays; by mode {dict(sorted(rows.by_mode.items()))});"
        f" migration 0007 applied in {migrated:.1f} s; {size / 2**20:.0f} MiB"
    )
    make_baseline(path, baseline)
    guild, member = busiest(world, rows)
    checks = measures(guild, member)
    # SQLite is timed before PostgreSQL is loaded, so the server's writing back the load cannot slow it down.
    indexed = await time_all(path, checks, runs, None)
    async with Store.open(path) as store:
        chart = await time_chart(store, member, runs)
    plain = await time_all(baseline, checks, runs, BASELINE_BUDGET)
    remote: Timings = {}
    if postgres is not None:
        loaded = await load(path, postgres.url, ready)
        print(f"{loaded.summary()}; rows {loaded.rows} (the same as SQLite's)")
        remote = await time_all(postgres.url, checks, runs, BASELINE_BUDGET)
    # Last, as they delete the member's rows (after PostgreSQL has copied them).
    privacy = {"SQLite": await time_privacy(path, member)}
    if postgres is not None:
        privacy["PostgreSQL"] = await time_privacy(postgres.url, member)

    print(f"server {guild} (the biggest), member {member} (its most active); medians in ms")
    print(f"{'query':<36}{'SQLite 0007':>12}{'without':>10}{'ratio':>7}{'PostgreSQL':>12}{'runs':>12}  answers")
    engines = ["SQLite", "PostgreSQL"] if postgres is not None else ["SQLite"]
    fast = dict.fromkeys(engines, True)
    for measure in checks:
        (mine, answer), (slow, expected) = indexed[measure.name], plain[measure.name]
        theirs, their_answer = remote.get(measure.name, ([], answer))
        agree = answers(answer, expected, their_answer)
        for engine, samples in zip(engines, (mine, theirs), strict=False):
            fast[engine] &= (not measure.target or ms(samples) < TARGET_MS) and agree == "same"
        pg = f"{ms(theirs):>12.2f}" if theirs else f"{'—':>12}"
        print(
            f"{measure.name:<36}{ms(mine):>12.2f}{ms(slow):>10.1f}{ms(slow) / ms(mine):>6.0f}x{pg}"
            f"{'/'.join(str(len(samples)) for samples in (mine, slow, theirs) if samples):>12}  {agree}"
        )
    if chart is None:
        print(f"{'profile chart rendering':<36}{'—':>12}  (no renderer hooked in: set bench.storage.CHART_RENDERER)")
    else:
        print(f"{'profile chart rendering':<36}{ms(chart):>12.2f}  (no database)")
    for engine, (export_ms, exported, forget_ms, forgotten) in privacy.items():
        unflushed = engine == "PostgreSQL" and postgres is not None and not postgres.durable
        print(
            f"{engine}: export_member once {export_ms:.1f} ms ({exported:,} rows);"
            f" forget_member once, one transaction, {forget_ms:.1f} ms ({forgotten:,} rows deleted"
            + ("; fsync off, so without the commit's flush)" if unflushed else ")")
        )
    verdicts = ", ".join(f"{engine} {ok}" for engine, ok in fast.items())
    print(f"every leaderboard and profile query under {TARGET_MS:.0f} ms, answers identical: {verdicts}")
    return all(fast.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/storage.py", description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=RESULTS, help=f"results to store (default {RESULTS:,})")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed calls per query (default {RUNS})")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="an empty database on a running PostgreSQL server (postgresql://user@host:port/db) to fill and time;"
        " by default a throwaway server is started",
    )
    args = parser.parse_args(argv)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="torchquiz-bench-") as folder, postgres_database(args.postgres) as pg:
        try:
            ok = asyncio.run(run(args.results, max(args.runs, MIN_RUNS), Path(folder), pg))
        except NotEmpty as error:
            print(error)
            return 2
    print(f"(benchmark took {time.perf_counter() - began:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
