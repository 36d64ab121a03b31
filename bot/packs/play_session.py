"""The terminal session behind `python -m bot packs play`: the bot's `ChallengeRun`, driven by typed lines.

Why a separate module: `play.py` is the command (arguments, finding the pack, the real sandbox); this is the
loop, and it touches the outside world only through a `Console`, a clock and a `Grader`. Tests drive it
in-process with scripted lines and a fake clock, so deadlines are tested without sleeping, and the engine stays
pure: every rule (attempts, hints, scoring, streaks, the badge) is the engine's, never re-implemented here.

Time: the engine counts in "engine seconds" (a pack's `time_limit`). With a timer, engine time is real time
divided by the time scale, so `--time-scale 0.5` halves every deadline without touching the pack. Without a
timer engine time stands still, so no deadline ever passes. The deadline is checked when a line arrives (the
terminal has no way to interrupt a blocked read), as the Discord layer checks it when a click arrives.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable

from bot.engine.challenge import ChallengeRun, ChallengeSummary, QuestionResult
from bot.engine.errors import QuizError
from bot.engine.round import AnswerOutcome, QuestionRound
from bot.engine.scoring import base_points
from bot.packs.models import LETTERS, Pack
from bot.packs.play_console import Console, Grader, Style, hint_cost, indent, plural
from bot.sandbox import Outcome
from bot.sandbox.grader import Grade

MEMBER_ID = 0
"""The one player of a terminal session; the engine keys progress by member."""

RUN_ID = "play"
OUTPUT_LINES = 20
"""How much of a submission's printed output is echoed; the cases are what grade it."""

TYPE_NAMES = {
    "conceptual": "Conceptual",
    "predict_output": "Predict the output",
    "model_choice": "Model choice",
    "hyperparameter": "Hyperparameter",
    "metrics": "Metrics",
    "debug": "Debug",
    "code": "Code",
}


class PlaySession:
    """One player's pass through a pack in a terminal; `play()` returns the engine's summary."""

    def __init__(
        self,
        pack: Pack,
        console: Console,
        *,
        grader: Grader,
        clock: Callable[[], float] = time.monotonic,
        time_scale: float | None = 1.0,
    ) -> None:
        if time_scale is not None and not time_scale > 0:
            raise ValueError("time_scale must be positive (or None for no timer)")
        self.pack = pack
        self.console = console
        self.grader = grader
        self.clock = clock
        self.time_scale = time_scale
        self.run = ChallengeRun(RUN_ID, pack, MEMBER_ID)
        self.style = Style(console.color)
        self.quit = False
        self._started_at = clock()
        self._skipped: set[str] = set()
        self._last_outcome: AnswerOutcome | None = None
        self._finished_before_quit: int | None = None

    # -- time --------------------------------------------------------------------------------------------------

    def now(self) -> float:
        """Engine time: real seconds since the start divided by the scale; frozen at 0 without a timer."""
        if self.time_scale is None:
            return 0.0
        return (self.clock() - self._started_at) / self.time_scale

    def _real_seconds(self, engine_seconds: float) -> float:
        return engine_seconds * (self.time_scale or 1.0)

    # -- output helpers ----------------------------------------------------------------------------------------

    def _say(self, text: str = "") -> None:
        self.console.write(text)

    def _wrapped(self, text: str, prefix: str = "") -> None:
        """Wrap to the console, keeping the author's own line breaks (a `|` block in YAML keeps them)."""
        width = max(self.console.width, 40)
        hang = " " * len(prefix)
        wrapped = [
            textwrap.fill(line, width, initial_indent=prefix if number == 0 else hang, subsequent_indent=hang)
            if line.strip()
            else ""
            for number, line in enumerate(text.strip().splitlines())
        ]
        self._say("\n".join(wrapped))

    # -- the run -----------------------------------------------------------------------------------------------

    def play(self) -> ChallengeSummary:
        self._intro()
        while not self.quit:
            upcoming = self.run.index + 1
            if upcoming >= len(self.run.questions):
                break
            question = self.run.questions[upcoming]
            unavailable = self._prepare_sandbox() if question.type == "code" else None
            current = self.run.open_next(self.now())
            if current is None:
                break
            self._play_round(current, unavailable)
        self._summary()
        return self.run.summary()

    def _intro(self) -> None:
        pack = self.pack
        self._say(self.style.strong(f"{pack.title}: {plural(len(pack.questions), 'problem')} by {pack.author}"))
        self._wrapped(pack.description)
        if pack.badge is not None:
            self._say(f"A perfect run earns the badge {pack.badge.emoji} {pack.badge.name}.")
        self._say("Commands: a letter answers, h shows the hint, s skips the problem, q quits.")

    def _prepare_sandbox(self) -> str | None:
        """Start the sandbox before the problem opens, so its warm-up never eats the player's time."""
        return self.grader.start()

    def _play_round(self, current: QuestionRound, unavailable: str | None) -> None:
        self._last_outcome = None
        self._show(current)
        if unavailable is not None:
            self._say(self.style.bad(f"The sandbox is unavailable ({unavailable}); skipping this code problem."))
            self._skip(current)
        while current.closed_at is None and not self.quit:
            if current.question.type == "code":
                self._code_turn(current)
            else:
                self._choice_turn(current)
        if not self.quit:
            self._reveal(current)

    def _show(self, current: QuestionRound) -> None:
        question = current.question
        header = (
            f"Problem {self.run.position}/{len(self.run.questions)} · {TYPE_NAMES[question.type]} · "
            f"{question.difficulty.capitalize()} · {base_points(question.difficulty)} points"
        )
        self._say()
        self._say(self.style.dim("─" * min(len(header), self.console.width)))
        self._say(self.style.strong(header))
        self._wrapped(question.prompt)
        if question.code:
            self._say()
            self._say(indent(question.code))
        if question.starter:
            self._say()
            self._say("Starter code:")
            self._say(indent(question.starter))
        self._say()
        for letter, choice in zip(LETTERS, question.choices or (), strict=False):
            self._wrapped(choice, prefix=f"{letter}. ")
        if question.choices:
            self._say()
        time_text = (
            f"you have {self._real_seconds(current.deadline - current.opened_at):g} s"
            if self.time_scale is not None
            else "no time limit"
        )
        attempts = plural(current.max_attempts, "attempt")
        cost = f"h hint (−{hint_cost(question)} points)"
        if question.type == "code":
            self._say(f"Write your code: {time_text}, {attempts}. End it with a line containing only '.'")
            self._say(f"(a lone '.' submits the starter). On the first line: {cost}, s skip, q quit.")
        else:
            self._say(f"Answer with a letter: {time_text}, {attempts}; {cost}, s skip, q quit.")

    # -- turns: one line (or one code submission) each -----------------------------------------------------

    def _choice_turn(self, current: QuestionRound) -> None:
        line = self.console.read_line("> ")
        if line is None or line.strip().lower() == "q":
            self._quit("end of input" if line is None else "you quit")
            return
        now = self.now()
        if self._expired(now):
            return
        text = line.strip()
        command = text.lower()
        if command == "h":
            self._hint(current, now)
        elif command == "s":
            self._skip(current)
        elif len(text) == 1 and text.upper() in current.letters:
            self._answer(current, text.upper(), now)
        else:
            letters = current.letters
            shown = repr(text) if text else "An empty line"
            self._say(f"{shown} is not an answer: type a letter {letters[0]}–{letters[-1]}, h, s or q.")

    def _code_turn(self, current: QuestionRound) -> None:
        first = self.console.read_line("code> ")
        if first is None or first.strip().lower() == "q":
            self._quit("end of input" if first is None else "you quit")
            return
        command = first.strip().lower()
        if command in {"h", "s"}:
            now = self.now()
            if self._expired(now):
                return
            if command == "h":
                self._hint(current, now)
            else:
                self._skip(current)
            return
        lines: list[str] = []
        line: str | None = first
        while line is not None and line.strip() != ".":
            lines.append(line)
            line = self.console.read_line("...   ")
        if line is None:
            self._quit("end of input (the unfinished submission was not run)")
            return
        # Checked once the submission is complete, so a late submission's lines never spill into the next problem.
        now = self.now()
        if self._expired(now):
            return
        self._submit(current, "\n".join(lines), now)

    def _submit(self, current: QuestionRound, code: str, now: float) -> None:
        question = current.question
        if not code.strip():
            code = question.starter or ""
            self._say("(empty submission: running the starter)")
        try:
            # Refuse a repeat or a closed problem before spending a sandbox run on it.
            self.run.round(current.round_id).check_can_submit(MEMBER_ID, now, code)
        except QuizError as exc:
            self._say(exc.message)
            return
        grade = self.grader.grade(code, question)
        self._show_result(grade)
        if grade.refused or grade.question_broken:
            if grade.run.outcome is Outcome.UNAVAILABLE or grade.question_broken:
                self._say("This code problem cannot be graded now; skipping it.")
                self._skip(current)
            else:
                self._say("That run did not count as an attempt; submit again.")
            return
        outcome = self.run.submit_code(current.round_id, code, passed=grade.passed, now=now)
        self._after_attempt(current, outcome, now, what="Not passing yet")

    def _show_result(self, grade: Grade) -> None:
        result = grade.run
        self._say(f"Sandbox: {result.summary()}")
        if result.stdout.strip():
            lines = result.stdout.rstrip().splitlines()
            self._say("Output:")
            self._say(indent("\n".join(lines[:OUTPUT_LINES])))
            if len(lines) > OUTPUT_LINES:
                self._say(f"    … {plural(len(lines) - OUTPUT_LINES, 'more line')}")
        for case in grade.cases:
            mark = self.style.good("✓") if case.passed else self.style.bad("✗")
            shown = f": expected {case.expected}, got {case.actual}" if case.expected is not None else ""
            self._say(f"  {mark} {case.name}{shown}")
            if not case.passed and case.detail:
                self._say(f"      {case.detail}")
        if not grade.refused:
            self._say(grade.summary())

    def _answer(self, current: QuestionRound, letter: str, now: float) -> None:
        try:
            outcome = self.run.answer(current.round_id, letter, now)
        except QuizError as exc:
            self._say(exc.message)
            return
        self._after_attempt(current, outcome, now, what=f"{letter} is wrong")

    def _after_attempt(self, current: QuestionRound, outcome: AnswerOutcome, now: float, *, what: str) -> None:
        self._last_outcome = outcome
        if outcome.correct:
            return  # the problem closed; the reveal tells the points
        if outcome.finished:
            self._say(self.style.bad(f"✗ {what}, and that was your last attempt."))
            return
        left = plural(outcome.attempts_left, "attempt")
        remaining = ""
        if self.time_scale is not None:
            remaining = f", {self._real_seconds(max(current.deadline - now, 0.0)):.0f} s to go"
        self._say(self.style.bad(f"✗ {what}: {left} left{remaining}."))

    def _hint(self, current: QuestionRound, now: float) -> None:
        hint = self.run.take_hint(current.round_id, now)
        self._wrapped(hint.text, prefix="Hint: ")
        if hint.charged:
            self._say(f"(a correct answer now earns {hint_cost(current.question)} points less)")
        else:
            self._say("(shown again at no extra cost)")

    def _skip(self, current: QuestionRound) -> None:
        """Close the problem as a miss. The engine has no separate skip: giving up is letting the clock run
        out now, so the round is expired at its own deadline and recorded exactly like an unanswered problem."""
        self._skipped.add(current.round_id)
        self.run.expire(current.deadline)

    def _expired(self, now: float) -> bool:
        if self.run.expire(now) is None:
            return False
        self._say(self.style.bad("⏱ Time's up: that line came after the deadline."))
        return True

    def _quit(self, why: str) -> None:
        """End the run; the open problem counts as missed, as when a member starts another challenge. Its answer
        is not revealed, so the player can come back to it in a later run."""
        position = self.run.position
        self._finished_before_quit = len(self.run.results)
        self.run.abandon(self.now())
        self.quit = True
        self._say()
        self._say(f"Stopped at problem {position}/{len(self.run.questions)}: {why}.")

    # -- closing ---------------------------------------------------------------------------------------------

    def _reveal(self, current: QuestionRound) -> None:
        result = self.run.results[-1]
        question = current.question
        self._say(self._verdict(result))
        if question.type == "code":
            self._say("A reference solution:")
            self._say(indent(question.solution or ""))
        else:
            letter = question.answer or ""
            choice = (question.choices or [])[LETTERS.index(letter)]
            self._wrapped(f"{letter}. {choice}", prefix="Correct answer: ")
        self._wrapped(question.explanation, prefix="Why: ")

    def _verdict(self, result: QuestionResult) -> str:
        if result.correct:
            details: list[str] = []
            score = self._last_outcome.score if self._last_outcome is not None else None
            if result.attempts > 1:
                details.append(f"attempt {result.attempts}: half")
            if score is not None and score.hint_penalty:
                details.append(f"hint −{score.hint_penalty}")
            if score is not None and score.streak_bonus:
                details.append(f"streak +{round(score.streak_bonus * 100)}%")
            extra = f" ({', '.join(details)})" if details else ""
            return self.style.good(f"✓ Correct: +{result.points} points{extra}")
        if result.round_id in self._skipped:
            return self.style.bad("✗ Skipped: 0 points")
        if result.timed_out:
            return self.style.bad("✗ No answer in time: 0 points")
        return self.style.bad("✗ Wrong: 0 points")

    def _summary(self) -> None:
        summary = self.run.summary()
        self._say()
        self._say(self.style.dim("═" * 40))
        self._say(self.style.strong(f"Summary: {self.pack.title}"))
        self._say(f"  correct:     {summary.correct}/{summary.total}")
        self._say(f"  points:      {summary.points}")
        self._say(f"  best streak: {summary.best_streak}")
        if self._finished_before_quit is not None:
            self._say(f"  finished:    {self._finished_before_quit} of {summary.total} problems (stopped early)")
        if summary.badge is not None:
            self._say(self.style.good(f"Badge earned: {summary.badge.emoji} {summary.badge.name}"))
        elif self.pack.badge is not None:
            self._say("No badge this time: it takes every problem right.")
