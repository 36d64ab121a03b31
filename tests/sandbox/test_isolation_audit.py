"""Audit hook alone: friendly PermissionErrors; a member reads a sentence, not an errno."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.sandbox.isolation import audit
from tests.sandbox.attacks._harness import run_in_child


def _attempts(scratch: Path, readonly: Path, parent: int) -> dict[str, Callable[[], Any]]:
    return {
        "read outside": lambda: open("/etc/hostname").read(),
        "write outside": lambda: open(readonly / "new.txt", "w"),
        "os.open outside": lambda: os.open("/etc/hostname", os.O_RDONLY),
        "subprocess": lambda: subprocess.run(["true"], check=False),
        "os.system": lambda: os.system("true"),
        "socket": socket.socket,
        "kill parent": lambda: os.kill(parent, 0),
        "read readonly": (readonly / "lib.txt").read_text,
        "write scratch (relative)": lambda: Path("notes.txt").write_text("hi"),
        "kill self": lambda: os.kill(os.getpid(), 0),
    }


def test_hook_refuses_with_a_sentence(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    (readonly / "lib.txt").write_text("lib")
    parent = os.getpid()

    def body() -> dict[str, str]:
        os.chdir(scratch)
        audit.install(str(scratch), [str(readonly)])
        results = {}
        for name, attempt in _attempts(scratch, readonly, parent).items():
            try:
                attempt()
                results[name] = "allowed"
            except PermissionError as error:
                results[name] = str(error)
        return results

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    results = outcome.value
    assert results["read outside"] == (
        "the sandbox cannot read '/etc/hostname': only its scratch folder and Python's files"
    )
    assert results["os.open outside"] == results["read outside"]
    assert results["write outside"].startswith("the sandbox can only write inside its scratch folder")
    assert results["subprocess"] == results["os.system"] == "the sandbox cannot start programs or processes"
    assert results["socket"] == "the sandbox has no network"
    assert results["kill parent"] == "the sandbox can only signal itself"
    for name in ("read readonly", "write scratch (relative)", "kill self"):
        assert results[name] == "allowed", name
    assert (scratch / "notes.txt").read_text() == "hi"
