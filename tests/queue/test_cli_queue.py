"""`python -m bot sandbox run` and `sandbox grade` go through the configured transport: with TORCHQUIZ_SANDBOX_QUEUE
set, an operator tries a deployment of worker hosts from the shell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.packs import load_pack_file
from tests.conftest import CHALLENGES
from tests.queue.hosts import HostProcess
from tests.unit.test_cli import run_bot

pytestmark = pytest.mark.sandbox  # real worker hosts, with torch warm: slow


def test_run_and_grade_from_the_shell_reach_a_worker_host(redis_url: str, tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text("import os, torch\nprint(torch.ones(2).sum().item(), os.getpid())\n")
    question = load_pack_file(CHALLENGES / "autograd-in-code.yaml").question("square-grad")
    assert question.solution is not None
    right, wrong = tmp_path / "right.py", tmp_path / "wrong.py"
    right.write_text(question.solution)
    wrong.write_text("import os\nos._exit(0)\n")
    env = {"TORCHQUIZ_TOKEN": "t", "TORCHQUIZ_SANDBOX_QUEUE": redis_url}

    nobody = run_bot("sandbox", "run", str(snippet), "--json", env=env)
    assert nobody.returncode == 1  # no host alive yet: a refusal, not a local run
    assert json.loads(nobody.stdout)["outcome"] in {"busy", "unavailable"}, nobody.stdout

    with HostProcess(redis_url, tmp_path, workers=1):
        ran = run_bot("sandbox", "run", str(snippet), "--json", env=env)
        graded = run_bot(
            "sandbox", "grade", "autograd-in-code", "square-grad", str(wrong), str(right), "--json", env=env
        )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    row = json.loads(ran.stdout)
    assert row["outcome"] == "ok" and row["stdout"].split()[0] == "2.0"
    assert graded.returncode == 0, graded.stdout + graded.stderr
    verdicts = [json.loads(line) for line in graded.stdout.splitlines()]
    assert [(v["file"], v["passed"]) for v in verdicts] == [(str(wrong), False), (str(right), True)]
