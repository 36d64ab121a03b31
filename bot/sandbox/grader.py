"""Grading `code` submissions so that nobody can forge a pass.

    grader = Grader(pool)
    grade = await grader.grade(code, check=question.check, solution=question.solution, member_id=member.id)
    if grade.passed: ...

Per submission the grader picks a fresh random ``seed``; the member's code runs, then the check with that seed,
which reports observations (`observe.py`). The pack's reference solution runs through the same check with the
same seed in a separate run that never saw the member's code, and `verdict.judge` compares the two here, in the
bot process. The member's process never holds the reference solution, the expected values or the verdict, so
there is nothing in it to find or rewrite; a missing, partial or renamed report simply fails.

Reference runs are cached by (check, solution, seed). So that members never wait for one, the grader keeps one
reference prepared ahead per question: a submission takes it (its seed is used once) and a new one is prepared
in the background. A fixed ``seed`` (the pack checker, tests) reuses the cache.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections import OrderedDict
from dataclasses import dataclass

from bot.sandbox.result import CaseResult, Outcome, Result
from bot.sandbox.transport import Sandbox
from bot.sandbox.verdict import Judgement, judge
from bot.tasks import TaskKeeper

log = logging.getLogger(__name__)

SEED_SPACE = 2**31
CACHE_SIZE = 512
REFERENCE_FAILED = "the question's reference solution does not run: the question is broken, not your code"


@dataclass(frozen=True)
class Grade:
    """How a submission fared: every case of the question, passed or not, and the member's run itself."""

    run: Result
    cases: tuple[CaseResult, ...] = ()
    reason: str = ""
    """One line on why it did not pass ("your code ended before the check ran"); empty when it passed."""
    seed: int = 0
    question_broken: bool = False
    """The reference solution failed: nobody can pass, and the attempt must not count against the member."""

    @property
    def passed(self) -> bool:
        return bool(self.cases) and all(case.passed for case in self.cases) and not self.reason

    @property
    def refused(self) -> bool:
        """Nothing was graded (busy, cooldown, sandbox unavailable); asking again later may work."""
        return self.run.refused

    @property
    def counts(self) -> bool:
        """Whether this grade may use one of the member's attempts."""
        return not (self.refused or self.question_broken)

    def summary(self) -> str:
        if self.refused:
            return self.run.summary()
        passed = sum(case.passed for case in self.cases)
        line = f"{passed}/{len(self.cases)} cases passed"
        return f"{line}: {self.reason}" if self.reason else line


class Grader:
    """Grades submissions against reference runs (see the module docstring)."""

    def __init__(self, pool: Sandbox, *, cache_size: int = CACHE_SIZE) -> None:
        self.pool = pool
        self._cache: OrderedDict[tuple[str, int], Result] = OrderedDict()
        self._cache_size = cache_size
        self._prepared: dict[str, tuple[int, asyncio.Task[Result]]] = {}
        self._keeper = TaskKeeper()

    async def grade(
        self,
        code: str,
        *,
        check: str,
        solution: str,
        member_id: int | None = None,
        seed: int | None = None,
        wall_seconds: float | None = None,
    ) -> Grade:
        """Grade ``code`` as a submission; never raises (refusals and broken questions are grades too)."""
        key = question_key(check, solution)
        if seed is None:
            seed, reference_task = self._take_prepared(key, check, solution)
        else:
            reference_task = self._keeper.spawn(self.reference(check, solution, seed), name="reference")
        member = await self.pool.run(code, check=check, seed=seed, member_id=member_id, wall_seconds=wall_seconds)
        if member.refused:
            return Grade(member, seed=seed)
        reference = await reference_task
        self._prepare(key, check, solution)
        return grade_against(member, reference, seed)

    async def reference(self, check: str, solution: str, seed: int) -> Result:
        """The reference solution's run for ``seed`` (cached while it succeeds)."""
        key = (question_key(check, solution), seed)
        if (cached := self._cache.get(key)) is not None:
            self._cache.move_to_end(key)
            return cached
        result = await self.pool.run(solution, check=check, seed=seed)
        if result.ok and result.observations and result.check_stopped is None:
            self._cache[key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    async def aclose(self) -> None:
        await self._keeper.cancel_all()

    def _take_prepared(self, key: str, check: str, solution: str) -> tuple[int, asyncio.Future[Result]]:
        """A seed used by nobody before, with its reference run already done (or under way) where possible."""
        prepared = self._prepared.pop(key, None)
        if prepared is not None and not prepared[1].cancelled():
            return prepared
        seed = secrets.randbelow(SEED_SPACE)
        return seed, self._keeper.spawn(self.reference(check, solution, seed), name=f"reference-{key}")

    def _prepare(self, key: str, check: str, solution: str) -> None:
        if key in self._prepared or not self.pool.available:
            return
        seed = secrets.randbelow(SEED_SPACE)
        task = self._keeper.spawn(self.reference(check, solution, seed), name=f"reference-{key}")
        self._prepared[key] = (seed, task)


def grade_against(member: Result, reference: Result, seed: int) -> Grade:
    """The grade of a member's run given the reference run for the same seed."""
    if not reference.ok or not reference.observations or reference.check_stopped is not None:
        if reference.refused:
            return Grade(reference, seed=seed)
        why = reference.check_stopped or reference.error_line or reference.summary()
        log.error("reference run failed (seed %d): %s", seed, why)
        return Grade(member, reason=f"{REFERENCE_FAILED} ({why})", seed=seed, question_broken=True)
    judgement = judge(
        list(reference.observations),
        list(member.observations) if member.observations is not None else None,
        member_stopped=member.check_stopped,
        member_problem=_member_problem(member),
    )
    return _grade(member, judgement, seed)


def _grade(member: Result, judgement: Judgement, seed: int) -> Grade:
    return Grade(member, judgement.cases, judgement.reason, seed)


def _member_problem(member: Result) -> str:
    """Why a member's run has no observations, in the member's terms."""
    if member.outcome is Outcome.OK:
        return "your code ended before the check ran"
    if member.outcome is Outcome.ERROR:
        return f"your code raised {member.error_line}" if member.error_line else "your code raised an exception"
    return f"the run stopped: {member.summary()}"


def question_key(check: str, solution: str) -> str:
    """Identifies a question's grading by content, so an edited pack never reuses stale references."""
    return hashlib.sha256(f"{check}\x00{solution}".encode("utf-8", "surrogatepass")).hexdigest()[:24]
