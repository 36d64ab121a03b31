"""`python -m bot sandbox grade PACK QUESTION FILE... [--json]`: its contract, through the real command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import CHALLENGES, ROOT

EXIT_CODE = "import os\nos._exit(0)\n"
RIGHT = """import torch


def square_grad(values):
    x = torch.tensor(values, requires_grad=True)
    (x ** 2).sum().backward()
    return x.grad
"""
WRONG = "import torch\n\n\ndef square_grad(values):\n    return torch.tensor(values)\n"
ROW_KEYS = ["file", "passed", "outcome", "reason", "cases", "stdout", "stderr"]


def grade(*argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HOME": "/tmp"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "grade", *argv],
        cwd=cwd,
        env=env | {"TORCHQUIZ_PACKS_DIR": str(CHALLENGES)},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_rows_follow_the_contract_in_the_order_given(tmp_path: Path) -> None:
    (tmp_path / "exit.py").write_text(EXIT_CODE)
    (tmp_path / "right.py").write_text(RIGHT)
    (tmp_path / "wrong.py").write_text("print('working…')\n" + WRONG)
    done = grade("autograd-in-code", "square-grad", "exit.py", "right.py", "wrong.py", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [row["file"] for row in rows] == ["exit.py", "right.py", "wrong.py"]
    assert all(list(row) == ROW_KEYS for row in rows)
    exited, right, wrong = rows
    assert exited["passed"] is False and exited["reason"] == "your code ended before the check ran"
    assert right["passed"] is True and right["reason"] == ""
    assert all(case["passed"] for case in right["cases"]) and len(right["cases"]) >= 3
    assert wrong["passed"] is False and wrong["stdout"] == "working…\n"
    failed = [case for case in wrong["cases"] if not case["passed"]]
    assert failed and "expected tensor(" in failed[0]["detail"] and "first at [" in failed[0]["detail"]


def test_a_pack_file_path_works_too(tmp_path: Path) -> None:
    (tmp_path / "right.py").write_text(RIGHT)
    done = grade(str(CHALLENGES / "autograd-in-code.yaml"), "square-grad", str(tmp_path / "right.py"))
    assert done.returncode == 0, done.stderr
    assert "PASSED" in done.stdout and "PASS gradient" in done.stdout


def test_bad_usage_is_one_line_on_stderr_and_no_rows(tmp_path: Path) -> None:
    answer = tmp_path / "a.py"
    answer.write_text(RIGHT)
    pack = yaml.safe_load((CHALLENGES / "autograd-in-code.yaml").read_text(encoding="utf-8"))
    choice_question = next(q["id"] for q in pack["questions"] if q["type"] != "code")
    cases = {
        "unknown pack": ("no-such-pack", "square-grad", str(answer)),
        "unknown question": ("autograd-in-code", "no-such-question", str(answer)),
        "not a code question": ("autograd-in-code", choice_question, str(answer)),
        "unreadable file": ("autograd-in-code", "square-grad", str(tmp_path / "missing.py")),
        "missing arguments": ("autograd-in-code",),
    }
    for name, argv in cases.items():
        done = grade(*argv, "--json")
        assert done.returncode == 2, (name, done.stdout, done.stderr)
        assert done.stdout == "", name
        assert len(done.stderr.strip().splitlines()) == 1, (name, done.stderr)
