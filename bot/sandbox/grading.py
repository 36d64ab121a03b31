"""Check code for `code` questions: the `expect(...)` helper and how a check is run after the snippet.

A pack's check runs in the snippet's namespace, after the snippet, with `expect` injected::

    expect("gradient", x.grad, torch.tensor(14.0))
    expect("loss went down", losses[-1] < losses[0], True)
    assert model[0].weight.shape == (8, 4), "first layer is 4 → 8"

Tensors (and numpy arrays) are compared by shape and value: `torch.equal` for integer and bool data,
`torch.allclose` (torch's default tolerances unless `atol`/`rtol` are given) when either side is floating point.
Plain floats use the same tolerance rule; anything else uses `==`. A failed `assert` becomes a failed case named
after its message and stops the check, as it would in pytest. See `report.py` for how far cases can be trusted.

This module imports torch, so only the worker and its children load it; the bot process never does.
"""

from __future__ import annotations

import math
import re
import traceback
from typing import Any

import numpy as np
import torch

from bot.sandbox.result import CaseResult

REPR_CHARS = 200
DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-8
CHECK_FILENAME = "<check>"


class CaseRecorder:
    """Collects the cases of one check run; `expect` is the callable handed to the check."""

    def __init__(self) -> None:
        self.cases: list[CaseResult] = []

    def expect(
        self, name: str, actual: Any, expected: Any, *, atol: float | None = None, rtol: float | None = None
    ) -> bool:
        """Record case `name`; returns whether it passed so a check may branch on it."""
        try:
            passed, detail = compare(actual, expected, atol=atol, rtol=rtol)
        except Exception as exc:  # a broken __eq__ of the member's object fails the case, not the check
            passed, detail = False, f"comparison failed: {_exception_line(exc)}"
        self.cases.append(
            CaseResult(
                name=str(name),
                passed=passed,
                expected=short_repr(expected),
                actual=short_repr(actual),
                detail=detail,
            )
        )
        return passed

    def fail(self, name: str, detail: str) -> None:
        self.cases.append(CaseResult(name=name, passed=False, detail=detail))


def compare(actual: Any, expected: Any, *, atol: float | None, rtol: float | None) -> tuple[bool, str]:
    """Whether `actual` matches `expected`, and a short reason when it does not."""
    if _is_array(actual) or _is_array(expected):
        return _compare_tensors(actual, expected, atol=atol, rtol=rtol)
    if _is_real(actual) and _is_real(expected) and (_is_inexact(actual) or _is_inexact(expected)):
        tolerance = (DEFAULT_ATOL if atol is None else atol) + (DEFAULT_RTOL if rtol is None else rtol) * abs(expected)
        difference = abs(actual - expected)
        if difference <= tolerance or (math.isinf(actual) and actual == expected):
            return True, ""
        return False, f"differs by {difference:.3g}"
    return (True, "") if bool(actual == expected) else (False, "not equal")


def _compare_tensors(actual: Any, expected: Any, *, atol: float | None, rtol: float | None) -> tuple[bool, str]:
    try:
        left = torch.as_tensor(actual).detach()
        right = torch.as_tensor(expected).detach()
    except (TypeError, ValueError, RuntimeError) as exc:
        return False, f"cannot compare as tensors: {_exception_line(exc)}"
    if left.shape != right.shape:
        return False, f"shape {tuple(left.shape)} != expected {tuple(right.shape)}"
    dtype = torch.promote_types(left.dtype, right.dtype)
    inexact = dtype.is_floating_point or dtype.is_complex
    if not inexact and atol is None and rtol is None:
        same = torch.eq(left.to(dtype), right.to(dtype))
        mismatches = int((~same).sum())
        return (True, "") if mismatches == 0 else (False, f"{mismatches} of {same.numel()} elements differ")
    if not inexact:
        dtype = torch.float64
    left, right = left.to(dtype), right.to(dtype)
    rtol_value = DEFAULT_RTOL if rtol is None else rtol
    atol_value = DEFAULT_ATOL if atol is None else atol
    if torch.allclose(left, right, rtol=rtol_value, atol=atol_value):
        return True, ""
    difference = (left - right).abs().max().item() if left.numel() else 0.0
    return False, f"max difference {difference:.3g}"


def run_check(source: str, namespace: dict[str, Any], recorder: CaseRecorder) -> None:
    """Execute a check in the snippet's namespace; every failure of the check itself becomes a failed case."""
    namespace["expect"] = recorder.expect
    try:
        exec(compile(source, CHECK_FILENAME, "exec"), namespace)  # the pack's own check code, by design
    except AssertionError as exc:
        message = str(exc).strip()
        recorder.fail(message or f"assertion at line {_check_line(exc)}", _source_line(source, exc))
    except BaseException as exc:  # NameError when the member did not define what the check uses; even exit()
        recorder.fail("check could not finish", _exception_line(exc))


def short_repr(value: Any, limit: int = REPR_CHARS) -> str:
    """A one-line repr: tensor reprs span lines, and a member only needs enough to see the difference."""
    try:
        text = repr(value)
    except Exception as exc:  # a member's __repr__ may raise
        text = f"<unprintable {type(value).__name__}: {_exception_line(exc)}>"
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_array(value: Any) -> bool:
    return isinstance(value, torch.Tensor | np.ndarray)


def _is_real(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _is_inexact(value: Any) -> bool:
    return isinstance(value, float | np.floating)


def _exception_line(exc: BaseException) -> str:
    return traceback.format_exception_only(exc)[-1].strip()


def _check_line(exc: BaseException) -> int:
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == CHECK_FILENAME]
    return frames[-1].lineno or 0 if frames else 0


def _source_line(source: str, exc: BaseException) -> str:
    line_number = _check_line(exc)
    lines = source.splitlines()
    return lines[line_number - 1].strip() if 0 < line_number <= len(lines) else ""
