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
