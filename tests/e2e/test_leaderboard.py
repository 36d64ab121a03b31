"""`/leaderboard` through the real bot and the fake Discord: after a live quiz, paging a 25-member board (also
after a restart), "Me", and buttons pressed by someone who does not own the board.

Big boards are seeded straight into the database through the `Store` before the bot starts, rather than played.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from pathlib import Path

from bot.storage import ResultRecord, Store
from tests.database_reader import read_database
from tests.e2e.conftest import World
from tests.e2e.live import QUIZ_ENV, button, closed, next_question, podium, reply_text, start_quiz
from tests.fakediscord import FakeInteraction, FakeMessage, FakeUser, run_bot_process

PACK = "autograd-basics"
QUESTIONS = ("why-autodiff", "cubic-grad", "clear-gradient-model", "lr-too-high", "detach-backward")
ROW = re.compile(
    r"(?P<mine>➜ \*\*)?(?P<rank>🥇|🥈|🥉|`#\d+`) <@(?P<user>\d+)>"
    r" · (?P<points>[\d,]+) pts · (?P<acc>\d+)% · (?P<n>\d+) answers?"
)


async def seed(
    database: Path | str,
    guild_id: int,
    scores: Sequence[tuple[int, int, int]],
    *,
    at: float | None = None,
    pack: str = PACK,
) -> None:
    """Store one finished challenge of five questions per member: (user id, total points, correct answers); the
    points go to the correct answers."""
    when = time.time() - 3600 if at is None else at
    async with Store.open(database) as store:
        for user_id, points, correct in scores:
            play_id = f"seed{user_id}"
            await store.start_play(
                play_id, mode="challenge", owner_id=user_id, pack_id=pack, started_at=when, guild_id=guild_id
            )
            results = []
            for index, question in enumerate(QUESTIONS):
                round_id = f"{play_id}-{index}"
                await store.open_round(
                    round_id, play_id=play_id, position=index, question_id=question, opened_at=when, deadline=when + 60
                )
                right = index < correct
                share = points // correct + (points % correct if index == 0 else 0) if right else 0
                results.append(
                    ResultRecord(
                        round_id=round_id,
                        user_id=user_id,
                        guild_id=guild_id,
                        pack_id=pack,
                        question_id=question,
                        correct=right,
                        points=share,
                        attempts=1,
                        hints=0,
                        tags=("autograd",),
                        created_at=when + index,
                    )
                )
            await store.record_results(results)
            await store.finish_play(play_id, ended_at=when + 60)


async def leaderboard(world: World, user: FakeUser, **options: str) -> FakeMessage:
    interaction = await world.fake.slash(user, "leaderboard", options or None, channel_id=world.channel_id)
    callback = await interaction.response()
    assert callback.type == 4 and callback.message is not None, callback.data
    assert not callback.message.ephemeral  # the board is posted for the channel
    assert callback.data.get("allowed_mentions") == {"parse": []}, callback.data  # mentions never ping
    return callback.message


def rows(message: FakeMessage) -> list[dict[str, str | None]]:
    assert message.embed is not None
    return [match.groupdict() for match in ROW.finditer(message.embed.get("description", ""))]


def footer(message: FakeMessage) -> str:
    assert message.embed is not None
    return str(message.embed["footer"]["text"])


def disabled(message: FakeMessage) -> dict[str, bool]:
    return {str(b["label"]): bool(b.get("disabled")) for b in message.buttons}


async def page_to(world: World, user: FakeUser, board: FakeMessage, label: str) -> FakeInteraction:
    """Press a page button on the board; the same message is edited (callback 7)."""
    interaction = await world.fake.click(user, board, button(board, label))
    callback = await interaction.response()
    assert callback.type == 7 and callback.message is board, callback.data
    return interaction


async def private_reply(world: World, user: FakeUser, board: FakeMessage, label: str) -> str:
    interaction = await world.fake.click(user, board, button(board, label))
    callback = await interaction.response()
    assert callback.type == 4 and callback.message is not None and callback.message.ephemeral, callback.data
    return callback.message.text


async def test_server_board_after_a_live_quiz(world: World) -> None:
    alice, bob, carol, mod = (world.members[n] for n in ("alice", "bob", "carol", "mod"))
    async with run_bot_process(world.fake, {**world.env(), **QUIZ_ENV}):
        empty = await leaderboard(world, alice)
        assert "Nobody is on this board yet" in empty.text and empty.buttons == []

        lobby = await start_quiz(world, {"pack": PACK, "count": 2, "time": 30})
        for member in (alice, bob, carol):
            await reply_text(world, member, lobby, "Join")
        await reply_text(world, mod, lobby, "Start now")
        first = await next_question(world, 1)  # why-autodiff: A
        assert "is right" in await reply_text(world, alice, first, "A")
        assert "attempt left" in await reply_text(world, bob, first, "B")
        assert "is right" in await reply_text(world, bob, first, "A")
        await reply_text(world, carol, first, "C")
        await reply_text(world, carol, first, "D")
        await closed(world, first, within=5)
        second = await next_question(world, 2)  # cubic-grad: B
        assert "is right" in await reply_text(world, alice, second, "B")
        for member, choices in ((bob, "CD"), (carol, "AC")):
            for choice in choices:
                await reply_text(world, member, second, choice)
        await closed(world, second, within=5)
        await podium(world)

        with read_database(world.database) as db:
            stored = dict(db.execute("SELECT user_id, SUM(points) FROM results GROUP BY user_id").fetchall())
        assert stored[alice.id] > stored[bob.id] > stored[carol.id] == 0

        board = await leaderboard(world, bob)
        shown = rows(board)
        assert [int(str(r["user"])) for r in shown] == [alice.id, bob.id, carol.id]
        assert [int(str(r["points"]).replace(",", "")) for r in shown] == [
            stored[alice.id],
            stored[bob.id],
            stored[carol.id],
        ]
        assert [r["acc"] for r in shown] == ["100", "50", "0"] and {r["n"] for r in shown} == {"2"}
        assert [bool(r["mine"]) for r in shown] == [False, True, False]  # the caller's row is marked
        assert "Page 1/1 · 3 members" in footer(board) and "privacy" not in footer(board)
        assert disabled(board) == {"First": True, "Previous": True, "Next": True, "Last": True, "Me": False}

        by_accuracy = await leaderboard(world, alice, sort="accuracy", period="week")
        assert "Nobody is on this board yet" in by_accuracy.text  # two answers each: fewer than five
        assert "at least 5" in footer(by_accuracy)
        assert "You're not on this board: it needs 5 ranked answers" in by_accuracy.text


async def test_paging_me_and_restart_on_a_board_of_25(world: World) -> None:
    fake = world.fake
    alice, bob = world.members["alice"], world.members["bob"]
    others = [fake.add_member(world.guild_id, f"member{i:02}") for i in range(24)]
    # alice comes 23rd of 25: two members below her.
    players = [*others[:22], alice, *others[22:]]
    scores = [(user.id, 2000 - 50 * index, 5 - index % 3) for index, user in enumerate(players)]
    await seed(world.database, world.guild_id, scores)
    env = world.env()
    async with run_bot_process(fake, env):
        board = await leaderboard(world, alice)
        first_page = rows(board)
        assert [r["rank"] for r in first_page[:3]] == ["🥇", "🥈", "🥉"] and len(first_page) == 10
        assert first_page[3]["rank"] == "`#4`" and not any(r["mine"] for r in first_page)
        assert [int(str(r["user"])) for r in first_page] == [u.id for u in players[:10]]
        assert "Page 1/3 · 25 members" in footer(board)
        assert "You're #23, on page 3" in board.text
        assert disabled(board) == {"First": True, "Previous": True, "Next": False, "Last": False, "Me": False}
        assert all(len(custom_id) <= 100 for custom_id in board.custom_ids)

        await page_to(world, alice, board, "Next")
        assert [r["rank"] for r in rows(board)] == [f"`#{n}`" for n in range(11, 21)]
        assert "Page 2/3" in footer(board)
        assert disabled(board) == {"First": False, "Previous": False, "Next": False, "Last": False, "Me": False}

        await page_to(world, alice, board, "Last")
        last = rows(board)
        assert [int(str(r["user"])) for r in last] == [u.id for u in players[20:]]
        assert [bool(r["mine"]) for r in last] == [False, False, True, False, False]
        assert "Page 3/3" in footer(board) and "You're #" not in board.text
        assert disabled(board) == {"First": False, "Previous": False, "Next": True, "Last": True, "Me": False}

        await page_to(world, alice, board, "First")
        assert "Page 1/3" in footer(board)
        await page_to(world, alice, board, "Me")
        assert "Page 3/3" in footer(board) and any(r["mine"] for r in rows(board))
        await page_to(world, alice, board, "Previous")
        assert "Page 2/3" in footer(board)

        # Someone else's board: refused privately, and the board does not move.
        edits = len(board.edits)
        refused = await private_reply(world, bob, board, "Next")
        assert refused == "This board belongs to someone else; run /leaderboard for your own."
        assert len(board.edits) == edits and "Page 2/3" in footer(board)

        # "Me" for a member with no ranked answer says so privately.
        own = await leaderboard(world, bob)
        assert "You're not on this board yet" in own.text
        assert "not on this board" in await private_reply(world, bob, own, "Me")

    # The buttons are routed by custom_id alone: they still page after a restart.
    async with run_bot_process(fake, env):
        await page_to(world, alice, board, "Next")
        assert "Page 3/3" in footer(board)
        # By accuracy, over the last week and one pack: everyone has five answers.
        accurate = await leaderboard(world, alice, sort="accuracy", period="week", pack=PACK)
        percentages = [int(str(r["acc"])) for r in rows(accurate)]
        assert percentages == sorted(percentages, reverse=True) and percentages[0] == 100
        assert "at least 5 answers" in footer(accurate) and "Autograd Basics" in accurate.text
        autocomplete = await fake.autocomplete(alice, "leaderboard", {"pack": "autog"}, focused="pack")
        names = [choice["value"] for choice in (await autocomplete.response()).data["choices"]]
        assert PACK in names


async def test_periods_leave_out_older_results(world: World) -> None:
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    now = time.time()
    await seed(world.database, world.guild_id, [(alice.id, 500, 5)], at=now - 3600)
    await seed(world.database, world.guild_id, [(bob.id, 900, 5)], at=now - 10 * 24 * 3600)
    await seed(world.database, world.guild_id, [(carol.id, 700, 5)], at=now - 40 * 24 * 3600)
    async with run_bot_process(world.fake, world.env()):
        ranked = {
            period: [int(str(r["user"])) for r in rows(await leaderboard(world, alice, period=period))]
            for period in ("week", "month", "all")
        }
        assert ranked == {
            "week": [alice.id],
            "month": [bob.id, alice.id],
            "all": [bob.id, carol.id, alice.id],
        }
        refused = await world.fake.slash(alice, "leaderboard", {"pack": "no-such-pack"}, channel_id=world.channel_id)
        reply = await refused.response()
        assert reply.message is not None and reply.message.ephemeral and "no pack called" in reply.message.text
