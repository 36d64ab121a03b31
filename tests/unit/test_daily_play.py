"""The daily play without Discord: replaying a round, storing each member's end once, closing the day, the embeds."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

import discord

from bot.domain.plays import PlayMode
from bot.domain.questions import Question
from bot.engine import QuestionRound
from bot.engine.review import ReviewScheduler
from bot.engine.scoring import score_correct
from bot.packs import Pack
from bot.play.finish import Finisher
from bot.storage import DailyPost, DailyStreak, Store
from cogs.daily._embeds import closed_embed, daily_question_embed, result_embed, streak_line
from cogs.daily._play import DailyPlay, rebuild_round, round_id_of
from tests.sql import query

if TYPE_CHECKING:
    from bot.client import TorchQuizBot

GUILD, DAY, PLAY = 100, "2025-07-01", "d41a1"
OPENED, DEADLINE = 1000.0, 50_000.0
ALICE, BOB, CAROL, DAVE = 1, 2, 3, 4

# (member, choice, correct, time) as stored, deliberately out of order; why-autodiff's answer is A.
CLICKS = [(BOB, "C", False, 40.0), (ALICE, "A", True, 30.0), (CAROL, "B", False, 50.0), (ALICE, "B", False, 20.0)]
CLICKS += [(CAROL, "C", False, 60.0)]
HINTS = [(DAVE, 70.0), (ALICE, 10.0)]


def live_round(question: Question) -> QuestionRound:
    current = QuestionRound(round_id_of(PLAY), question, opened_at=OPENED, time_limit=DEADLINE - OPENED, attempts=2)
    return current


def test_a_rebuilt_round_is_the_round_members_left(autograd_pack: Pack) -> None:
    question = autograd_pack.questions[0]
    live = live_round(question)
    live.take_hint(ALICE, OPENED + 10)
    live.answer(ALICE, "B", OPENED + 20)
    live.answer(ALICE, "A", OPENED + 30)
    live.answer(BOB, "C", OPENED + 40)
    live.answer(CAROL, "B", OPENED + 50)
    live.answer(CAROL, "C", OPENED + 60)
    live.take_hint(DAVE, OPENED + 70)

    rebuilt = rebuild_round(
        round_id_of(PLAY),
        question,
        opened_at=OPENED,
        deadline=DEADLINE,
        attempts=2,
        clicks=[(m, c, ok, OPENED + t) for m, c, ok, t in CLICKS],
        hints=[(m, OPENED + t) for m, t in HINTS],
    )
    assert rebuilt.deadline == DEADLINE
    assert rebuilt.members == live.members
    alice = rebuilt.members[ALICE]
    assert alice.correct and alice.points == score_correct(question.difficulty, attempt=2, hints=1).points
    assert not rebuilt.members[BOB].finished and rebuilt.members[CAROL].finished
    assert rebuilt.choice_counts() == live.choice_counts()


def test_clicks_the_engine_refuses_are_skipped(autograd_pack: Pack) -> None:
    question = autograd_pack.questions[0]
    rebuilt = rebuild_round(
        round_id_of(PLAY),
        question,
        opened_at=OPENED,
        deadline=DEADLINE,
        attempts=2,
        clicks=[(ALICE, "A", True, OPENED + 1), (ALICE, "B", False, OPENED + 2), (BOB, "A", True, DEADLINE + 1)],
        hints=[],
    )
    assert rebuilt.members[ALICE].tried == ["A"]  # already right: the second click never counted
    assert BOB not in rebuilt.members  # after the deadline


# -- with a real database ----------------------------------------------------------------------------------


async def daily_play(store: Store, pack: Pack, now: list[float]) -> tuple[DailyPlay, list[DailyPlay]]:
    question = pack.questions[0]
    await store.claim_daily_post(
        GUILD, DAY, pack_id=pack.id, question_id=question.id, play_id=PLAY, channel_id=5, posted_at=OPENED
    )
    await store.open_round(
        round_id_of(PLAY), play_id=PLAY, position=0, question_id=question.id, opened_at=OPENED, deadline=DEADLINE
    )
    scheduler = ReviewScheduler(enable_fuzzing=False)
    ended: list[DailyPlay] = []
    bot = SimpleNamespace(clock=lambda: now[0], store=store, finisher=Finisher(store, scheduler))
    post = DailyPost(GUILD, DAY, pack.id, question.id, PLAY, 5, None, OPENED)
    play = DailyPlay(cast("TorchQuizBot", bot), post, pack, live_round(question), on_end=ended.append)
    return play, ended


async def test_a_members_end_is_stored_once_however_often_it_is_recorded(
    store: Store, autograd_pack: Pack, tmp_path: Path
) -> None:
    now = [OPENED + 30]
    play, _ = await daily_play(store, autograd_pack, now)
    play.round.answer(ALICE, "A", OPENED + 30)
    streak, card = await play.record_finished(ALICE)
    now[0] = OPENED + 500  # a restart stores it again, later
    again, _ = await play.record_finished(ALICE)
    assert streak == again == DailyStreak(ALICE, GUILD, 1, 1, DAY)
    assert card is not None and card.due > OPENED
    assert await query(store, "SELECT user_id, correct, points, created_at FROM results") == [
        (ALICE, 1, 100, OPENED + 30)
    ]
    assert await query(store, "SELECT user_id, mode FROM review_logs") == [(ALICE, PlayMode.DAILY.value)]


async def test_closing_the_day_gives_members_who_started_a_missed_result(
    store: Store, autograd_pack: Pack, tmp_path: Path
) -> None:
    now = [OPENED + 30]
    play, ended = await daily_play(store, autograd_pack, now)
    play.round.answer(ALICE, "A", OPENED + 30)
    await play.record_finished(ALICE)
    play.round.answer(BOB, "C", OPENED + 40)  # one attempt left when the day ends
    play.round.take_hint(DAVE, OPENED + 50)  # only looked at the hint

    await play.close(DEADLINE + 120)  # the poster looked a little after midnight
    await play.close(DEADLINE + 240)  # and a second close changes nothing
    assert await query(
        store, "SELECT user_id, correct, points, attempts, hints, created_at FROM results ORDER BY 1"
    ) == [
        (ALICE, 1, 100, 1, 0, OPENED + 30),
        (BOB, 0, 0, 1, 0, DEADLINE),
        (DAVE, 0, 0, 0, 1, DEADLINE),
    ]
    assert await query(store, "SELECT closed_at FROM rounds") == [(DEADLINE,)]
    assert await query(store, "SELECT status, ended_at FROM plays") == [("finished", DEADLINE)]
    assert play.ended and ended == [play]
    assert await query(store, "SELECT COUNT(*) FROM daily_streaks") == [(1,)]  # a miss never touches a streak


# -- embeds ------------------------------------------------------------------------------------------------


def longest_question(pack: Pack) -> Question:
    """A question at every length limit of the pack format."""
    return pack.questions[0].model_copy(
        update={
            "prompt": "p" * 1000,
            "code": "c" * 1500,
            "choices": ["x" * 200] * 5,
            "answer": "E",
            "explanation": "e" * 1000,
            "hint": "h" * 500,
        }
    )


def test_every_embed_fits_discords_limits_at_the_formats_longest(autograd_pack: Pack) -> None:
    current = live_round(longest_question(autograd_pack))
    current.answer(ALICE, "E", OPENED + 1)
    streak = DailyStreak(ALICE, GUILD, 12, 30, DAY)
    shown = [daily_question_embed(current, DAY), result_embed(current, DAY, correct=True, streak=streak)]
    for embed in [*shown, closed_embed(current, DAY, right=1, finished=1)]:
        assert embed.description is not None and len(embed.description) <= 4096
        assert len(embed) <= 6000
    assert sum(len(embed) for embed in shown) <= 6000  # /daily sends these two in one message
    assert isinstance(shown[0], discord.Embed)


def test_streak_lines() -> None:
    assert streak_line(DailyStreak(1, GUILD, 3, 5, DAY), correct=True) == "🔥 3-day streak · best 5"
    assert streak_line(DailyStreak(1, GUILD, 5, 5, DAY), correct=True) == "🔥 5-day streak · a new best!"
    assert streak_line(DailyStreak(1, GUILD, 1, 1, DAY), correct=True) == "🔥 1-day streak"
    assert "ends here" in streak_line(DailyStreak(1, GUILD, 4, 4, "2025-06-30"), correct=False)
    assert "No daily streak yet" in streak_line(DailyStreak(1, GUILD, 0, 2, None), correct=False)
