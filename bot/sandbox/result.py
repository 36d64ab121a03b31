"""What a sandbox run produced, as a value.

Every way a run can end, including the pool refusing it, is a `Result`: a cog formats it and never has to catch
anything (snekbox's `EvalResult` is the model). The same dataclass travels from the worker to the pool as JSON.
"""

from __future__ import annotations

import json
import math
import signal as signal_module
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

ERROR_LINE_CHARS = 300


class Outcome(StrEnum):
    """How a run ended. The first group comes from running code; the last three are refusals by the pool."""

    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    OUTPUT_LIMIT = "output_limit"
    CRASHED = "crashed"
    BUSY = "busy"
    COOLDOWN = "cooldown"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class CaseResult:
    """One case of a `code` question as judged by `verdict.judge`: the reference's name, expected and actual
    values as short text (None when the member's check never reached the case), and where they differ."""

    name: str
    passed: bool
    expected: str | None = None
    actual: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class Result:
    """The outcome of one run, with everything a member is shown.

    `reason` is the plain-language half of the summary ("time limit (5 s)", "the sandbox queue is full"); it is
    empty for ordinary OK and ERROR runs, whose story is told by the output and `error_line`.
    """

    outcome: Outcome
    stdout: str = ""
    stderr: str = ""
    truncated: bool = False
    duration: float = 0.0
    layers: tuple[str, ...] = ()
    error_line: str | None = None
    signal: int | None = None
    retry_after: float | None = None
    reason: str = ""
    observations: tuple[dict[str, Any], ...] | None = None
    """What a check observed, as plain data (`observe.py`); None when no check ran to its report. Never trusted:
    `verdict.judge` compares it with the reference solution's."""
    check_stopped: str | None = None
    """Why the check stopped before its end (the exception line), when it did."""
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    """Milliseconds per step of the run (see `supervise._timings`), for the benchmark and the logs."""

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def refused(self) -> bool:
        """The pool did not run the code at all; asking again later may work."""
        return self.outcome in {Outcome.BUSY, Outcome.COOLDOWN, Outcome.UNAVAILABLE}

    def summary(self) -> str:
        """One plain line saying how the run ended: the time, or which limit stopped it."""
        match self.outcome:
            case Outcome.OK:
                return f"ok ({format_duration(self.duration)})"
            case Outcome.ERROR:
                return f"error: {self.error_line or self.reason or 'the code raised an exception'}"
            case Outcome.TIMEOUT | Outcome.MEMORY | Outcome.OUTPUT_LIMIT:
                return f"stopped: {self.reason or self.outcome.value.replace('_', ' ')}"
            case Outcome.CRASHED:
                if self.signal is not None:
                    return f"crashed: signal {self.signal} ({signal_name(self.signal)})"
                return f"crashed: {self.reason or 'the run ended unexpectedly'}"
            case Outcome.BUSY:
                return f"busy: {self.reason or 'the sandbox is busy'}; try again in {self._retry_text()}"
            case Outcome.COOLDOWN:
                return f"cooldown: try again in {self._retry_text()}"
            case Outcome.UNAVAILABLE:
                return f"unavailable: {self.reason or 'the sandbox is not available'}"

    def _retry_text(self) -> str:
        return f"{max(1, math.ceil(self.retry_after or 0))} s"

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "truncated": self.truncated,
            "duration": round(self.duration, 6),
            "layers": list(self.layers),
            "error_line": self.error_line,
            "signal": self.signal,
            "retry_after": self.retry_after,
            "reason": self.reason,
            "summary": self.summary(),
            "observations": None if self.observations is None else list(self.observations),
            "check_stopped": self.check_stopped,
            "timings": self.timings,
        }

    def to_json(self, **extra: Any) -> str:
        """One JSON object (one line); `extra` keys such as the CLI's ``file`` go first."""
        return json.dumps({**extra, **self.to_dict()}, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        """Rebuild a result sent by a worker; raises `KeyError`/`ValueError`/`TypeError` on a malformed one."""
        return cls(
            outcome=Outcome(data["outcome"]),
            stdout=str(data.get("stdout", "")),
            stderr=str(data.get("stderr", "")),
            truncated=bool(data.get("truncated", False)),
            duration=float(data.get("duration", 0.0)),
            layers=tuple(str(layer) for layer in data.get("layers", ())),
            error_line=_optional_str(data.get("error_line")),
            signal=None if data.get("signal") is None else int(data["signal"]),
            retry_after=None if data.get("retry_after") is None else float(data["retry_after"]),
            reason=str(data.get("reason", "")),
            observations=_observations(data.get("observations")),
            check_stopped=_optional_str(data.get("check_stopped")),
            timings={str(k): float(v) for k, v in dict(data.get("timings") or {}).items()},
        )

    @classmethod
    def from_json(cls, text: str) -> Result:
        """The inverse of `to_json` (extra keys are ignored); raises ValueError/KeyError/TypeError if malformed."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise TypeError("a result must be a JSON object")
        return cls.from_dict(data)


def refusal(outcome: Outcome, reason: str, retry_after: float | None = None) -> Result:
    """A result for code that was never run."""
    return Result(outcome=outcome, reason=reason, retry_after=retry_after)


def short_error_line(line: str) -> str:
    line = line.strip()
    return line if len(line) <= ERROR_LINE_CHARS else line[: ERROR_LINE_CHARS - 1] + "…"


def signal_name(number: int) -> str:
    try:
        return signal_module.Signals(number).name
    except ValueError:
        return "unknown signal"


def format_duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _observations(value: object) -> tuple[dict[str, Any], ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise TypeError("observations must be a list")
    return tuple(item if isinstance(item, dict) else {} for item in value)


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)
