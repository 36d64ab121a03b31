"""The storage benchmark's data: a million results as the bot would store them, skewed like a real bot's.

Kept apart from `bench/storage.py` (which times queries on it) so the shape of the data can be read on its own:
who plays where (`make_world`), what they answer and when (`Filler`), and the schema-6 database it becomes
(`build_database`). Everything derives from one seed, so two runs measure the same data.
"""

from __future__ import annotations

import itertools
import math
import random
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from bot.storage.database import migrations

DAYS = 90
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
