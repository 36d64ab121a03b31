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
from tests.sandbox.attacks.cases import ATTACKS, Context, Targets, open_targets

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
    print(f"PASSED {passed}/{len(ATTACKS)}")
    return 0 if passed == len(ATTACKS) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["namespaces", "no-namespaces"])
    raise SystemExit(asyncio.run(main(parser.parse_args().mode == "namespaces")))
