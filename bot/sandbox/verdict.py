"""The verdict on a `code` submission: the member's observations against the reference solution's, case by case.

This runs in the bot process (numpy only, no torch), on plain data that came out of two separate runs, so
nothing the member's code does can reach it. The reference run is trusted for everything: the case names, their
order and count, the tolerances, and the values. The member's report is trusted for nothing: a case missing,
renamed, malformed or out of order fails, and zero cases is never a pass.

Rules: tensors and numpy arrays match when their kind, dtype and shape are equal and their values are close
(`allclose` with the reference's atol/rtol, defaults 1e-8 and 1e-5, NaN equal to NaN) for floating and complex
data, equal otherwise; a failure names the first difference (kind, dtype, shape, or the index of the first
differing element). Python ints and floats compare as numbers (with the tolerance when either is a float);
bools, strings and dtypes compare exactly; sequences and dicts element by element.
"""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.sandbox.result import CaseResult

DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-8
SHOW_CHARS = 160
SHOW_ELEMENTS = 8


class Malformed(Exception):
    """An observation that does not follow the encoding of `observe.py`."""


@dataclass(frozen=True)
class Judgement:
    """Every case of the reference, each passed or failed, and one line saying why the submission failed."""

    cases: tuple[CaseResult, ...]
    reason: str

    @property
    def passed(self) -> bool:
        return bool(self.cases) and all(case.passed for case in self.cases) and not self.reason


def judge(
    reference: list[dict[str, Any]],
    member: list[Any] | None,
    *,
    member_stopped: str | None,
    member_problem: str | None = None,
) -> Judgement:
    """Compare the member's observations with the reference's.

    ``member`` is None when no final report came back (the code ended the process, or a limit stopped it);
    ``member_problem`` is the run's own one-line story (time limit, an error in the member's code).
    """
    if not reference:
        raise ValueError("the reference run made no observations")
    if member is None:
        reason = member_problem or "your code ended before the check ran"
        return Judgement(tuple(_not_reached(case, reason) for case in reference), reason)
    cases: list[CaseResult] = []
    reason = ""
    for index, expected in enumerate(reference):
        name = str(expected["name"])
        if index >= len(member):
            why = f"the check stopped: {member_stopped}" if member_stopped else "the check did not reach this case"
            cases.append(CaseResult(name=name, passed=False, detail=why))
            reason = reason or why
            continue
        got = member[index]
        if not isinstance(got, dict) or got.get("name") != name:
            shown = got.get("name") if isinstance(got, dict) else None
            detail = f"the check reported {str(shown)[:80]!r} here" if shown is not None else "malformed report"
            cases.append(CaseResult(name=name, passed=False, detail=detail))
            reason = reason or "the check's report does not match the question's cases"
            continue
        cases.append(_judge_case(name, expected, got))
    if len(member) > len(reference):
        reason = reason or f"the check reported {len(member)} cases, the question has {len(reference)}"
    return Judgement(tuple(cases), reason)


def _not_reached(expected: dict[str, Any], reason: str) -> CaseResult:
    return CaseResult(name=str(expected["name"]), passed=False, detail=reason)


def _judge_case(name: str, expected: dict[str, Any], got: dict[str, Any]) -> CaseResult:
    atol = _tolerance(expected.get("atol"), DEFAULT_ATOL)
    rtol = _tolerance(expected.get("rtol"), DEFAULT_RTOL)
    want, have = expected.get("value"), got.get("value")
    try:
        difference = compare(want, have, atol=atol, rtol=rtol)
        shown_expected, shown_actual = show(want), show(have)
    except Malformed as exc:
        return CaseResult(name=name, passed=False, detail=f"malformed observation: {exc}")
    return CaseResult(
        name=name,
        passed=difference is None,
        expected=shown_expected,
        actual=shown_actual,
        detail=difference or "",
    )


def _tolerance(value: object, default: float) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value >= 0:
        return float(value)
    return default


# --- comparison -------------------------------------------------------------------------------------------


def compare(expected: Any, actual: Any, *, atol: float, rtol: float, path: str = "") -> str | None:
    """None when ``actual`` matches ``expected``, else where and how they first differ."""
    kind, other = _kind(expected), _kind(actual)
    where = f" at {path}" if path else ""
    if kind == "unsupported":
        raise Malformed(f"the reference observed an unsupported value ({expected.get('type')})")
    if other == "unsupported":
        return f"got a value that cannot be compared{where}: {actual.get('type', '?')}"
    if kind in {"int", "float"} and other in {"int", "float"}:
        return _compare_numbers(expected["v"], actual["v"], atol=atol, rtol=rtol, where=where)
    if kind != other:
        return f"expected {_KIND_NAMES.get(kind, kind)}{where}, got {_KIND_NAMES.get(other, other)}"
    if kind in {"tensor", "ndarray"}:
        return _compare_arrays(expected, actual, atol=atol, rtol=rtol, where=where)
    if kind == "seq":
        left, right = _list(expected["v"]), _list(actual["v"])
        if len(left) != len(right):
            return f"expected {len(left)} items{where}, got {len(right)}"
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            if (found := compare(a, b, atol=atol, rtol=rtol, path=f"{path}[{index}]")) is not None:
                return found
        return None
    if kind == "dict":
        left_items, right_items = dict(_pairs(expected["v"])), dict(_pairs(actual["v"]))
        if sorted(left_items) != sorted(right_items):
            return f"expected keys {sorted(left_items)[:10]}{where}, got {sorted(right_items)[:10]}"
        for key in sorted(left_items):
            found = compare(left_items[key], right_items[key], atol=atol, rtol=rtol, path=f"{path}[{key!r}]")
            if found is not None:
                return found
        return None
    if kind == "none":
        return None
    return None if expected.get("v") == actual.get("v") else f"not equal{where}"


_KIND_NAMES = {
    "none": "None",
    "bool": "a bool",
    "int": "a number",
    "float": "a number",
    "str": "a string",
    "seq": "a list or tuple",
    "dict": "a dict",
    "tensor": "a tensor",
    "ndarray": "a numpy array",
    "dtype": "a dtype",
}


def _kind(value: Any) -> str:
    if not isinstance(value, dict) or not isinstance(value.get("k"), str):
        raise Malformed("an observation without a kind")
    kind = str(value["k"])
    if kind not in _KIND_NAMES and kind != "unsupported":
        raise Malformed(f"unknown kind {kind[:20]!r}")
    return kind


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise Malformed("a sequence that is not a list")
    return value


def _pairs(value: Any) -> list[tuple[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(p, list) and len(p) == 2 for p in value):
        raise Malformed("a dict that is not a list of pairs")
    return [(str(key), item) for key, item in value]


def _number(value: Any) -> float | int:
    if isinstance(value, str) and value in {"nan", "inf", "-inf"}:
        return float(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise Malformed("a number that is not a number")


def _compare_numbers(expected: Any, actual: Any, *, atol: float, rtol: float, where: str) -> str | None:
    want, have = _number(expected), _number(actual)
    if isinstance(want, int) and isinstance(have, int):
        return None if want == have else f"not equal{where}"
    if math.isnan(want) and math.isnan(have):
        return None
    if math.isinf(want) or math.isinf(have):
        return None if want == have else f"not equal{where}"
    difference = abs(have - want)
    return None if difference <= atol + rtol * abs(want) else f"differs by {difference:.3g}{where}"


def decode_array(value: dict[str, Any]) -> np.ndarray:
    """The numpy array an encoded tensor or array holds."""
    try:
        storage = np.dtype(str(value["storage"]))
        shape = tuple(int(size) for size in value["shape"])
        raw = base64.b64decode(str(value["data"]), validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise Malformed(f"an array that cannot be decoded ({exc})") from exc
    if storage.hasobject or any(size < 0 for size in shape):
        raise Malformed("an array with an unusable dtype or shape")
    if len(raw) != storage.itemsize * math.prod(shape):
        raise Malformed("an array whose data does not fit its shape")
    return np.frombuffer(raw, dtype=storage).reshape(shape)


def _compare_arrays(
    expected: dict[str, Any], actual: dict[str, Any], *, atol: float, rtol: float, where: str
) -> str | None:
    if expected.get("dtype") != actual.get("dtype"):
        return f"dtype {actual.get('dtype')}{where}, expected {expected.get('dtype')}"
    want, have = decode_array(expected), decode_array(actual)
    if want.shape != have.shape:
        return f"shape {tuple(have.shape)}{where}, expected {tuple(want.shape)}"
    if want.size == 0:
        return None
    if want.dtype.kind in "fc" or have.dtype.kind in "fc":
        with np.errstate(invalid="ignore", over="ignore"):
            close = np.isclose(have, want, atol=atol, rtol=rtol, equal_nan=True)
    else:
        close = have == want
    if bool(np.all(close)):
        return None
    first = tuple(int(i) for i in np.argwhere(~close)[0])
    index = ", ".join(str(i) for i in first)
    mismatches = int(np.count_nonzero(~close))
    return (
        f"{mismatches} of {want.size} elements differ{where}; first at [{index}]: "
        f"expected {_scalar(want[first])}, got {_scalar(have[first])}"
    )


# --- showing values ----------------------------------------------------------------------------------------


def show(value: Any) -> str:
    """A short, one-line rendering of an observation, close to how Python and torch print it."""
    text = _show(value)
    return text if len(text) <= SHOW_CHARS else text[: SHOW_CHARS - 1] + "…"


def _show(value: Any) -> str:
    kind = _kind(value)
    if kind == "none":
        return "None"
    if kind in {"bool", "int", "str", "dtype"}:
        return repr(value.get("v")) if kind == "str" else str(value.get("v"))
    if kind == "float":
        number = _number(value.get("v"))
        return repr(float(number))
    if kind == "seq":
        items = _list(value["v"])
        shown = ", ".join(_show(item) for item in items[:SHOW_ELEMENTS])
        return f"[{shown}{', …' if len(items) > SHOW_ELEMENTS else ''}]"
    if kind == "dict":
        pairs = _pairs(value["v"])
        shown = ", ".join(f"{key!r}: {_show(item)}" for key, item in pairs[:SHOW_ELEMENTS])
        return "{" + shown + (", …" if len(pairs) > SHOW_ELEMENTS else "") + "}"
    if kind in {"tensor", "ndarray"}:
        array = decode_array(value)
        body = np.array2string(array, separator=", ", threshold=SHOW_ELEMENTS, edgeitems=3, precision=4)
        body = " ".join(body.split())
        dtype = str(value.get("dtype"))
        if kind == "tensor":
            suffix = "" if dtype in {"torch.float32", "torch.int64", "torch.bool"} else f", dtype={dtype}"
            return f"tensor({body}{suffix})"
        return f"array({body}, dtype={dtype})"
    return f"<{value.get('type', 'unsupported')}>"


def _scalar(item: Any) -> str:
    value = item.item() if hasattr(item, "item") else item
    return repr(value)
