"""Grading over the queue gives the verdict the local pool gives: observations survive the trip through Redis.

A shipped code question is graded with the same seed through `Grader(SandboxPool)` and `Grader(QueueSandbox)`
(both the member's run and the reference run go through the transport), for the reference solution, every wrong
solution and the starter.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.questions import Question
from bot.packs import load_pack_file
from bot.sandbox import SandboxLimits, SandboxPool
from bot.sandbox.grader import Grade, Grader
from bot.sandbox.queue import QueueSandbox
from tests.queue.hosts import HostProcess
from tests.servers.redis import RedisServer

pytestmark = pytest.mark.sandbox

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "challenges" / "autograd-in-code.yaml"
SEED = 20_240_601
LIMITS = SandboxLimits(workers=1, cooldown_seconds=0.0)


def code_question() -> Question:
    pack = load_pack_file(PACK)
    return next(question for question in pack.questions if question.type == "code" and question.wrong_solutions)


def verdict(grade: Grade) -> tuple[object, ...]:
    cases = tuple((case.name, case.passed, case.expected, case.actual, case.detail) for case in grade.cases)
    return grade.passed, grade.reason, grade.question_broken, grade.run.outcome, grade.run.stdout, cases


async def test_the_queue_grades_like_the_local_pool(redis_server: RedisServer, tmp_path: Path) -> None:
    question = code_question()
    assert question.check and question.solution and question.starter
    submissions = {
        "solution": question.solution,
        "starter": question.starter,
        **{f"wrong {n}: {wrong.reason}": wrong.code for n, wrong in enumerate(question.wrong_solutions, 1)},
    }
    url = redis_server.new_database_url()
    host = HostProcess(url, tmp_path).launch()  # warms up beside the local pool
    try:
        async with SandboxPool(LIMITS) as pool:
            host.wait_ready()
            async with QueueSandbox(url, LIMITS) as queue:
                local, remote = Grader(pool), Grader(queue)
                for name, code in submissions.items():
                    here = await local.grade(code, check=question.check, solution=question.solution, seed=SEED)
                    there = await remote.grade(code, check=question.check, solution=question.solution, seed=SEED)
                    assert verdict(there) == verdict(here), name
                    assert there.passed is (name == "solution"), (name, there.summary())
                    assert len(there.cases) == 3, name
                await local.aclose()
                await remote.aclose()
    finally:
        assert host.stop() == 0, host.log()
