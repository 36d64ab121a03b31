"""Leaderboards, profile totals and the chart's points per day, on a real database: what counts (ranked results
only), the orders and their ties, paging, filters and hidden members, on both engines. How SQLite keeps the totals
and plans the queries is in `test_board_totals_sqlite.py`."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import pytest

from bot.storage import BoardRow, ResultRecord, Store
from bot.storage.boards import BoardOrder

DAY = 86_400.0
T0 = 1_750_000_000.0
G1, G2 = 111, 222


@dataclass(frozen=True)
class Answer:
    user: int
    points: int
    correct: bool
    guild: int | None = G1
    pack: str = "autograd-basics"
    at: float = T0
    ranked: bool = True


class Plays:
    """Stores results as the bot does: each in a round of a play of its own mode."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.count = 0

    async def add(self, *answers: Answer) -> None:
        records = []
        for answer in answers:
            self.count += 1
            play = f"p{self.count}"
            mode = "challenge" if answer.ranked else "practice"
            await self.store.start_play(
                play, mode=mode, owner_id=answer.user, pack_id=answer.pack, started_at=answer.at, guild_id=answer.guild
            )
            # Past plays: finished, as a member runs one timed challenge at a time (the database holds that rule).
            await self.store.finish_play(play, ended_at=answer.at + 60, status="finished")
            await self.store.open_round(
                f"{play}-0", play_id=play, position=0, question_id="q", opened_at=answer.at, deadline=answer.at + 60
            )
            records.append(
                ResultRecord(
                    f"{play}-0",
                    answer.user,
                    answer.guild,
                    answer.pack,
                    "q",
                    answer.correct,
                    answer.points,
                    1,
                    0,
                    ["autograd"],
                    answer.at,
                    ranked=answer.ranked,
                )
            )
        await self.store.record_results(records)


@pytest.fixture
async def plays(store: Store) -> AsyncIterator[Plays]:
    yield Plays(store)


async def everyone(
    store: Store,
    *,
    guild_id: int | None = None,
    since: float | None = None,
    pack_id: str | None = None,
    order: BoardOrder = "points",
    min_answers: int = 0,
    per_page: int = 3,
) -> list[BoardRow]:
    """Every row of a board, page by page."""
    first = await store.leaderboard(
        guild_id=guild_id,
        since=since,
        pack_id=pack_id,
        page=1,
        per_page=per_page,
        order=order,
        min_answers=min_answers,
    )
    rows = list(first.rows)
    for page in range(2, first.pages + 1):
        rows += (
            await store.leaderboard(
                guild_id=guild_id,
                since=since,
                pack_id=pack_id,
                page=page,
                per_page=per_page,
                order=order,
                min_answers=min_answers,
            )
        ).rows
    assert len(rows) == first.members
    assert [row.rank for row in rows] == list(range(1, len(rows) + 1))
    return rows


async def test_practice_and_review_never_count(store: Store, plays: Plays) -> None:
    await plays.add(
        Answer(7, 100, True),
        Answer(7, 0, True, ranked=False),
        Answer(7, 0, False, ranked=False),
        Answer(8, 0, True, ranked=False),
    )
    for since in (None, T0 - DAY):
        board = await store.leaderboard(guild_id=G1, since=since, pack_id=None, page=1)
        assert board.rows == (BoardRow(1, 7, 100, 1, 1),)
        assert board.members == 1
        assert await store.board_position(8, guild_id=G1, since=since, pack_id=None) is None
    accuracy = await store.leaderboard(guild_id=None, since=None, pack_id=None, page=1, order="accuracy")
    assert [(r.user_id, r.correct, r.answered, r.accuracy) for r in accuracy.rows] == [(7, 1, 1, 1.0)]
    stats = await store.profile_stats(7, None)
    assert (stats.points, stats.answered, stats.correct, stats.accuracy) == (100, 1, 1, 1.0)
    assert (await store.profile_stats(8, G1)).answered == 0
    assert (await store.profile_stats(8, G1)).accuracy is None
    assert await store.points_per_day(8, None, T0 - DAY) == []


async def test_points_order_and_its_ties(store: Store, plays: Plays) -> None:
    await plays.add(
        # 20: 200 points from 2 of 3; 21: 200 points from 2 of 2; 22: 200 points from 3 of 3
        Answer(20, 100, True),
        Answer(20, 100, True),
        Answer(20, 0, False),
        Answer(21, 150, True),
        Answer(21, 50, True),
        Answer(22, 100, True),
        Answer(22, 50, True),
        Answer(22, 50, True),
        # 9 and 10: the same in every way; the smaller id first
        Answer(10, 80, True),
        Answer(9, 80, True),
        Answer(30, 500, True),
    )
    rows = await everyone(store, guild_id=G1)
    assert [row.user_id for row in rows] == [30, 22, 21, 20, 9, 10]
    assert rows[1] == BoardRow(2, 22, 200, 3, 3)


async def test_accuracy_order_min_answers_and_ties(store: Store, plays: Plays) -> None:
    await plays.add(
        *[Answer(1, 10, True) for _ in range(2)],  # 2/2
        *[Answer(2, 10, True) for _ in range(4)],  # 4/4: same accuracy, more answers first
        *[Answer(3, 10, i < 2) for i in range(4)],  # 2/4
        *[Answer(4, 10, i < 1) for i in range(2)],  # 1/2: same as 3 and 5 but fewer answers
        *[Answer(5, 10, i < 2) for i in range(4)],  # 2/4: ties with 3, the smaller id first
        Answer(6, 900, False),  # 0/1 however many points
    )
    rows = await everyone(store, guild_id=G1, order="accuracy")
    assert [row.user_id for row in rows] == [2, 1, 3, 5, 4, 6]
    assert [row.accuracy for row in rows] == [1.0, 1.0, 0.5, 0.5, 0.5, 0.0]
    at_least_four = await everyone(store, guild_id=G1, order="accuracy", min_answers=4)
    assert [row.user_id for row in at_least_four] == [2, 3, 5]
    assert await store.board_position(1, guild_id=G1, since=None, pack_id=None, order="accuracy", min_answers=4) is None
    assert await store.board_position(5, guild_id=G1, since=None, pack_id=None, order="accuracy", min_answers=4) == (
        3,
        1,
    )
    windowed = await everyone(store, guild_id=G1, since=T0 - DAY, order="accuracy", min_answers=4)
    assert windowed == at_least_four


async def test_pages_are_clamped_and_never_fewer_than_one(store: Store, plays: Plays) -> None:
    empty = await store.leaderboard(guild_id=G1, since=None, pack_id=None, page=5)
    assert (empty.rows, empty.page, empty.pages, empty.members) == ((), 1, 1, 0)
    await plays.add(*[Answer(100 + n, 10 * n, True) for n in range(1, 8)])  # 7 members
    for since in (None, T0 - DAY):
        for beyond in (99, 2**31, 2**63):  # the Last button asks for 2**31
            last = await store.leaderboard(guild_id=G1, since=since, pack_id=None, page=beyond, per_page=3)
            assert (last.page, last.pages, last.members) == (3, 3, 7)
            assert [(row.rank, row.user_id) for row in last.rows] == [(7, 101)]
        first = await store.leaderboard(guild_id=G1, since=since, pack_id=None, page=-2, per_page=3)
        assert first.page == 1
        assert [row.user_id for row in first.rows] == [107, 106, 105]
        second = await store.leaderboard(guild_id=G1, since=since, pack_id=None, page=2, per_page=3)
        assert [(row.rank, row.user_id) for row in second.rows] == [(4, 104), (5, 103), (6, 102)]
        assert await store.board_position(103, guild_id=G1, since=since, pack_id=None, per_page=3) == (5, 2)
        assert await store.board_position(103, guild_id=G1, since=since, pack_id=None, per_page=10) == (5, 1)
    with pytest.raises(ValueError, match="at least one"):
        await store.leaderboard(guild_id=G1, since=None, pack_id=None, page=1, per_page=0)
    with pytest.raises(ValueError, match="points or accuracy"):
        await store.leaderboard(guild_id=G1, since=None, pack_id=None, page=1, order="speed")  # type: ignore[arg-type]


async def test_filters_server_time_and_pack(store: Store, plays: Plays) -> None:
    await plays.add(
        Answer(7, 100, True, guild=G1, at=T0 - 10 * DAY),
        Answer(7, 50, True, guild=G1, at=T0, pack="data-loading"),
        Answer(7, 70, True, guild=G2, at=T0),
        Answer(7, 30, True, guild=None, at=T0),  # outside any server: the global board only
        Answer(8, 120, True, guild=G2, at=T0 - 10 * DAY),
    )
    week = T0 - 7 * DAY

    async def points(**filters: object) -> list[tuple[int, int]]:
        board = await store.leaderboard(page=1, **filters)  # type: ignore[arg-type]
        return [(row.user_id, row.points) for row in board.rows]

    assert await points(guild_id=G1, since=None, pack_id=None) == [(7, 150)]
    assert await points(guild_id=G1, since=week, pack_id=None) == [(7, 50)]
    assert await points(guild_id=G2, since=None, pack_id=None) == [(8, 120), (7, 70)]
    assert await points(guild_id=G2, since=week, pack_id=None) == [(7, 70)]
    assert await points(guild_id=None, since=None, pack_id=None) == [(7, 250), (8, 120)]
    assert await points(guild_id=None, since=week, pack_id=None) == [(7, 150)]
    assert await points(guild_id=None, since=None, pack_id="data-loading") == [(7, 50)]
    assert await points(guild_id=G1, since=week, pack_id="autograd-basics") == []
    assert await points(guild_id=G2, since=None, pack_id="autograd-basics") == [(8, 120), (7, 70)]
    stats = await store.profile_stats(7, G2)
    assert (stats.points, stats.answered, stats.correct) == (70, 1, 1)
    assert (await store.profile_stats(7, None)).points == 250


async def test_hidden_members_leave_global_boards_only(store: Store, plays: Plays) -> None:
    await plays.add(Answer(7, 300, True), Answer(8, 200, True), Answer(9, 100, True))
    assert not await store.is_hidden(7)
    await store.set_hidden(7, True)
    await store.set_hidden(7, True)
    assert await store.is_hidden(7)
    for since in (None, T0 - DAY):
        world = await store.leaderboard(guild_id=None, since=since, pack_id=None, page=1)
        assert [(row.rank, row.user_id) for row in world.rows] == [(1, 8), (2, 9)]
        assert world.members == 2
        assert await store.board_position(7, guild_id=None, since=since, pack_id=None) is None
        assert await store.board_position(9, guild_id=None, since=since, pack_id=None) == (2, 1)
        server = await store.leaderboard(guild_id=G1, since=since, pack_id=None, page=1)
        assert [row.user_id for row in server.rows] == [7, 8, 9]
    assert (await store.profile_stats(7, None)).points == 300  # their own profile still adds up
    await store.set_hidden(7, False)
    assert not await store.is_hidden(7)
    assert await store.board_position(7, guild_id=None, since=None, pack_id=None) == (1, 1)


async def test_points_per_day_in_the_member_s_time_zone(store: Store, plays: Plays) -> None:
    midnight = 1_750_032_000.0  # 2025-06-16 00:00 UTC
    await plays.add(
        Answer(7, 10, True, at=midnight - 3600),  # 2025-06-15 23:00 UTC
        Answer(7, 20, True, at=midnight + 600),
        Answer(7, 40, True, at=midnight + 700, guild=G2),
        Answer(7, 0, False, at=midnight + 800),
        Answer(7, 0, True, at=midnight + 900, ranked=False),
        Answer(7, 99, True, at=midnight - 40 * DAY),
        Answer(8, 55, True, at=midnight),
    )
    since = midnight - 30 * DAY
    assert await store.points_per_day(7, None, since) == [("2025-06-15", 10), ("2025-06-16", 60)]
    assert await store.points_per_day(7, G1, since) == [("2025-06-15", 10), ("2025-06-16", 20)]
    assert await store.points_per_day(7, None, since, tz_offset_seconds=2 * 3600) == [("2025-06-16", 70)]
    assert await store.points_per_day(7, None, since, tz_offset_seconds=-650) == [
        ("2025-06-15", 30),
        ("2025-06-16", 40),
    ]


def reference(
    answers: Sequence[Answer],
    *,
    guild_id: int | None,
    since: float | None,
    pack_id: str | None,
    order: BoardOrder,
    min_answers: int,
    hidden: set[int],
) -> list[BoardRow]:
    """The board computed the slow, obvious way."""
    totals: dict[int, list[int]] = {}
    for a in answers:
        if not a.ranked or (since is not None and a.at < since) or (pack_id is not None and a.pack != pack_id):
            continue
        if guild_id is not None and a.guild != guild_id:
            continue
        if guild_id is None and a.user in hidden:
            continue
        total = totals.setdefault(a.user, [0, 0, 0])
        total[0] += a.points
        total[1] += int(a.correct)
        total[2] += 1
    members = [(user, *t) for user, t in totals.items() if t[2] >= min_answers]
    if order == "points":
        members.sort(key=lambda m: (-m[1], -m[2], m[3], m[0]))
    else:
        members.sort(key=lambda m: (-m[2] / m[3], -m[3], m[0]))
    return [BoardRow(rank, user, p, c, n) for rank, (user, p, c, n) in enumerate(members, start=1)]


async def test_every_board_matches_a_plain_computation(store: Store, plays: Plays) -> None:
    rng = random.Random(5)
    packs = ["autograd-basics", "data-loading", "training-loops"]
    answers = [
        Answer(
            user=rng.randint(1, 25),
            points=rng.choice([0, 50, 100, 100, 150]),
            correct=rng.random() < 0.6,
            guild=rng.choice([G1, G1, G2, None]),
            pack=rng.choice(packs),
            at=T0 - rng.uniform(0, 20 * DAY),
            ranked=rng.random() < 0.8,
        )
        for _ in range(400)
    ]
    await plays.add(*answers)
    hidden = {3, 4}
    for user in hidden:
        await store.set_hidden(user, True)
    orders: list[tuple[BoardOrder, int]] = [("points", 0), ("accuracy", 0), ("accuracy", 5), ("points", 3)]
    for guild_id in (None, G1, G2):
        for since in (None, T0 - 7 * DAY, T0 - 30 * DAY):
            for pack_id in (None, "data-loading"):
                for order, least in orders:
                    expected = reference(
                        answers,
                        guild_id=guild_id,
                        since=since,
                        pack_id=pack_id,
                        order=order,
                        min_answers=least,
                        hidden=hidden,
                    )
                    shown = await everyone(
                        store, guild_id=guild_id, since=since, pack_id=pack_id, order=order, min_answers=least
                    )
                    assert shown == expected, (guild_id, since, pack_id, order, least)
                    for user in (1, 3, 12, 99):
                        mine = [row.rank for row in expected if row.user_id == user]
                        position = await store.board_position(
                            user,
                            guild_id=guild_id,
                            since=since,
                            pack_id=pack_id,
                            order=order,
                            min_answers=least,
                            per_page=4,
                        )
                        assert position == ((mine[0], (mine[0] - 1) // 4 + 1) if mine else None)


async def test_a_result_stored_twice_counts_once(store: Store, plays: Plays) -> None:
    await plays.add(Answer(7, 100, True))
    again = ResultRecord("p1-0", 7, G1, "autograd-basics", "q", True, 100, 1, 0, ["autograd"], T0)
    assert not await store.record_result(again)
    assert await store.record_results([again, again]) == 0
    for guild_id in (None, G1):
        board = await store.leaderboard(guild_id=guild_id, since=None, pack_id=None, page=1)
        assert board.rows == (BoardRow(1, 7, 100, 1, 1),)
