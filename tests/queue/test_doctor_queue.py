"""`python -m bot doctor` with worker hosts behind Redis: the queue reachable, the hosts alive, the backlog, and one
real run through the queue."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.queue.hosts import HostProcess
from tests.unit.test_cli import run_bot

pytestmark = pytest.mark.sandbox  # real worker hosts, with torch warm: slow

SETTINGS = {"TORCHQUIZ_TOKEN": "abc"}


def line(output: str, area: str) -> str:
    [found] = [text for text in output.splitlines() if text[5:].startswith(area)]
    return found


def test_doctor_checks_the_queue_and_runs_through_a_host(redis_url: str, tmp_path: Path) -> None:
    env = {**SETTINGS, "TORCHQUIZ_SANDBOX_QUEUE": redis_url, "TORCHQUIZ_DATABASE": str(tmp_path / "t.db")}
    alone = run_bot("doctor", env=env, cwd=tmp_path)
    assert alone.returncode == 1
    assert "0 worker host(s) alive (0 workers); backlog 0 waiting, 0 running" in line(alone.stdout, "queue")
    assert line(alone.stdout, "sandbox").startswith("FAIL sandbox   no worker host is alive")

    with HostProcess(redis_url, tmp_path, workers=2):
        done = run_bot("doctor", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 worker host(s) alive (2 workers)" in line(done.stdout, "queue")
    assert "a worker host ran an autograd snippet through the queue" in line(done.stdout, "sandbox")


def test_doctor_says_in_one_line_when_redis_cannot_be_reached(tmp_path: Path) -> None:
    env = {**SETTINGS, "TORCHQUIZ_SANDBOX_QUEUE": "redis://127.0.0.1:9/0", "TORCHQUIZ_DATABASE": str(tmp_path / "t")}
    done = run_bot("doctor", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert line(done.stdout, "queue").startswith("FAIL queue     127.0.0.1:9/0 cannot be reached: ")
