"""``python -m tests.sandbox.attacks.run_suite {namespaces,no-namespaces}``: the attack list, standalone.

Used by ``test_attacks.py`` to run every case as an unprivileged user: this process plays the bot (it holds the
token, the secret, the database, the listeners and the signal handlers) and starts its own pool. Prints one line
per case (``PASS name`` or ``FAIL name: reason``) and ``PASSED n/m``; exits 1 if any case failed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import traceback
from pathlib import Path

from bot.sandbox import Outcome, SandboxLimits, SandboxPool
from bot.sandbox.grader import Grader
from tests.sandbox.attacks.cases import ATTACKS, Context, Targets, open_targets
from tests.sandbox.attacks.grading import GRADING_ATTACKS, Question, assert_not_passed, grade_attack, leak_attack

REQUIRED = {"rlimits", "capabilities", "landlock", "seccomp"}


async def _run_one(pool: SandboxPool, targets: Targets, namespaces: bool, attack_index: int) -> None:
    attack = ATTACKS[attack_index]
    before = pool.worker_pids
    result = await pool.run(targets.render(attack.code, before[0]), wall_seconds=attack.wall_seconds)
    if attack.then is not None:
        result = await pool.run(targets.render(attack.then, before[0]))
    attack.expect(result, Context(targets, namespaces, before, pool.worker_pids))
    assert set(result.layers) >= REQUIRED, result.layers
    follow_up = await pool.run("print(6 * 7)")
    assert (follow_up.outcome, follow_up.stdout) == (Outcome.OK, "42\n"), follow_up


async def main(use_namespaces: bool) -> int:
    passed = 0
    with tempfile.TemporaryDirectory(prefix="torchquiz-attacks-") as base, open_targets(Path(base)) as targets:
        limits = SandboxLimits(workers=1, wall_seconds=5.0, use_namespaces=use_namespaces, cooldown_seconds=0.0)
        async with SandboxPool(limits) as pool:
            if not pool.available:
                print(f"FAIL pool: {pool.unavailable_reason}")
                return 1
            namespaces = any(layer.name == "namespaces" and layer.available for layer in pool.layers)
            print("layers:", ", ".join(f"{layer.name}={layer.available}" for layer in pool.layers), flush=True)
            for index, attack in enumerate(ATTACKS):
                try:
                    await _run_one(pool, targets, namespaces, index)
                except AssertionError as error:
                    print(f"FAIL {attack.name}: {error}", flush=True)
                    traceback.print_exc(file=sys.stderr)
                else:
                    passed += 1
                    print(f"PASS {attack.name}", flush=True)
            passed += await _second_round(pool)
    total = len(ATTACKS) + SECOND_ROUND
    print(f"PASSED {passed}/{total}")
    return 0 if passed == total else 1


SECOND_ROUND = len(GRADING_ATTACKS) + 2


async def _second_round(pool: SandboxPool) -> int:
    """The grading and leak attacks of `grading.py`; returns how many held."""
    passed = 0
    grader, question = Grader(pool), Question.make()
    try:
        for name, code in GRADING_ATTACKS.items():
            try:
                assert_not_passed(name, await grade_attack(grader, question, code), question)
            except AssertionError as error:
                print(f"FAIL {name}: {error}", flush=True)
            else:
                passed += 1
                print(f"PASS {name}", flush=True)
        for graded in (False, True):
            name = f"leak-after-{'a-graded-submission' if graded else 'a-run'}"
            findings = await leak_attack(pool, graded=graded, grader=grader, question=question)
            if findings.found_line == "found: []":
                passed += 1
                print(f"PASS {name}", flush=True)
            else:
                print(f"FAIL {name}: {findings.found_line}", flush=True)
    finally:
        await grader.aclose()
    return passed


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["namespaces", "no-namespaces"])
    raise SystemExit(asyncio.run(main(parser.parse_args().mode == "namespaces")))
