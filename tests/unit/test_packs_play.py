"""`packs play`: end to end through a subprocess fed on stdin, plus in-process runs with a fake clock.

The subprocess tests run `python -m bot packs play` itself. Deadlines are tested in-process, where the clock
is scripted, so no test sleeps.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.packs import Pack
from bot.packs.models import Question
from bot.packs.play import UnknownPack, find_pack
from bot.packs.play_console import Console
from bot.packs.play_session import PlaySession
from bot.sandbox import CaseResult, Outcome, Result
from bot.sandbox.grader import Grade
from tests.conftest import CHALLENGES, ROOT

SQUARE_GRAD = """import torch


def square_grad(values):
    x = torch.tensor(values, requires_grad=True)
    (x ** 2).sum().backward()
    return x.grad
"""


def play(*args: str, stdin: str, env: dict[str, str] | None = None, cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TORCHQUIZ_")}
    clean.update(PYTHONPATH=str(ROOT), TORCHQUIZ_PACKS_DIR=str(CHALLENGES), PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "bot", "packs", "play", *args],
        input=stdin,
        env={**clean, **(env or {})},
        cwd=cwd,  # a folder without a .env, so only the settings given here apply
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def lines(*answers: str) -> str:
    return "".join(f"{answer}\n" for answer in answers)


def awarded(stdout: str) -> list[int]:
    return [int(points) for points in re.findall(r"✓ Correct: \+(\d+) points", stdout)]


def summary_value(stdout: str, name: str) -> str:
    match = re.search(rf"^  {name}:\s+(.+)$", stdout, re.MULTILINE)
    assert match is not None, f"no {name!r} line in the summary:\n{stdout}"
    return match.group(1)


# -- end to end, multiple choice -------------------------------------------------------------------------------


def test_perfect_run_earns_streak_bonuses_and_the_badge(tmp_path: Path) -> None:
    done = play("autograd-basics", stdin=lines("A", "B", "A", "C", "D"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Problem 1/5 · Conceptual · Intermediate · 100 points" in out
    assert "Problem 5/5 · Debug · Expert · 200 points" in out
    assert "you have 120 s" in out
    assert "    x = torch.tensor(2.0, requires_grad=True)" in out  # the code, indented
    assert "B. 14.0" in out
    assert awarded(out) == [100, 110, 180, 195, 280]
    assert summary_value(out, "correct") == "5/5"
    assert summary_value(out, "points") == "865"
    assert summary_value(out, "best streak") == "5"
    assert "Badge earned: 🧠 Automatic Differentiation Master" in out
    assert "Correct answer: B. 14.0" in out
    assert "Why: z = x³ + 2x" in out
    assert "\033[" not in out  # no colours when stdout is not a terminal


def test_wrong_then_right_with_a_hint_earns_half_minus_the_hint(tmp_path: Path) -> None:
    done = play("autograd-basics", stdin=lines("h", "B", "A", "B", "A", "C", "D"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Hint: Think about what an optimizer needs to know" in out
    assert "(a correct answer now earns 25 points less)" in out
    assert "✗ B is wrong: 1 attempt left, 120 s to go." in out
    # second attempt: 100 / 2 = 50, minus a quarter of the base for the hint = 25; the streak then builds on 1.
    assert "✓ Correct: +25 points (attempt 2: half, hint −25)" in out
    assert awarded(out) == [25, 110, 180, 195, 280]
    assert summary_value(out, "points") == "790"
    assert summary_value(out, "correct") == "5/5"


def test_last_wrong_attempt_closes_the_problem_and_breaks_the_streak(tmp_path: Path) -> None:
    done = play("autograd-basics", stdin=lines("A", "A", "C", "A"), cwd=tmp_path)
    out = done.stdout
    assert "✗ C is wrong, and that was your last attempt." in out
    assert "✗ Wrong: 0 points" in out
    assert "Correct answer: B. 14.0" in out
    assert awarded(out) == [100, 150]  # problem 3 after a miss: no streak bonus
    assert summary_value(out, "best streak") == "1"


def test_invalid_input_is_explained_and_asked_again(tmp_path: Path) -> None:
    done = play("autograd-basics", stdin=lines("x", "", "E", "AB", "B", "B", "A"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "'x' is not an answer: type a letter A–D, h, s or q." in out
    assert "An empty line is not an answer: type a letter A–D, h, s or q." in out
    assert "'E' is not an answer: type a letter A–D, h, s or q." in out
    assert "'AB' is not an answer" in out
    assert "You already tried B; pick another answer." in out
    assert awarded(out) == [50]  # invalid lines cost nothing: A is the second real attempt
    assert "Stopped at problem 2/5: end of input." in out


def test_skip_counts_as_a_miss(tmp_path: Path) -> None:
    done = play("autograd-basics", stdin=lines("s", "B", "A", "C", "D"), cwd=tmp_path)
    out = done.stdout
    assert "✗ Skipped: 0 points" in out
    assert "Correct answer: A. It works out" in out
    assert awarded(out) == [100, 165, 180, 260]
    assert summary_value(out, "correct") == "4/5"
    assert summary_value(out, "points") == "705"
    assert "Badge earned" not in out
    assert "No badge this time" in out


def test_quit_midway_prints_the_summary_so_far(tmp_path: Path) -> None:
    done = play("autograd-basics", stdin=lines("A", "B", "q", "A"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Stopped at problem 3/5: you quit." in out
    assert "Problem 4/5" not in out
    assert "Correct answer: A. A linear model" not in out  # the open problem is not revealed
    assert summary_value(out, "correct") == "2/5"
    assert summary_value(out, "points") == "210"
    assert summary_value(out, "finished") == "2 of 5 problems (stopped early)"
    assert "Badge earned" not in out


def test_end_of_input_ends_like_quit(tmp_path: Path) -> None:
    done = play("autograd-basics", stdin="A\n", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Stopped at problem 2/5: end of input." in done.stdout
    assert summary_value(done.stdout, "correct") == "1/5"
    assert summary_value(done.stdout, "points") == "100"


def test_a_pack_file_path_plays_too(tmp_path: Path) -> None:
    done = play(str(CHALLENGES / "autograd-basics.yaml"), "--time-scale", "0.5", stdin="A\n", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "you have 60 s" in done.stdout
    assert awarded(done.stdout) == [100]


def test_no_timer_says_so(tmp_path: Path) -> None:
    done = play("autograd-basics", "--no-timer", stdin="A\n", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "no time limit" in done.stdout and "you have" not in done.stdout


# -- failures --------------------------------------------------------------------------------------------------


def test_unknown_pack_exits_1_with_one_clear_line(tmp_path: Path) -> None:
    done = play("no-such-pack", stdin="", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("torchquiz: unknown pack 'no-such-pack': it is not a file, and no pack in ")
    assert "autograd-basics" in line  # the ids that do exist


def test_bad_pack_file_prints_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: Bad Id\ntitle: t\ndescription: d\nauthor: a\nquestions: []\n", encoding="utf-8")
    done = play(str(bad), stdin="", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    err = done.stderr.splitlines()
    assert err[0] == f"torchquiz: cannot play {bad}:"
    assert any(line.startswith(f"  {bad}, field 'id'") for line in err)
    assert any(line.startswith(f"  {bad}, field 'questions'") for line in err)


def test_missing_pack_file_exits_1(tmp_path: Path) -> None:
    done = play(str(tmp_path / "nope.yaml"), stdin="", cwd=tmp_path)
    assert done.returncode == 1
    assert "nope.yaml: cannot be read" in done.stderr


@pytest.mark.parametrize(
    "args", [("autograd-basics", "--time-scale", "0"), ("autograd-basics", "--no-timer", "--time-scale", "2"), ()]
)
def test_usage_errors_exit_2(tmp_path: Path, args: Sequence[str]) -> None:
    done = play(*args, stdin="", cwd=tmp_path)
    assert done.returncode == 2
    assert "usage: python -m bot packs play" in done.stderr


# -- code problems -----------------------------------------------------------------------------------------------


@pytest.mark.sandbox
def test_code_problem_runs_in_the_real_sandbox(tmp_path: Path) -> None:
    # Problem 1: B. Problem 2 (square-grad): the starter (a lone "."), the same again, then a solution.
    stdin = lines("B", ".", ".") + SQUARE_GRAD + lines(".", "q")
    done = play(str(CHALLENGES / "autograd-in-code.yaml"), stdin=stdin, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Starting the sandbox for code problems…" in out
    assert "Starter code:" in out and "    def square_grad(values):" in out
    assert "(empty submission: running the starter)" in out
    assert "0/3 cases passed" in out
    assert "✗ gradient at a single negative value: expected tensor([-" in out  # the value is drawn per seed
    assert "✗ Not passing yet: 2 attempts left" in out
    assert "You already submitted exactly this code" in out  # the repeat used no attempt and no run
    assert out.count("0/3 cases passed") == 1
    assert re.search(r"✓ gradient of sum\(x²\)[^:]*: expected (tensor\(\[[^]]+\]\)), got \1", out), out
    assert "3/3 cases passed" in out
    # second attempt of a beginner problem: 50 / 2 = 25, +10% for the streak of one = 27.5, rounded up.
    assert awarded(out) == [100, 28]
    assert "A reference solution:" in out


def test_code_problems_are_skipped_when_the_sandbox_is_off(tmp_path: Path) -> None:
    env = {"TORCHQUIZ_SANDBOX_ENABLED": "false"}
    done = play(str(CHALLENGES / "autograd-in-code.yaml"), stdin=lines("B", "q"), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "The sandbox is unavailable (it is switched off by TORCHQUIZ_SANDBOX_ENABLED=false)" in out
    assert "✗ Skipped: 0 points" in out
    assert "Starting the sandbox" not in out


# -- in process: deadlines with a scripted clock ------------------------------------------------------------------


class Script:
    """Lines typed at given real times (seconds after the start), a clock that follows them, and the output."""

    def __init__(self, typed: Sequence[tuple[float, str]]) -> None:
        self.typed = list(typed)
        self.time = 0.0
        self.out: list[str] = []

    def read_line(self, prompt: str) -> str | None:
        if not self.typed:
            return None
        self.time, line = self.typed.pop(0)
        return line

    def clock(self) -> float:
        return self.time

    @property
    def text(self) -> str:
        return "\n".join(self.out)


class FakeGrader:
    def __init__(self, passed: bool = True) -> None:
        self.passed = passed
        self.graded: list[str] = []

    def start(self) -> str | None:
        return None

    def grade(self, code: str, question: Question) -> Grade:
        self.graded.append(code)
        return Grade(Result(Outcome.OK), cases=(CaseResult("works", self.passed, "1", "1" if self.passed else "0"),))


def session(pack: Pack, script: Script, *, time_scale: float | None = 1.0, grader: Any = None) -> PlaySession:
    console = Console(read_line=script.read_line, write=script.out.append)
    return PlaySession(pack, console, grader=grader or FakeGrader(), clock=script.clock, time_scale=time_scale)


def test_a_line_after_the_deadline_closes_the_problem(autograd_pack: Pack) -> None:
    script = Script([(121.0, "A"), (122.0, "B")])
    played = session(autograd_pack, script)
    summary = played.play()
    assert "⏱ Time's up: that line came after the deadline." in script.text
    assert "✗ No answer in time: 0 points" in script.text
    assert "Correct answer: A." in script.text
    first = played.run.results[0]
    assert first.timed_out and first.attempts == 0  # the late "A" was not recorded as an attempt
    assert summary.correct == 1 and summary.points == 100  # problem 2 opened at 121 s and was answered in time


def test_time_scale_shortens_deadlines(autograd_pack: Pack) -> None:
    script = Script([(59.0, "A"), (121.0, "B")])
    summary = session(autograd_pack, script, time_scale=0.5).play()
    assert "you have 60 s" in script.text
    assert awarded(script.text) == [100]  # A at 59 s beat 60 s; B 62 s after problem 2 opened did not
    assert script.text.count("⏱ Time's up") == 1
    assert summary.correct == 1


def test_no_timer_never_expires(autograd_pack: Pack) -> None:
    script = Script([(10_000.0, "A"), (20_000.0, "B")])
    session(autograd_pack, script, time_scale=None).play()
    assert "Time's up" not in script.text
    assert awarded(script.text) == [100, 110]


def code_pack() -> Pack:
    return find_pack(str(CHALLENGES / "autograd-in-code.yaml"), CHALLENGES)


def test_late_code_submission_is_not_run_and_does_not_spill_into_the_next_problem() -> None:
    pack = code_pack()
    grader = FakeGrader()
    # Problem 1 answered at once; the code problem (300 s) opens at 1 s and is finished at 400 s.
    script = Script([(1.0, "B"), (100.0, "def square_grad(values):"), (400.0, "    return None"), (400.0, ".")])
    script.typed.append((401.0, "q"))
    session(pack, grader=grader, script=script).play()
    assert grader.graded == []
    assert "⏱ Time's up" in script.text
    assert "✗ No answer in time: 0 points" in script.text
    assert "Stopped at problem 3/" in script.text  # "q" reached problem 3, not the code reader


def test_code_submission_graded_by_the_grader(tmp_path: Path) -> None:
    pack = code_pack()
    grader = FakeGrader(passed=False)
    script = Script([(1.0, "B"), (2.0, "x = 1"), (2.0, "."), (3.0, "h"), (4.0, "x = 2"), (4.0, ".")])
    session(pack, grader=grader, script=script).play()
    assert grader.graded == ["x = 1", "x = 2"]
    assert "✗ works: expected 1, got 0" in script.text
    assert "0/1 cases passed" in script.text
    assert "✗ Not passing yet: 2 attempts left" in script.text
    assert "Hint: Reduce to a scalar" in script.text
    assert "✗ Not passing yet: 1 attempt left" in script.text


def test_find_pack_by_id_path_or_file_name_in_the_packs_folder(tmp_path: Path) -> None:
    by_id = find_pack("autograd-basics", CHALLENGES)
    assert find_pack(str(CHALLENGES / "autograd-basics.yaml"), tmp_path) == by_id
    assert find_pack("autograd-basics.yaml", CHALLENGES) == by_id
    with pytest.raises(UnknownPack, match="no pack in"):
        find_pack("autograd", CHALLENGES)
