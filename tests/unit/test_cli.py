from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.storage.database import migrations
from tests.conftest import ROOT


def run_bot(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TORCHQUIZ_")}
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_no_token_exits_2_with_one_line(tmp_path: Path) -> None:
    done = run_bot(cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "torchquiz: TORCHQUIZ_TOKEN is required: set it in the environment or in .env (see .env.example)"
    ]


def test_malformed_value_names_the_key(tmp_path: Path) -> None:
    done = run_bot(env={"TORCHQUIZ_TOKEN": "abc", "TORCHQUIZ_SYNC_GUILD": "general"}, cwd=tmp_path)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("torchquiz: TORCHQUIZ_SYNC_GUILD is invalid:")


def test_token_from_dotenv_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TORCHQUIZ_TOKEN=abc def\n", encoding="utf-8")
    done = run_bot(cwd=tmp_path)
    assert done.returncode == 2
    assert "TORCHQUIZ_TOKEN is invalid: Value error, must not contain spaces" in done.stderr


@pytest.mark.sandbox
def test_doctor_reports_each_area(tmp_path: Path) -> None:
    env = {"TORCHQUIZ_TOKEN": "abc", "TORCHQUIZ_DATABASE": str(tmp_path / "t.db")}
    done = run_bot("doctor", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok   settings" in done.stdout
    latest = migrations()[-1].version
    assert (
        "ok   database" in done.stdout
        and f"SQLite {sqlite3.sqlite_version}, schema {latest} of {latest}" in done.stdout
    )
    assert "ok   packs" in done.stdout
    assert "ok   tasks     processes and threads per run bounded by RLIMIT_NPROC" in done.stdout
    assert "ok   layer     task-limit    active (required)" in done.stdout
    if os.geteuid() == 0:  # a root bot's workers run as the sandbox user, never as root
        assert "ok   workers   running as nobody (uid 65534" in done.stdout
    missing = run_bot("doctor", env={"TORCHQUIZ_DATABASE": str(tmp_path / "t.db")})
    assert missing.returncode == 1
    assert "FAIL settings  TORCHQUIZ_TOKEN is required" in missing.stdout


def test_review_optimize_says_how_many_reviews_it_needs(tmp_path: Path) -> None:
    missing = run_bot("review", "optimize", env={"TORCHQUIZ_DATABASE": str(tmp_path / "t.db")})
    assert missing.returncode == 1
    assert len(missing.stderr.strip().splitlines()) == 1 and "torchquiz:" in missing.stderr
