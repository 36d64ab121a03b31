"""`python -m bot sandbox grade PACK QUESTION_ID FILE... [--json]`: grade files as submissions to a question.

The contract, for pack authors and CI scripts:

- PACK is a pack id from the packs folder (`TORCHQUIZ_PACKS_DIR`, the shipped `challenges/` by default) or a
  path to a pack file; QUESTION_ID must be one of its `code` questions. The question's `solution` is the
  reference; each FILE is graded exactly as a member's submission is (a fresh seed for each).
- With ``--json``: one object per FILE per line, in the order given: ``{"file", "passed", "outcome", "reason",
  "cases": [{"name", "passed", "detail"}], "stdout", "stderr"}``. ``file`` is the path as given; ``detail`` may
  show expected and actual values, which change between submissions when the check draws seeded inputs.
- It waits for a free worker rather than answering "busy".
- Exit 0 when every file was graded, passed or not; 2, with one line on stderr and no rows, for bad usage, an
  unknown pack or question, a question that is not `code`, or an unreadable file; 1 if the sandbox could not
  grade (unavailable, or the question's own reference solution fails).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path

from bot.packs.loader import PackError
from bot.packs.models import Question
from bot.packs.play import UnknownPack, find_pack
from bot.sandbox import SandboxLimits
from bot.sandbox.grader import Grade, Grader
from bot.sandbox.result import Outcome
from bot.sandbox.transport import open_sandbox

EXIT_GRADED = 0
EXIT_UNGRADED = 1
EXIT_USAGE = 2
RETRY_PAUSE = 0.2


class UsageError(Exception):
    """Bad input: the command prints this one line on stderr and exits 2."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pack", metavar="PACK", help="a pack id from the packs folder, or a pack file")
    parser.add_argument("question", metavar="QUESTION_ID", help="the id of one of its code questions")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="submissions to grade, in order")
    parser.add_argument("--json", action="store_true", help="print one JSON object per file")


async def grade_files(args: argparse.Namespace, packs_dir: Path, limits: SandboxLimits, queue: str = "") -> int:
    """Grade every file; through the worker hosts behind `queue` (TORCHQUIZ_SANDBOX_QUEUE) when it is set."""
    try:
        question = _code_question(args.pack, args.question, packs_dir)
        sources = [(path, _read(path)) for path in args.files]
    except UsageError as exc:
        print(f"torchquiz: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # Our own files, one after another: no cooldown, a queue for the grader's reference runs.
    limits = replace(limits, cooldown_seconds=0.0, queue_size=max(limits.queue_size, 4))
    async with open_sandbox(limits, queue) as pool:
        if not pool.available:
            print(f"torchquiz: the sandbox cannot grade: {pool.unavailable_reason}", file=sys.stderr)
            return EXIT_UNGRADED
        grader = Grader(pool)
        try:
            for path, code in sources:
                grade = await _grade_patiently(grader, question, code)
                if grade.question_broken or grade.refused:
                    print(f"torchquiz: {path}: could not be graded: {grade.reason or grade.summary()}", file=sys.stderr)
                    return EXIT_UNGRADED
                sys.stdout.write(json.dumps(grade_row(str(path), grade)) + "\n" if args.json else _text(path, grade))
                sys.stdout.flush()
        finally:
            await grader.aclose()
    return EXIT_GRADED


def _code_question(pack_spec: str, question_id: str, packs_dir: Path) -> Question:
    try:
        pack = find_pack(pack_spec, packs_dir)
    except (UnknownPack, PackError) as exc:
        raise UsageError(str(exc).splitlines()[0]) from exc
    try:
        question = pack.question(question_id)
    except KeyError:
        codes = ", ".join(q.id for q in pack.questions if q.type == "code") or "none"
        raise UsageError(f"pack {pack.id!r} has no question {question_id!r} (its code questions: {codes})") from None
    if question.type != "code":
        raise UsageError(f"question {question_id!r} of pack {pack.id!r} is a {question.type} question, not code")
    return question


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from exc


async def _grade_patiently(grader: Grader, question: Question, code: str) -> Grade:
    """Grade, waiting out "busy" answers: this command has all the time it needs."""
    while True:
        grade = await grader.grade(code, check=question.check or "", solution=question.solution or "")
        if grade.run.outcome not in {Outcome.BUSY, Outcome.COOLDOWN}:
            return grade
        await asyncio.sleep(max(RETRY_PAUSE, grade.run.retry_after or 0.0))


def grade_row(file: str, grade: Grade) -> dict[str, object]:
    """The stable JSON row of the command's contract."""
    return {
        "file": file,
        "passed": grade.passed,
        "outcome": grade.run.outcome.value,
        "reason": grade.reason or ("" if grade.passed else _first_failure(grade)),
        "cases": [
            {"name": case.name, "passed": case.passed, "detail": _detail(case.expected, case.actual, case.detail)}
            for case in grade.cases
        ],
        "stdout": grade.run.stdout,
        "stderr": grade.run.stderr,
    }


def _detail(expected: str | None, actual: str | None, detail: str) -> str:
    if expected is None:
        return detail
    shown = f"expected {expected}, got {actual}"
    return f"{shown}; {detail}" if detail and detail != "not equal" else shown


def _first_failure(grade: Grade) -> str:
    failed = [case for case in grade.cases if not case.passed]
    return f"case failed: {failed[0].name}" if failed else ""


def _text(path: Path, grade: Grade) -> str:
    lines = [f"== {path}: {'PASSED' if grade.passed else 'FAILED'} ({grade.summary()})"]
    for case in grade.cases:
        mark = "PASS" if case.passed else "FAIL"
        detail = "" if case.passed else f": {_detail(case.expected, case.actual, case.detail)}"
        lines.append(f"  {mark} {case.name}{detail}")
    if grade.run.stderr.strip():
        lines.append("  stderr: " + grade.run.stderr.strip().splitlines()[-1])
    return "\n".join(lines) + "\n"
