"""Capability layer alone: nothing effective, permitted, inheritable, ambient or in the bounding set."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from bot.sandbox.isolation import capabilities
from tests.sandbox.attacks._harness import libc_call, run_in_child

NOBODY = 65534


def _status_field(name: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(name + ":"):
                return int(line.split()[1], 16)
    raise KeyError(name)


def test_every_set_is_empty_and_no_new_privs_is_set() -> None:
    def body() -> dict[str, int]:
        capabilities.drop_all()
        capabilities.set_no_new_privs()
        assert libc_call("prctl", 3, 0, 0, 0, 0) == (0, 0)  # PR_GET_DUMPABLE: other runs cannot ptrace us
        return {
            field: _status_field(field) for field in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs")
        }

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    expected_bounding = 0 if os.geteuid() == 0 else outcome.value["CapBnd"]  # non-root cannot shrink it
    assert outcome.value == {
        "CapInh": 0,
        "CapPrm": 0,
        "CapEff": 0,
        "CapBnd": expected_bounding,
        "CapAmb": 0,
        "NoNewPrivs": 1,
    }


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to own a file for another uid")
def test_root_without_capabilities_cannot_override_file_permissions(tmp_path: Path) -> None:
    """Root normally reads anyone's 0600 file (CAP_DAC_OVERRIDE) and chowns anything (CAP_CHOWN)."""
    private = tmp_path / "nobody.txt"
    private.write_text("nobody's")
    private.chmod(0o600)
    os.chown(private, NOBODY, NOBODY)

    def body() -> list[int]:
        results = [len(private.read_text())]  # control: with capabilities it works
        capabilities.drop_all()
        for attempt in (private.read_text, lambda: os.chown(private, 0, 0)):
            try:
                attempt()
                results.append(0)
            except PermissionError as error:
                results.append(error.errno or -1)
        return results

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == [8, errno.EACCES, errno.EPERM]
