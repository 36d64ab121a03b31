"""The report channel from a sandbox child to its worker: status, active layers and check cases.

It is a pipe of its own, separate from stdout and stderr, so nothing the snippet prints can pass for a report.
Each report is ``MAGIC + nonce + length + JSON``; the nonce is 16 random bytes drawn by the worker for this run
alone, and the worker keeps only the *last* well-formed report of each kind, so bytes written to the pipe
before the real report (by a snippet that found the descriptor) are ignored.

What this does NOT protect against, said plainly: the snippet runs in the same process as the check, before
it, with the same privileges. A snippet written to cheat can reach the nonce and the descriptor in memory (via
`gc`, frames or `ctypes`), monkeypatch `torch.equal` or the `expect` helper, or leave a thread behind that
rewrites the report, and so make its own check pass. Nothing in one address space can stop that; only running
the check in a process the snippet never touched could, and a check needs the snippet's objects. So check
cases are as trustworthy as the member: good for grading honest attempts and for tutoring feedback, not proof
against a member who studies this module to forge a pass. They never weaken isolation: a forged report can only
change that member's own result. (If cases ever gate something of value, grade from values the bot computes
itself, e.g. compare printed output against a key run separately.)
"""

from __future__ import annotations

import json
import struct
from typing import Any

from bot.sandbox.result import CaseResult

MAGIC = b"\x00TQ-REPORT\x00"
NONCE_BYTES = 16
LENGTH = struct.Struct(">I")
MAX_REPORT_BYTES = 1 << 20
"""The worker keeps at most this many trailing bytes of the channel; an honest report is far smaller."""
MAX_CASES = 200
MAX_NAME_CHARS = 200
MAX_REPR_CHARS = 500


def encode_report(nonce: bytes, kind: str, payload: dict[str, Any]) -> bytes:
    body = json.dumps({"kind": kind, **payload}, ensure_ascii=False).encode("utf-8", "backslashreplace")
    return MAGIC + nonce + LENGTH.pack(len(body)) + body


def parse_reports(data: bytes, nonce: bytes) -> dict[str, dict[str, Any]]:
    """The last well-formed report of each kind carrying this run's nonce; anything else is ignored."""
    marker = MAGIC + nonce
    reports: dict[str, dict[str, Any]] = {}
    start = data.find(marker)
    while start != -1:
        body_at = start + len(marker) + LENGTH.size
        if body_at <= len(data):
            (length,) = LENGTH.unpack_from(data, start + len(marker))
            report = _decode(data[body_at : body_at + length]) if body_at + length <= len(data) else None
            if report is not None:
                reports[report["kind"]] = report
        start = data.find(marker, start + 1)
    return reports


def _decode(body: bytes) -> dict[str, Any] | None:
    try:
        report = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if isinstance(report, dict) and isinstance(report.get("kind"), str):
        return report
    return None


def cases_from_report(report: dict[str, Any]) -> tuple[CaseResult, ...]:
    """Validate and bound the cases of a report; a malformed entry becomes a failed case, never an error."""
    raw = report.get("cases")
    if not isinstance(raw, list):
        return ()
    cases: list[CaseResult] = []
    for entry in raw[:MAX_CASES]:
        try:
            case = CaseResult.from_dict(entry)
        except (KeyError, TypeError, ValueError, AttributeError):
            case = CaseResult(name="malformed case", passed=False, detail="the check reported a malformed case")
        cases.append(
            CaseResult(
                name=_clip(case.name, MAX_NAME_CHARS),
                passed=case.passed,
                expected=None if case.expected is None else _clip(case.expected, MAX_REPR_CHARS),
                actual=None if case.actual is None else _clip(case.actual, MAX_REPR_CHARS),
                detail=_clip(case.detail, MAX_REPR_CHARS),
            )
        )
    if len(raw) > MAX_CASES:
        cases.append(CaseResult(name="too many cases", passed=False, detail=f"only {MAX_CASES} are kept"))
    return tuple(cases)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
