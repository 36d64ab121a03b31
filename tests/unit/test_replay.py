"""Rebuilding plays from stored rows (`bot.engine.replay`): the state after a restart is the state before it."""

from __future__ import annotations

import subprocess
import sys

from bot.engine import ChallengeRun
from bot.engine.replay import StoredRound, replay_run
from bot.packs import Pack
from tests.conftest import ROOT


def test_a_replayed_run_has_the_same_points_streak_and_open_problem(autograd_pack: Pack) -> None:
    live = ChallengeRun("abc", autograd_pack, 7)
    first = live.open_next(0.0)
    assert first is not None
    live.take_hint(first.round_id, 1.0)
    live.answer(first.round_id, "B", 2.0)  # wrong
    live.answer(first.round_id, "A", 3.0)  # right on the second attempt, after a hint
    second = live.open_next(3.0)
    assert second is not None
    live.answer(second.round_id, "C", 10.0)  # wrong, one attempt left: still open

    rounds = [
        StoredRound(first.round_id, first.opened_at, first.deadline, first.closed_at),
        StoredRound(second.round_id, second.opened_at, second.deadline, None),
    ]
    attempts = [
        (first.round_id, "B", False, 2.0),
        (first.round_id, "A", True, 3.0),
        (second.round_id, "C", False, 10.0),
    ]
    hints = [(first.round_id, 1.0)]
    rebuilt = ChallengeRun("abc", autograd_pack, 7)
    replay_run(rebuilt, rounds, attempts, hints)

    assert [(r.correct, r.points, r.attempts, r.hints) for r in rebuilt.results] == [
        (r.correct, r.points, r.attempts, r.hints) for r in live.results
    ]
    assert rebuilt.streak == live.streak == 1
    assert rebuilt.current is not None and rebuilt.current.round_id == second.round_id
    assert rebuilt.current.closed_at is None
    assert rebuilt.current.progress(7).tried == ["C"]
    # The resumed problem answers as the live one would: a right answer now earns the second-attempt points.
    assert rebuilt.answer(second.round_id, "B", 11.0).points == live.answer(second.round_id, "B", 11.0).points


def test_a_stored_close_closes_the_problem_as_missed(autograd_pack: Pack) -> None:
    run = ChallengeRun("abc", autograd_pack, 7)
    deadline = 120.0
    replay_run(run, [StoredRound("abc-0", 0.0, deadline, deadline)], [], [])
    assert run.current is not None and run.current.closed_at == deadline
    assert run.results[0].timed_out and not run.results[0].correct


def test_importing_the_engine_loads_no_yaml_machinery() -> None:
    probe = "import sys, bot.engine; print('yaml' in sys.modules, 'bot.packs.loader' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
