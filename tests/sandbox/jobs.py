"""A job with the default limits, for tests that exercise the protocol and the supervisor directly."""

from __future__ import annotations

from typing import Any

from bot.sandbox.protocol import Job


def sample_job(**changes: Any) -> Job:
    fields: dict[str, Any] = {
        "id": 1,
        "code": "",
        "check": None,
        "wall_seconds": 5.0,
        "cpu_seconds": 5,
        "memory_bytes": 512 * 2**20,
        "output_bytes": 65536,
        "file_size_bytes": 2**24,
        "scratch_bytes": 2**25,
        "open_files": 64,
        "use_namespaces": True,
    }
    return Job(**(fields | changes))
