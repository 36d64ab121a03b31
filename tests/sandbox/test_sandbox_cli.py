"""`python -m bot sandbox run` through `add_arguments`/`run_files`, with one real warm pool."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox.cli import add_arguments, run_files
from tests.conftest import ROOT

pytestmark = pytest.mark.asyncio(loop_scope="module")

CLI_TIMEOUT = 60.0


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


async def test_json_lines_carry_the_file_and_every_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.py"
    good.write_text(
        "import torch\nx = torch.tensor(2.0, requires_grad=True)\n(x**3).backward()\nprint(x.grad.item())\n"
    )
    bad = tmp_path / "bad.py"
    bad.write_text("raise ValueError('nope')\n")
    slow = tmp_path / "slow.py"
    slow.write_text("while True:\n    pass\n")
    missing = tmp_path / "missing.py"
    status = await asyncio.wait_for(
        run_files(parse(str(good), str(bad), str(slow), str(missing), "--json", "--timeout", "1")), CLI_TIMEOUT
    )
    assert status == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["file"] for line in lines] == [str(good), str(bad), str(slow), str(missing)]
    assert [line["outcome"] for line in lines] == ["ok", "error", "timeout", "unreadable"]
    assert lines[0]["stdout"] == "12.0\n" and "rlimits" in lines[0]["layers"]
    assert lines[1]["error_line"] == "ValueError: nope"
    assert lines[2]["summary"] == "stopped: time limit (1 s)"


async def test_human_output_and_success_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hello = tmp_path / "hello.py"
    hello.write_text("print('héllo')\n")
    assert await asyncio.wait_for(run_files(parse(str(hello))), CLI_TIMEOUT) == 0
    header, output = capsys.readouterr().out.splitlines()
    assert header.startswith(f"== {hello}: ok (")
    assert output == "héllo"


async def test_the_bot_command_line_runs_files_in_order(tmp_path: Path) -> None:
    first = tmp_path / "first.py"
    first.write_text("import torch\nprint(torch.arange(3).sum().item())\n", encoding="utf-8")
    second = tmp_path / "second.py"
    second.write_text("raise ValueError('bad shape')\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TORCHQUIZ_")} | {"PYTHONPATH": str(ROOT)}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "sandbox", "run", "--json", "--timeout", "3", str(first), str(second)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # one of the files failed
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(row["file"], row["outcome"]) for row in rows] == [(str(first), "ok"), (str(second), "error")]
    assert rows[0]["stdout"] == "3\n"
    assert rows[1]["error_line"] == "ValueError: bad shape"
    assert "landlock" in rows[0]["layers"] and "seccomp" in rows[0]["layers"]
