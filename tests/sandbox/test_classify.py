"""How the worker names the end of a run, from exit status, reports and who killed it (pure function)."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.result import Outcome
from bot.sandbox.scratch import remove_tree
from bot.sandbox.status import EXIT_MEMORY
from bot.sandbox.watch import classify
from tests.sandbox.jobs import sample_job

JOB = sample_job()


CPU = "time limit (5 s of CPU)"
MEMORY = "memory limit (512 MiB)"


def exited(code: int) -> int:
    return code << 8


def killed(number: int) -> int:
    return number


def outcome_of(status: int, options: dict[str, Any]) -> tuple[Any, ...]:
    """`options` holds the final report's fields, plus `cpu` (seconds used) and `killed_for` (the worker's kill)."""
    done = {key: value for key, value in options.items() if key not in {"cpu", "killed_for"}}
    return classify(
        JOB,
        status=status,
        cpu_used=options.get("cpu", 0.1),
        killed_for=options.get("killed_for"),
        reports={"done": done} if done else {},
        stderr="",
    )


def test_status_encoding_matches_os() -> None:
    assert os.WEXITSTATUS(exited(3)) == 3 and os.WTERMSIG(killed(9)) == 9


@pytest.mark.parametrize(
    ("status", "options", "expected"),
    [
        (killed(9), {"killed_for": Outcome.TIMEOUT}, (Outcome.TIMEOUT, "time limit (5 s)", None, None)),
        (killed(9), {"killed_for": Outcome.OUTPUT_LIMIT}, (Outcome.OUTPUT_LIMIT, "output limit (64 KiB)", None, None)),
        (killed(signal.SIGXCPU), {}, (Outcome.TIMEOUT, CPU, None, None)),
        (killed(9), {"cpu": 5.9}, (Outcome.TIMEOUT, CPU, None, None)),
        (killed(9), {}, (Outcome.MEMORY, MEMORY, 9, None)),
        (killed(11), {}, (Outcome.CRASHED, "", 11, None)),
        (exited(0), {"status": "ok"}, (Outcome.OK, "", None, None)),
        (exited(0), {"status": "error", "error_line": "ValueError: x"}, (Outcome.ERROR, "", None, "ValueError: x")),
        (exited(0), {"status": "error", "memory": True, "error_line": "E"}, (Outcome.MEMORY, MEMORY, None, "E")),
        (exited(0), {"status": "error", "cpu_timeout": True, "error_line": "E"}, (Outcome.TIMEOUT, CPU, None, "E")),
        (exited(0), {"status": "isolation", "detail": "x"}, (Outcome.UNAVAILABLE, "isolation failed: x", None, None)),
        (exited(EXIT_MEMORY), {}, (Outcome.MEMORY, MEMORY, None, None)),
        (exited(0), {}, (Outcome.OK, "", None, None)),
        (exited(4), {}, (Outcome.ERROR, "exited with status 4", None, "exit status 4")),
        (exited(128 + 11), {}, (Outcome.CRASHED, "", 11, None)),
    ],
)  # fmt: skip
def test_classify(status: int, options: dict[str, Any], expected: tuple[Any, ...]) -> None:
    assert outcome_of(status, options) == expected


def test_scratch_is_removed_even_when_locked_down(tmp_path: Path) -> None:
    scratch = tmp_path / "run"
    (scratch / "deep").mkdir(parents=True)
    (scratch / "deep" / "file").write_text("x")
    (scratch / "link").symlink_to("/etc")
    (scratch / "deep").chmod(0)
    remove_tree(str(scratch))
    assert not scratch.exists()
    assert Path("/etc").exists()
