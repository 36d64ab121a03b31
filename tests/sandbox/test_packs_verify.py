"""`packs check` runs answer keys in the real sandbox and fails when PyTorch disagrees with the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from tests.conftest import CHALLENGES


def autograd_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CHALLENGES / "autograd-basics.yaml").read_text(encoding="utf-8"))
    return data


def write(tmp_path: Path, name: str, data: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_packs_pass_with_every_key_verified(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["packs", "check", str(CHALLENGES)]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert "autograd-basics (5 questions, 2 keys verified)" in out


def test_wrong_keys_fail_with_what_pytorch_says(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrong_output = autograd_data()
    wrong_output["questions"][1]["verify"]["output"] = "12.0"
    wrong_raise = autograd_data()
    wrong_raise["id"] = "autograd-wrong-raise"
    wrong_raise["questions"][4]["verify"]["raises"] = "ValueError"
    first = write(tmp_path, "a.yaml", wrong_output)
    second = write(tmp_path, "b.yaml", wrong_raise)
    assert main(["packs", "check", str(first), str(second)]) == 1
    out = capsys.readouterr().out
    assert (
        f"FAIL {first}, question 'cubic-grad', field 'verify': verify.output claims '12.0' but the code gives '14.0'"
    ) in out
    assert f"FAIL {second}, question 'detach-backward', field 'verify': verify.raises claims ValueError" in out
    assert "RuntimeError: element 0 of tensors does not require grad" in out
    assert "0 of 2 pack file(s) passed" in out


def code_pack(**question: Any) -> dict[str, Any]:
    """A one-question pack: double a tensor of seeded random values."""
    base: dict[str, Any] = {
        "id": "double",
        "type": "code",
        "difficulty": "beginner",
        "prompt": "Write `double(x)`, which returns 2 * x as a new tensor.",
        "hint": "Multiply.",
        "explanation": "x * 2 builds a new tensor.",
        "tags": ["tensors"],
        "starter": "def double(x):\n    return x\n",
        "check": (
            "import torch\n"
            "g = torch.Generator().manual_seed(seed)\n"
            "x = torch.randn(4, generator=g)\n"
            "expect('doubles hidden values', double(x))\n"
        ),
        "solution": "def double(x):\n    return x * 2\n",
        "wrong_solutions": [
            {"reason": "adds one", "code": "def double(x):\n    return x + 1\n"},
            {"reason": "squares", "code": "def double(x):\n    return x * x\n"},
            {"reason": "returns a list", "code": "def double(x):\n    return (x * 2).tolist()\n"},
        ],
    }
    return {
        "id": "doubling",
        "title": "Doubling",
        "description": "One code question.",
        "author": "tests",
        "questions": [base | question],
    }


def test_code_questions_are_graded_like_submissions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["packs", "check", str(write(tmp_path, "good.yaml", code_pack()))]) == 0
    assert "doubling (1 questions, 5 keys verified)" in capsys.readouterr().out

    accepted = code_pack()
    accepted["questions"][0]["wrong_solutions"][1] = {
        "reason": "adds x to itself",
        "code": "def double(x):\n    return x + x\n",
    }
    too_few = code_pack(wrong_solutions=[{"reason": "adds one", "code": "def double(x):\n    return x + 1\n"}])
    solved_starter = code_pack(starter="def double(x):\n    return 2 * x\n")
    broken = code_pack(solution="def double(x):\n    return undefined_name\n")
    files = {
        name: write(tmp_path, f"{name}.yaml", data | {"id": name})
        for name, data in {
            "accepted": accepted,
            "too-few": too_few,
            "solved-starter": solved_starter,
            "broken": broken,
        }.items()
    }
    assert main(["packs", "check", *map(str, files.values())]) == 1
    out = capsys.readouterr().out
    assert (
        f"FAIL {files['accepted']}, question 'double', field 'wrong_solutions[1]': the check accepts wrong solution 2"
        " (adds x to itself)"
    ) in out
    assert (
        f"FAIL {files['too-few']}, question 'double', field 'wrong_solutions': has 1; a code question needs at least 3"
        in out
    )
    assert f"FAIL {files['solved-starter']}, question 'double', field 'starter': the check accepts the starter" in out
    assert f"FAIL {files['broken']}, question 'double', field 'solution': the reference solution does not run" in out
    assert "NameError: name 'undefined_name' is not defined" in out
    assert "0 of 4 pack file(s) passed" in out
