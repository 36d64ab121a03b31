"""The report channel from a runner to its worker: the layers that went on, then how the run ended.

It is a pipe of its own, separate from stdout and stderr, so nothing the snippet prints is mistaken for a report.
Each report is ``MAGIC + length + JSON``; the worker keeps the *last* well-formed report of each kind.

The snippet can write to this pipe too, so a report is only ever the member's own claim about their own run:
it may change how that run is described (its status line), never a verdict. Whether code passes a question is
decided by `verdict.py` from the observations, compared with a reference run the member's code never touched.
"""

from __future__ import annotations

import json
import struct
from typing import Any

MAGIC = b"\x00TQ-REPORT\x00"
LENGTH = struct.Struct(">I")
MAX_REPORT_BYTES = 4 << 20
"""The worker keeps at most this many trailing bytes of the channel; observations of small tensors fit easily."""


def encode_report(kind: str, payload: dict[str, Any]) -> bytes:
    body = json.dumps({"kind": kind, **payload}, ensure_ascii=False).encode("utf-8", "backslashreplace")
    return MAGIC + LENGTH.pack(len(body)) + body


def parse_reports(data: bytes) -> dict[str, dict[str, Any]]:
    """The last well-formed report of each kind; anything else is ignored."""
    reports: dict[str, dict[str, Any]] = {}
    start = data.find(MAGIC)
    while start != -1:
        body_at = start + len(MAGIC) + LENGTH.size
        if body_at <= len(data):
            (length,) = LENGTH.unpack_from(data, start + len(MAGIC))
            report = _decode(data[body_at : body_at + length]) if body_at + length <= len(data) else None
            if report is not None:
                reports[report["kind"]] = report
        start = data.find(MAGIC, start + 1)
    return reports


def _decode(body: bytes) -> dict[str, Any] | None:
    try:
        report = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    if isinstance(report, dict) and isinstance(report.get("kind"), str):
        return report
    return None
