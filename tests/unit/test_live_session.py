from __future__ import annotations

import pytest

from bot.engine import QuestionClosed
from bot.engine.live import LiveSession, Phase, SessionEnded
from bot.packs import Pack
from bot.storage import LiveSnapshot, RoundRow
from cogs.quiz._restore import replay

ANSWERS = ["A", "B", "A", "C", "D"]


def session_of(pack: Pack, count: int = 5) -> LiveSession:
    return LiveSession("s1", pack, list(pack.questions[:count]), time_limit=20)


def test_speed_streak_counts_and_fastest(autograd_pack: Pack) -> None:
    live = session_of(autograd_pack)
    for member in (1, 2, 3):
        live.join(member, 0.0)
    first = live.open_next(100.0)
    assert live.answer(first.round_id, 1, "A", 100.0).points == 100
    assert live.answer(first.round_id, 2, "A", 110.0).points == 75  # half-way: 75%
    live.answer(first.round_id, 3, "B", 101.0)
    assert not live.everyone_done()
    live.answer(first.round_id, 3, "C", 102.0)
    assert live.everyone_done()
    reveal = live.close_current(103.0)
    assert reveal.counts == {"A": 2, "B": 1, "C": 1, "D": 0}
    assert reveal.fastest == (1, 0.0)
    assert [(r.member_id, r.correct, r.points) for r in reveal.results] == [
        (1, True, 100),
        (2, True, 75),
        (3, False, 0),
    ]

    second = live.open_next(200.0)
    assert live.answer(second.round_id, 1, "B", 200.0).points == 110  # one correct before: +10%
    assert live.answer(second.round_id, 3, "B", 200.0).points == 100  # streak broken by the miss
    with pytest.raises(QuestionClosed):
        live.answer(first.round_id, 2, "A", 201.0)
    live.close_current(201.0)
    assert [s.member_id for s in live.standings()] == [1, 3, 2]


def test_answering_joins_and_hints_cost(autograd_pack: Pack) -> None:
    live = session_of(autograd_pack, 1)
    current = live.open_next(0.0)
    assert live.take_hint(current.round_id, 9, 0.0).charged
    assert 9 in live.participants
    assert live.answer(current.round_id, 9, "A", 0.0).points == 75


def test_badge_only_for_a_perfect_run_of_the_whole_pack(autograd_pack: Pack) -> None:
    live = session_of(autograd_pack)
    live.join(1, 0.0)
    live.join(2, 0.0)
    for index, letter in enumerate(ANSWERS):
        current = live.open_next(index * 100.0)
        live.answer(current.round_id, 1, letter, index * 100.0 + 1)
        live.answer(current.round_id, 2, letter if index else "B", index * 100.0 + 1)
        live.close_current(index * 100.0 + 2)
    summary = live.summary()
    assert summary.badge is not None and summary.badge_winners == (1,)
    assert live.phase is Phase.FINISHED

    partial = session_of(autograd_pack, 2)
    partial.join(1, 0.0)
    for index, letter in enumerate(ANSWERS[:2]):
        current = partial.open_next(index * 100.0)
        partial.answer(current.round_id, 1, letter, index * 100.0 + 1)
        partial.close_current(index * 100.0 + 2)
    assert partial.summary().badge is None  # two of five questions is not the whole pack


def test_stop_closes_the_open_question_and_ends(autograd_pack: Pack) -> None:
    live = session_of(autograd_pack)
    live.join(1, 0.0)
    current = live.open_next(0.0)
    live.answer(current.round_id, 1, "A", 1.0)
    reveal = live.stop(2.0)
    assert reveal is not None and reveal.results[0].correct
    with pytest.raises(SessionEnded):
        live.join(2, 3.0)


def test_replay_rebuilds_the_same_points(autograd_pack: Pack) -> None:
    live = session_of(autograd_pack, 2)
    live.join(1, 0.0)
    live.join(2, 0.5)
    first = live.open_next(10.0)
    live.take_hint(first.round_id, 2, 11.0)
    live.answer(first.round_id, 1, "A", 12.0)
    live.answer(first.round_id, 2, "B", 13.0)
    live.answer(first.round_id, 2, "A", 14.0)
    live.close_current(15.0)
    second = live.open_next(20.0)
    live.answer(second.round_id, 1, "B", 25.0)
    snapshot = LiveSnapshot(
        play_id="s1",
        guild_id=1,
        channel_id=2,
        owner_id=3,
        pack_id=autograd_pack.id,
        started_at=0.0,
        question_ids=tuple(q.id for q in live.questions),
        time_limit=20,
        lobby_message_id=None,
        participants=((1, 0.0), (2, 0.5)),
        rounds=(
            RoundRow(first.round_id, 0, first.question.id, 10.0, first.deadline, 15.0, None),
            RoundRow(second.round_id, 1, second.question.id, 20.0, second.deadline, None, None),
        ),
        attempts=(
            (first.round_id, 1, "A", 12.0),
            (first.round_id, 2, "B", 13.0),
            (first.round_id, 2, "A", 14.0),
            (second.round_id, 1, "B", 25.0),
        ),
        hints=((first.round_id, 2, 11.0),),
    )
    rebuilt = replay(snapshot, autograd_pack, now=27.0)
    live.close_current(27.0)
    assert [(s.member_id, s.points) for s in rebuilt.standings()] == [(s.member_id, s.points) for s in live.standings()]
    assert rebuilt.reveals[-1].round.closed_at == 27.0
