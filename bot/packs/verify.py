"""Answer keys that running code can check are checked.

- `predict_output`/`debug` with `verify.output`: the code must run and print exactly that (trailing space aside);
- with `verify.raises`: the code must stop with that exception type;
- `code` questions are graded as members are (`bot.sandbox.grader`): the reference `solution` must run through
  the check without stopping; the `starter` must fail (a question the starter solves teaches nothing); and the
  question must carry at least three `wrong_solutions`, every one of which the check must reject.

Every run goes through the real sandbox, so a key is judged by what PyTorch actually does. Code questions are
graded with a few fixed seeds, so a check that only catches a wrong answer for lucky inputs is found out.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.packs.loader import PackProblem
from bot.packs.models import MIN_WRONG_SOLUTIONS, VERIFIABLE_TYPES, Pack, Question
from bot.sandbox import Outcome, Result
from bot.sandbox.grader import Grade, Grader

Progress = Callable[[str], None]
MISSING_VERIFY = "its code can run, so its key must be checked"
CHECK_SEEDS = (1, 2)
"""Seeds every code question is verified with: the reference must hold and each wrong answer fail for both."""


def unverified_questions(pack: Pack) -> list[str]:
    """Questions whose key running code could check but that carry no verify block."""
    return [q.id for q in pack.questions if q.type in VERIFIABLE_TYPES and q.code and q.verify is None]


def _output_matches(result: Result, expected: str) -> bool:
    return result.ok and result.stdout.rstrip() == expected.rstrip()


def _raised(result: Result) -> str | None:
    if result.outcome is not Outcome.ERROR or not result.error_line:
        return None
    return result.error_line.split(":", 1)[0].strip().rsplit(".", 1)[-1]


async def verify_question(grader: Grader, question: Question) -> list[tuple[str, str]]:
    """The ways this question's key disagrees with running code, as (field, message); empty when it holds."""
    if question.verify is not None and question.code:
        return [("verify", message) for message in await _verify_output(grader, question)]
    if question.type == "code" and question.solution and question.check:
        return await _verify_code(grader, question)
    return []


async def _verify_output(grader: Grader, question: Question) -> list[str]:
    assert question.verify is not None and question.code is not None
    result = await grader.pool.run(question.code)
    if result.refused:
        return [f"could not be verified: {result.summary()}"]
    problems: list[str] = []
    expected_output, expected_raise = question.verify.output, question.verify.raises
    if expected_output is not None and not _output_matches(result, expected_output):
        shown = result.stdout.rstrip() if result.ok else result.summary()
        problems.append(f"verify.output claims {expected_output!r} but the code gives {shown!r}")
    if expected_raise is not None and _raised(result) != expected_raise.rsplit(".", 1)[-1]:
        shown = (result.error_line or "") if result.outcome is Outcome.ERROR else result.summary()
        problems.append(f"verify.raises claims {expected_raise} but the code gives {shown!r}")
    return problems


async def _verify_code(grader: Grader, question: Question) -> list[tuple[str, str]]:
    assert question.solution is not None and question.check is not None
    problems: list[tuple[str, str]] = []
    if len(question.wrong_solutions) < MIN_WRONG_SOLUTIONS:
        count = len(question.wrong_solutions)
        problems.append(("wrong_solutions", f"has {count}; a code question needs at least {MIN_WRONG_SOLUTIONS}"))
    for seed in CHECK_SEEDS:
        reference = await grader.reference(question.check, question.solution, seed)
        if reference.refused:
            return [("solution", f"could not be verified: {reference.summary()}")]
        if not (reference.ok and reference.observations and reference.check_stopped is None):
            why = reference.check_stopped or reference.error_line or reference.summary()
            if reference.ok and not reference.observations and reference.check_stopped is None:
                why = "the check made no observations"
            message = f"the reference solution does not run through the check (seed {seed}): {why}"
            return [*problems, ("solution", message)]
        consistent = await _grade(grader, question, question.solution, seed)
        if not consistent.passed:
            return [*problems, ("check", f"the check is not deterministic (seed {seed}): {_failure(consistent)}")]
        candidates = [("starter", question.starter or "", "the starter")]
        candidates += [
            (f"wrong_solutions[{index}]", wrong.code, f"wrong solution {index + 1} ({wrong.reason})")
            for index, wrong in enumerate(question.wrong_solutions)
        ]
        for field, code, label in candidates:
            if not code.strip() or any(found == field for found, _ in problems):
                continue
            grade = await _grade(grader, question, code, seed)
            if grade.refused:
                return [*problems, (field, f"could not be verified: {grade.summary()}")]
            if grade.passed:
                problems.append((field, f"the check accepts {label} (seed {seed})"))
    return problems


async def _grade(grader: Grader, question: Question, code: str, seed: int) -> Grade:
    assert question.check is not None and question.solution is not None
    return await grader.grade(code, check=question.check, solution=question.solution, seed=seed)


def _failure(grade: Grade) -> str:
    failed = [case for case in grade.cases if not case.passed]
    if failed:
        first = failed[0]
        return f"case {first.name!r}: {first.detail or f'expected {first.expected}, got {first.actual}'}"
    return grade.reason or grade.summary()


async def verify_pack(
    grader: Grader, pack: Pack, file: str, progress: Progress | None = None
) -> tuple[int, list[PackProblem]]:
    """Run every checkable key of `pack`; returns how many keys were checked and the problems found.

    A `code` question counts its reference solution, its starter and each wrong solution as keys.
    """
    checked = 0
    problems: list[PackProblem] = []
    for question in pack.questions:
        if question.verify is None and question.type != "code":
            continue
        checked += 1 if question.type != "code" else 2 + len(question.wrong_solutions)
        for field, message in await verify_question(grader, question):
            problems.append(PackProblem(file, message, question=question.id, field=field))
        if progress is not None:
            progress(f"  verified {pack.id}/{question.id}")
    return checked, problems
