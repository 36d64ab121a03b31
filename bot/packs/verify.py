"""Answer keys that running code can check are checked (SPEC section 2).

- `predict_output`/`debug` with `verify.output`: the code must run and print exactly that (trailing space aside);
- with `verify.raises`: the code must stop with that exception type;
- `code` questions: the reference `solution` must pass every case of the hidden `check`, and the `starter`
  must not (a question the starter already solves teaches nothing).

Every run goes through the real sandbox, so a key is judged by what PyTorch actually does.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.packs.loader import PackProblem
from bot.packs.models import VERIFIABLE_TYPES, Pack, Question
from bot.sandbox import Outcome, Result, SandboxPool

Progress = Callable[[str], None]
MISSING_VERIFY = "its code can run, so its key must be checked"


def unverified_questions(pack: Pack) -> list[str]:
    """Questions whose key running code could check but that carry no verify block."""
    return [q.id for q in pack.questions if q.type in VERIFIABLE_TYPES and q.code and q.verify is None]


def _cases_text(result: Result) -> str:
    failed = [c for c in result.cases if not c.passed]
    if failed:
        first = failed[0]
        return f"check case {first.name!r} failed: expected {first.expected}, got {first.actual}"
    if not result.ok:
        return result.summary()
    return "the check reported no cases"


def _output_matches(result: Result, expected: str) -> bool:
    return result.ok and result.stdout.rstrip() == expected.rstrip()


def _raised(result: Result) -> str | None:
    if result.outcome is not Outcome.ERROR or not result.error_line:
        return None
    return result.error_line.split(":", 1)[0].strip().rsplit(".", 1)[-1]


async def verify_question(pool: SandboxPool, question: Question) -> list[str]:
    """The ways this question's key disagrees with running code; empty when it holds."""
    problems: list[str] = []
    if question.verify is not None and question.code:
        result = await pool.run(question.code)
        if result.refused:
            return [f"could not be verified: {result.summary()}"]
        expected_output, expected_raise = question.verify.output, question.verify.raises
        if expected_output is not None and not _output_matches(result, expected_output):
            shown = result.stdout.rstrip() if result.ok else result.summary()
            problems.append(f"verify.output claims {expected_output!r} but the code gives {shown!r}")
        if expected_raise is not None and _raised(result) != expected_raise.rsplit(".", 1)[-1]:
            shown = (result.error_line or "") if result.outcome is Outcome.ERROR else result.summary()
            problems.append(f"verify.raises claims {expected_raise} but the code gives {shown!r}")
    if question.type == "code" and question.solution and question.check:
        solved = await pool.run(question.solution, check=question.check)
        if solved.refused:
            return [f"could not be verified: {solved.summary()}"]
        if not (solved.passed and solved.cases):
            problems.append(f"the reference solution does not pass: {_cases_text(solved)}")
        if question.starter:
            started = await pool.run(question.starter, check=question.check)
            if started.passed and started.cases:
                problems.append("the starter code already passes every check case")
    return problems


async def verify_pack(
    pool: SandboxPool, pack: Pack, file: str, progress: Progress | None = None
) -> tuple[int, list[PackProblem]]:
    """Run every checkable key of `pack`; returns how many questions were checked and the problems found."""
    checked = 0
    problems: list[PackProblem] = []
    for question in pack.questions:
        if question.verify is None and question.type != "code":
            continue
        checked += 1
        for message in await verify_question(pool, question):
            field = "verify" if question.verify is not None else "solution"
            problems.append(PackProblem(file, message, question=question.id, field=field))
        if progress is not None:
            progress(f"  verified {pack.id}/{question.id}")
    return checked, problems
