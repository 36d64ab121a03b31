"""The second attack round (`attacks/grading.py`) against the real pool and grader, namespaces on and off.

A member who wants points without solving owns everything in their process; these attacks use all of it and
must still fail the question. A member who wants another's solution runs right after them on the same worker
and searches everything reachable; they must find nothing. ``test_attacks.py`` runs the same lists as an
unprivileged user.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.sandbox.grader import Grader
from tests.sandbox._attack_fixtures import PoolUnderAttack, attack_pool, attack_targets
from tests.sandbox.attacks.grading import (
    GRADING_ATTACKS,
    RIGHT,
    Question,
    assert_not_passed,
    grade_attack,
    leak_attack,
)

__all__ = ["attack_pool", "attack_targets"]  # fixtures, imported for pytest

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.sandbox]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def grader(attack_pool: PoolUnderAttack) -> AsyncIterator[Grader]:
    grading = Grader(attack_pool.pool)
    yield grading
    await grading.aclose()


@pytest.fixture(scope="module")
def question() -> Question:
    return Question.make()


async def test_the_question_is_passable(grader: Grader, question: Question) -> None:
    grade = await grade_attack(grader, question, RIGHT)
    assert grade.passed, grade.cases
    assert len({(await grade_attack(grader, question, RIGHT)).seed for _ in range(3)} | {grade.seed}) > 1


@pytest.mark.parametrize("name", list(GRADING_ATTACKS))
async def test_grading_attack_does_not_pass(grader: Grader, question: Question, name: str) -> None:
    grade = await grade_attack(grader, question, GRADING_ATTACKS[name])
    assert_not_passed(name, grade, question)


@pytest.mark.parametrize("graded", [False, True], ids=["after-a-run", "after-a-graded-submission"])
async def test_a_run_finds_nothing_of_the_run_before(
    attack_pool: PoolUnderAttack, grader: Grader, question: Question, graded: bool
) -> None:
    findings = await leak_attack(attack_pool.pool, graded=graded, grader=grader, question=question)
    assert findings.found_line == "found: []", (findings.victim, findings.found_line)
