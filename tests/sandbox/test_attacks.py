"""The attack suite (the promises of docs/sandbox.md), against the real pool, with and without namespaces.

Every case in ``attacks/cases.py`` tries to break one promise and must fail in the way its expectation says;
after each, the same pool must still answer a trivial run. The same list also runs in a separate process as an
unprivileged user (``test_attacks_hold_for_an_unprivileged_bot``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox import Outcome
from tests.sandbox._attack_fixtures import MODE_IDS, MODES, PoolUnderAttack, attack_pool, attack_targets
from tests.sandbox.attacks.cases import ATTACKS, ROOT, Attack, Context, Targets
from tests.sandbox.attacks.run_suite import SECOND_ROUND

__all__ = ["attack_pool", "attack_targets"]  # fixtures, imported for pytest

ON_MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")  # the pools are module fixtures on the module's loop
REQUIRED = {"rlimits", "capabilities", "landlock", "seccomp"}
NOBODY = 65534


@ON_MODULE_LOOP
@pytest.mark.parametrize("attack", ATTACKS, ids=[attack.name for attack in ATTACKS])
async def test_attack_fails(attack_pool: PoolUnderAttack, attack_targets: Targets, attack: Attack) -> None:
    pool = attack_pool.pool
    before = pool.worker_pids
    result = await pool.run(attack_targets.render(attack.code, before[0]), wall_seconds=attack.wall_seconds)
    if attack.then is not None:
        result = await pool.run(attack_targets.render(attack.then, before[0]))
    attack.expect(result, Context(attack_targets, attack_pool.namespaces_active, before, pool.worker_pids))
    assert set(result.layers) >= REQUIRED, result.layers
    assert ("namespaces" in result.layers) == attack_pool.namespaces_active
    if attack_pool.namespaces_requested:
        assert attack_pool.namespaces_active, "namespaces requested and available on this host, but not active"

    follow_up = await pool.run("print(6 * 7)")
    assert (follow_up.outcome, follow_up.stdout) == (Outcome.OK, "42\n"), follow_up


def _token_in_memory(pid: int, token: bytes) -> bool:
    """Scan every readable mapping of ``pid`` for ``token`` (needs root or the same uid and ptrace access)."""
    overlap = len(token)
    with open(f"/proc/{pid}/maps", encoding="ascii") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            span, perms = line.split()[:2]
            if not perms.startswith("r") or line.rstrip().endswith(("[vvar]", "[vsyscall]")):
                continue
            start, end = (int(part, 16) for part in span.split("-"))
            tail = b""
            for offset in range(start, end, 1 << 20):
                try:
                    mem.seek(offset)
                    chunk = tail + mem.read(min(1 << 20, end - offset))
                except OSError:
                    break
                if token in chunk:
                    return True
                tail = chunk[-overlap:]
    return False


@ON_MODULE_LOOP
@pytest.mark.skipif(os.geteuid() != 0, reason="reading another process's memory needs root here")
async def test_token_never_reaches_a_worker(attack_pool: PoolUnderAttack, attack_targets: Targets) -> None:
    """The runs above could not find the token; this proves there was nothing to find: it is not in the worker."""
    token = attack_targets.token.encode()
    assert os.environ["TORCHQUIZ_TEST_TOKEN"] == attack_targets.token  # the bot does hold it
    for pid in attack_pool.pool.worker_pids:
        environ = await asyncio.to_thread(Path(f"/proc/{pid}/environ").read_bytes)
        assert token not in environ
        assert not await asyncio.to_thread(_token_in_memory, pid, token)


# --- the same list, run by an unprivileged "bot" ------------------------------------------------------------


def _hidden_ancestor(path: Path) -> tuple[Path, Path] | None:
    """The first ancestor of ``path`` that others cannot traverse, and its child on the way to ``path``."""
    parts = path.parts
    for depth in range(1, len(parts)):
        ancestor = Path(*parts[:depth])
        if not os.stat(ancestor).st_mode & 0o001:
            return ancestor, Path(*parts[: depth + 1])
    return None


def _unprivileged_command(mode: str, scratch: Path) -> list[str]:
    """``setpriv`` to nobody with no capabilities, inside a private mount namespace when needed.

    On this machine the interpreter lives under ``/root`` (mode 0700), which nobody cannot traverse. Rather than
    change the host, the runner gets a private mount namespace in which ``/root`` is an empty 0711 tmpfs with
    only the interpreter's folder bind-mounted back. Nothing else about the host changes.
    """
    python = Path(sys.prefix).resolve()
    setpriv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--inh-caps=-all"]
    setpriv += ["--bounding-set=-all", "--", sys.executable, "-m", "tests.sandbox.attacks.run_suite", mode]
    hidden = _hidden_ancestor(python)
    if hidden is None:
        return setpriv
    ancestor, child = hidden
    keep = scratch / "interpreter"
    keep.mkdir()
    script = (
        f"mount --bind {child} {keep} && mount -t tmpfs -o mode=0711 tmpfs {ancestor} && mkdir -p {child} && "
        f'mount --bind {keep} {child} && exec "$@"'
    )
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *setpriv]


@pytest.mark.skipif(os.geteuid() != 0, reason="the main suite already runs unprivileged")
@pytest.mark.skipif(shutil.which("setpriv") is None or shutil.which("unshare") is None, reason="needs util-linux")
@pytest.mark.parametrize("use_namespaces", MODES, ids=MODE_IDS)
def test_attacks_hold_for_an_unprivileged_bot(tmp_path: Path, use_namespaces: bool) -> None:
    tmp_path.chmod(0o755)
    mode = "namespaces" if use_namespaces else "no-namespaces"
    completed = subprocess.run(
        _unprivileged_command(mode, tmp_path),
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = completed.stdout.splitlines()
    failures = [line for line in lines if line.startswith("FAIL")]
    assert completed.returncode == 0 and not failures, "\n".join(failures) or completed.stderr[-3000:]
    total = len(ATTACKS) + SECOND_ROUND
    assert f"PASSED {total}/{total}" in lines, completed.stdout[-2000:]
