"""The end of a test server's log, for error messages that say why it would not start or answer."""

from __future__ import annotations

from pathlib import Path


def log_tail(path: Path, lines: int = 20) -> str:
    """The last `lines` lines of the server log at `path`, headed for an error message; empty when there is none."""
    try:
        text = path.read_text(errors="replace")
    except (OSError, RuntimeError):
        return ""
    return "\nserver log:\n" + "\n".join(text.splitlines()[-lines:]) if text else ""
