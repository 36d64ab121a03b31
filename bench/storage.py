"""Storage benchmark: `python bench/storage.py [--results N] [--runs N]` (about two minutes on two cores).

Fills a fresh database in a temporary folder with a million results as the bot would store them — 50 servers,
20,000 members, 90 days — at schema 6, then lets `Store.open` apply migration 0007 to it (so its backfill and
index builds are measured too). Then it times what leaderboards and `/profile` ask for, through the `Store`
methods the bot calls, each beside the same call on a copy of the data without 0007's access paths: its indexes
dropped, and `board_totals` replaced by a view that adds the same totals up from `results`. Every pair of answers
must agree, so the run also checks the trigger-kept totals against the results at scale.

The data are skewed like a real bot's: server sizes fall off as 1/rank, members' activity is log-normal (a few
answer thousands of questions, most a few dozen), most members play in one server and some in two or three,
activity grows towards the present, and results come from private challenges (55%), live quizzes (20%), daily
questions (8%), practice (11%) and review (6%) — practice and review unranked, with 0 points.

Worst cases are timed: the biggest server, and its most active member for "me" and the profile. Each figure is
the median of `--runs` calls (20) after one warm-up call; a baseline call that is slow runs fewer times (at least 3,
within about 8 s per query). The target is under 50 ms for every leaderboard and profile query.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: make `bot` importable

from bot.storage import Store  # noqa: E402
from bot.storage.database import migrations  # noqa: E402

RESULTS = 1_000_000
GUILDS = 50
MEMBERS = 20_000
DAYS = 90
RUNS = 20
BASELINE_BUDGET = 8.0
"""Seconds a slow baseline query may take in all before its median is taken from fewer runs (at least 3)."""
MIN_RUNS = 3
TARGET_MS = 50.0

DAY = 86_400.0
NOW = 1_780_000_000.0
"""The benchmark's "now": the data end here, and "this week" is the 7 days before it."""
SPAN = DAYS * DAY
BOT_ID = 1_000_000_000_000_000
SCHEMA_BEFORE_BOARDS = 6

MODE_SHARES = {"challenge": 0.55, "live": 0.20, "daily": 0.08, "practice": 0.11, "review": 0.06}
SCORED = frozenset({"challenge", "live", "daily"})
PACKS = (
    "autograd-basics",
    "autograd-graphs",
    "autograd-in-code",
    "data-loading",
    "dtypes-and-devices",
    "losses-and-metrics",
    "modules-and-layers",
    "numerical-stability",
    "optimizers-and-schedules",
    "tensors-and-broadcasting",
    "training-loops",
)
QUESTIONS_PER_PACK = 14
TAGS = (
    "autograd",
    "broadcasting",
    "dtypes",
    "devices",
    "losses",
    "metrics",
    "modules",
    "optimizers",
    "schedules",
    "data",
    "numerics",
    "training",
    "debugging",
    "graphs",
    "indexing",
)
BASE_POINTS = (50, 100, 150, 200)
QUESTIONS_PER_SESSION = {"challenge": (5, 14), "practice": (3, 10), "review": (1, 20)}

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


# -- the data ------------------------------------------------------------------------------------------------------


@dataclass
class World:
    """Who plays where, how much and how well."""

    guilds: list[int]
    guild_weights: list[float]
    members: list[int]
    activity: list[float]
    skill: list[float]
    homes: list[list[int]]
    """Server indexes each member plays in."""
    roster: list[list[int]] = field(default_factory=list)
    """Member indexes per server."""
    roster_weights: list[list[float]] = field(default_factory=list)


@dataclass
class Rows:
    plays: list[tuple[object, ...]] = field(default_factory=list)
    rounds: list[tuple[object, ...]] = field(default_factory=list)
    results: list[tuple[object, ...]] = field(default_factory=list)
    tags: list[tuple[object, ...]] = field(default_factory=list)
    participants: list[tuple[object, ...]] = field(default_factory=list)
    by_mode: dict[str, int] = field(default_factory=dict)


def make_world(rng: random.Random, guilds: int, members: int) -> World:
    guild_ids = [800_000_000_000_000_000 + 7_919 * index for index in range(guilds)]
    guild_weights = [1.0 / (rank + 1) for rank in range(guilds)]
    member_ids = [300_000_000_000_000_000 + 104_729 * index for index in range(members)]
    activity = [min(rng.lognormvariate(0.0, 1.3), 60.0) for _ in range(members)]
    skill = [rng.uniform(0.35, 0.92) for _ in range(members)]
    homes: list[list[int]] = []
    for _ in range(members):
        count = 1 if rng.random() < 0.75 else (2 if rng.random() < 0.8 else 3)
        chosen: list[int] = []
        while len(chosen) < count:
            guild = rng.choices(range(guilds), weights=guild_weights)[0]
            if guild not in chosen:
                chosen.append(guild)
        homes.append(chosen)
    world = World(guild_ids, guild_weights, member_ids, activity, skill, homes)
    world.roster = [[] for _ in range(guilds)]
    for member, member_homes in enumerate(homes):
        for guild in member_homes:
            world.roster[guild].append(member)
    world.roster_weights = [[activity[m] for m in roster] for roster in world.roster]
    return world


def question_tags(rng: random.Random) -> dict[tuple[str, str], tuple[str, ...]]:
    return {
        (pack, f"q{number:02d}"): tuple(rng.sample(TAGS, rng.randint(1, 3)))
        for pack in PACKS
        for number in range(QUESTIONS_PER_PACK)
    }


def moment(rng: random.Random) -> float:
    """When something happened: activity grows towards the present (half uniform, half rising linearly)."""
    share = rng.random() if rng.random() < 0.5 else math.sqrt(rng.random())
    return NOW - SPAN * (1.0 - share) - rng.uniform(60.0, 3_600.0)


class Filler:
    """Members playing, mode by mode, until each mode has its share of the results."""

    def __init__(self, rng: random.Random, world: World, total: int) -> None:
        self.rng = rng
        self.world = world
        self.tags = question_tags(rng)
        self.rows = Rows()
        self.budget = {mode: round(total * share) for mode, share in MODE_SHARES.items()}
        self.budget["challenge"] += total - sum(self.budget.values())
        self.plays = 0
        self.member_weights = list(itertools.accumulate(world.activity))

    def play_id(self, mode: str) -> str:
        self.plays += 1
        return f"{mode[0]}{self.plays:07d}"

    def full(self, mode: str) -> bool:
        return self.rows.by_mode.get(mode, 0) >= self.budget[mode]

    def answer(
        self, mode: str, round_id: str, member: int, *, guild: int | None, pack: str, question: str, at: float
    ) -> None:
        """One member's final outcome of one question, scored as the bot scores it."""
        if self.full(mode):
            return
        rng = self.rng
        correct = rng.random() < self.world.skill[member]
        attempts = 1 if correct and rng.random() < 0.8 else rng.randint(1, 2)
        hints = 1 if rng.random() < 0.12 else 0
        points = 0
        if correct and mode in SCORED:
            base = BASE_POINTS[int(question[1:]) % len(BASE_POINTS)]
            factor = (0.5 if attempts > 1 else 1.0) * (1.0 - 0.25 * hints)
            if mode == "live":
                factor *= rng.uniform(0.5, 1.0)
            points = round(base * factor * rng.choice((1.0, 1.0, 1.1, 1.2, 1.3)))
        user = self.world.members[member]
        guild_id = None if guild is None else self.world.guilds[guild]
        self.rows.results.append((round_id, user, guild_id, pack, question, int(correct), points, attempts, hints, at))
        self.rows.tags.extend((round_id, user, tag) for tag in self.tags[(pack, question)])
        self.rows.by_mode[mode] = self.rows.by_mode.get(mode, 0) + 1

    def start(self, mode: str, *, guild: int | None, owner: int, pack: str, at: float, ended: float) -> str:
        play = self.play_id(mode)
        guild_id = None if guild is None else self.world.guilds[guild]
        self.rows.plays.append((play, mode, guild_id, 1, owner, pack, at, ended, "finished"))
        return play

    def private(self, mode: str) -> None:
        rng, world = self.rng, self.world
        while not self.full(mode):
            member = rng.choices(range(len(world.members)), cum_weights=self.member_weights)[0]
            guild = None if rng.random() < 0.03 else rng.choice(world.homes[member])
            pack = rng.choice(PACKS)
            count = rng.randint(*QUESTIONS_PER_SESSION[mode])
            questions = rng.sample(range(QUESTIONS_PER_PACK), min(count, QUESTIONS_PER_PACK))
            at = moment(rng)
            play = self.start(
                mode, guild=guild, owner=world.members[member], pack=pack, at=at, ended=at + 60.0 * len(questions)
            )
            for position, number in enumerate(questions):
                opened = at + 60.0 * position
                round_id = f"{play}-{position}"
                question = f"q{number:02d}"
                self.rows.rounds.append((round_id, play, position, question, opened, opened + 120.0, opened + 50.0))
                self.answer(
                    mode,
                    round_id,
                    member,
                    guild=guild,
                    pack=pack,
                    question=question,
                    at=opened + rng.uniform(5.0, 50.0),
                )

    def live(self) -> None:
        rng, world = self.rng, self.world
        while not self.full("live"):
            guild = rng.choices(range(len(world.guilds)), weights=world.guild_weights)[0]
            roster = world.roster[guild]
            if not roster:
                continue
            wanted = min(len(roster), rng.randint(4, 40))
            drawn = rng.choices(roster, weights=world.roster_weights[guild], k=wanted * 2)
            players = list(dict.fromkeys(drawn))[:wanted]
            pack = rng.choice(PACKS)
            at = moment(rng)
            play = self.start("live", guild=guild, owner=world.members[players[0]], pack=pack, at=at, ended=at + 400.0)
            self.rows.participants.extend((play, world.members[p], at) for p in players)
            for position, number in enumerate(rng.sample(range(QUESTIONS_PER_PACK), 10)):
                opened = at + 40.0 * position
                round_id = f"{play}-{position}"
                question = f"q{number:02d}"
                self.rows.rounds.append((round_id, play, position, question, opened, opened + 30.0, opened + 30.0))
                for player in players:
                    if rng.random() < 0.9:
                        at_answer = opened + rng.uniform(2.0, 30.0)
                        self.answer("live", round_id, player, guild=guild, pack=pack, question=question, at=at_answer)

    def daily(self) -> None:
        rng, world = self.rng, self.world
        per_round = self.budget["daily"] / DAYS / sum(len(r) for r in world.roster)
        days = [(guild, day) for guild in range(len(world.guilds)) for day in range(DAYS)]
        rng.shuffle(days)
        for guild, day in days:
            roster = world.roster[guild]
            if self.full("daily") or not roster:
                continue
            posted = NOW - SPAN + day * DAY + 9 * 3600.0
            pack = rng.choice(PACKS)
            question = f"q{rng.randrange(QUESTIONS_PER_PACK):02d}"
            play = self.start("daily", guild=guild, owner=BOT_ID, pack=pack, at=posted, ended=posted + DAY)
            round_id = f"{play}-0"
            self.rows.rounds.append((round_id, play, 0, question, posted, posted + DAY, posted + DAY))
            answering = max(1, round(len(roster) * per_round * rng.uniform(0.5, 1.5)))
            drawn = rng.choices(roster, weights=world.roster_weights[guild], k=answering * 2)
            for member in list(dict.fromkeys(drawn))[:answering]:
                at_answer = posted + rng.uniform(60.0, DAY - 60.0)
                self.answer("daily", round_id, member, guild=guild, pack=pack, question=question, at=at_answer)

    def fill(self) -> Rows:
        self.live()
        self.daily()
        self.daily_rest()
        for mode in ("challenge", "practice", "review"):
            self.private(mode)
        return self.rows

    def daily_rest(self) -> None:
        """When the daily questions drew fewer answers than their share, challenges make up the difference."""
        if not self.full("daily"):
            self.budget["challenge"] += self.budget["daily"] - self.rows.by_mode.get("daily", 0)
            self.budget["daily"] = self.rows.by_mode.get("daily", 0)


def build_database(path: Path, *, results: int, guilds: int, members: int, seed: int = 7) -> tuple[World, Rows]:
    """A database at schema 6 holding `results` results (and their plays, rounds, topics and live joins)."""
    rng = random.Random(seed)
    world = make_world(rng, guilds, members)
    rows = Filler(rng, world, results).fill()
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        raw.execute("PRAGMA journal_mode = WAL")
        raw.execute("PRAGMA synchronous = OFF")
        raw.execute("PRAGMA cache_size = -1000000")
        raw.execute("BEGIN")
        for migration in migrations()[:SCHEMA_BEFORE_BOARDS]:
            for statement in split_statements(migration.sql):
                raw.execute(statement)
        raw.execute(f"PRAGMA user_version = {SCHEMA_BEFORE_BOARDS}")
        inserts = (
            ("plays (id, mode, guild_id, channel_id, owner_id, pack_id, started_at, ended_at, status)", rows.plays),
            ("rounds (id, play_id, position, question_id, opened_at, deadline, closed_at)", rows.rounds),
            (
                "results (round_id, user_id, guild_id, pack_id, question_id, correct, points, attempts, hints,"
                " created_at)",
                rows.results,
            ),
            ("result_tags (round_id, user_id, tag)", rows.tags),
            ("participants (play_id, user_id, joined_at)", rows.participants),
        )
        for target, values in inserts:
            marks = ", ".join("?" * len(values[0])) if values else ""
            raw.executemany(f"INSERT INTO {target} VALUES ({marks})", values)
        raw.executemany(
            "INSERT INTO members (user_id, current_streak, best_streak) VALUES (?, ?, ?)",
            [(user, (streak := rng.randint(0, 12)), streak + rng.randint(0, 20)) for user in world.members],
        )
        raw.execute("COMMIT")
    finally:
        raw.close()
    return world, rows


def split_statements(script: str) -> list[str]:
    """A migration's statements one by one (`executescript` would commit the fill's transaction)."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending)
            pending = ""
    return [s for s in statements if s.strip()]


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


async def run(results: int, runs: int, folder: Path) -> bool:
    """Fill, migrate, measure and print; True when every measured query met the target."""
    print(
        f"storage benchmark: {os.cpu_count()} cores, Linux {platform.release()}, SQLite {sqlite3.sqlite_version},"
        f" {results:,} results, {GUILDS} servers, {MEMBERS:,} members, {DAYS} days"
    )
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
    indexed: dict[str, tuple[list[float], object]] = {}
    async with Store.open(path) as store:
        for measure in checks:
            indexed[measure.name] = await timed(store, measure.call, runs, None)
        chart = await time_chart(store, member, runs)
        start = time.perf_counter()
        exported = await store.export_member(member)
        export_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        forgotten = await store.forget_member(member)  # last: it deletes the member's rows
        forget_ms = (time.perf_counter() - start) * 1000
    plain: dict[str, tuple[list[float], object]] = {}
    async with Store.open(baseline) as store:
        for measure in checks:
            plain[measure.name] = await timed(store, measure.call, runs, BASELINE_BUDGET)

    print(f"server {guild} (the biggest), member {member} (its most active); medians in ms")
    print(f"{'query':<36}{'0007':>10}{'without':>11}{'ratio':>9}{'runs':>9}  answers")
    all_fast = True
    for measure in checks:
        (fast, answer), (slow, expected) = indexed[measure.name], plain[measure.name]
        agree = "same" if answer == expected else "DIFFER"
        all_fast = all_fast and (not measure.target or ms(fast) < TARGET_MS) and agree == "same"
        print(
            f"{measure.name:<36}{ms(fast):>10.2f}{ms(slow):>11.1f}{ms(slow) / ms(fast):>8.0f}x"
            f"{len(fast):>5}/{len(slow):<3}  {agree}"
        )
    if chart is None:
        print(f"{'profile chart rendering':<36}{'—':>10}  (no renderer hooked in: set bench.storage.CHART_RENDERER)")
    else:
        print(f"{'profile chart rendering':<36}{ms(chart):>10.2f}")
    print(
        f"{'export_member, once':<36}{export_ms:>10.1f}  ({sum(map(len, exported.values())):,} rows)\n"
        f"{'forget_member, once (one transaction)':<36}{forget_ms:>10.1f}  ({sum(forgotten.values()):,} rows deleted)"
    )
    print(f"every leaderboard and profile query under {TARGET_MS:.0f} ms, answers identical: {all_fast}")
    return all_fast


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/storage.py", description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=RESULTS, help=f"results to store (default {RESULTS:,})")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed calls per query (default {RUNS})")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="torchquiz-bench-") as folder:
        ok = asyncio.run(run(args.results, max(args.runs, MIN_RUNS), Path(folder)))
    print(f"(benchmark took {time.perf_counter() - began:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
