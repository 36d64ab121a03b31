"""Observations as plain data (`observe.py`) and the verdict made from them outside any run (`verdict.py`).

These run in the test process: encoding needs torch, judging needs only numpy, neither needs a sandbox.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import torch

from bot.sandbox.observe import Observer, encode, run_check
from bot.sandbox.verdict import DEFAULT_ATOL, compare, judge, show


def observed(*cases: tuple[str, Any], **tolerances: float) -> list[dict[str, Any]]:
    """Observations as they arrive in a report: through JSON, never as Python objects."""
    observer = Observer()
    for name, value in cases:
        observer.expect(name, value, **tolerances)
    decoded: list[dict[str, Any]] = json.loads(json.dumps(observer.observations))
    return decoded


def same(expected: Any, actual: Any, **tolerances: float) -> str | None:
    reference, member = observed(("case", expected), **tolerances), observed(("case", actual))
    return judge(reference, member, member_stopped=None).cases[0].detail or None


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        (torch.tensor([0.3]), torch.tensor([0.1 + 0.2])),
        (torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")])),
        (torch.tensor([1, 2]), torch.tensor([1, 2])),
        (torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0])),
        (torch.tensor([1.0], dtype=torch.bfloat16), torch.tensor([1.0], dtype=torch.bfloat16)),
        (np.array([1.5, 2.5], dtype=np.float32), np.array([1.5, 2.5], dtype=np.float32)),
        (0.3, 0.1 + 0.2),
        (10.0, 10),
        (float("inf"), float("inf")),
        ((8, 4), [8, 4]),
        (torch.Size([2, 3]), (2, 3)),
        ({"b": 1, "a": [True, None]}, {"a": [True, None], "b": 1}),
        (torch.float32, torch.float32),
        ("text", "text"),
    ],
)
def test_matching_observations_pass(expected: Any, actual: Any) -> None:
    assert same(expected, actual) is None


@pytest.mark.parametrize(
    ("expected", "actual", "detail"),
    [
        (torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.5, 3.5]), "2 of 3 elements differ; first at [1]"),
        (torch.zeros(2, 3), torch.zeros(3, 2), "shape (3, 2), expected (2, 3)"),
        (torch.zeros(2), torch.zeros(2, dtype=torch.float64), "dtype torch.float64, expected torch.float32"),
        (torch.tensor([2.0]), [2.0], "expected a tensor, got a list or tuple"),
        (torch.tensor([2.0]), np.array([2.0], dtype=np.float32), "expected a tensor, got a numpy array"),
        (1.0, 1.5, "differs by 0.5"),
        (3, 4, "not equal"),
        (True, 1, "expected a bool, got a number"),
        ([1, 2], [1, 2, 3], "expected 2 items, got 3"),
        ([[1.0, 2.0]], [[1.0, 9.0]], "differs by 7 at [0][1]"),
        ({"a": 1}, {"b": 1}, "expected keys ['a'], got ['b']"),
        (torch.tensor([1.0]), object(), "got a value that cannot be compared: object"),
    ],
)
def test_differences_say_where_they_are(expected: Any, actual: Any, detail: str) -> None:
    found = same(expected, actual)
    assert found is not None and found.startswith(detail), found


def test_the_reference_tolerance_decides_not_the_member() -> None:
    reference = observed(("loss", 1.0), atol=0.1)
    loose_member = observed(("loss", 1.05), atol=10.0)
    far_member = observed(("loss", 3.0), atol=10.0)  # the member's own tolerance counts for nothing
    assert judge(reference, loose_member, member_stopped=None).passed
    assert not judge(reference, far_member, member_stopped=None).passed
    assert (
        compare({"k": "float", "v": 1.0}, {"k": "float", "v": 1.0 + DEFAULT_ATOL / 2}, atol=DEFAULT_ATOL, rtol=0)
        is None
    )


def test_missing_partial_renamed_and_extra_reports_fail() -> None:
    reference = observed(("first", 1), ("second", 2))
    nothing = judge(reference, None, member_stopped=None)
    assert not nothing.passed and nothing.reason == "your code ended before the check ran"
    assert [case.detail for case in nothing.cases] == ["your code ended before the check ran"] * 2

    partial = judge(reference, observed(("first", 1)), member_stopped="NameError: name 'f' is not defined")
    assert not partial.passed
    assert [case.passed for case in partial.cases] == [True, False]
    assert partial.cases[1].detail == "the check stopped: NameError: name 'f' is not defined"

    renamed = judge(reference, observed(("first", 1), ("forged", 2)), member_stopped=None)
    assert not renamed.passed and renamed.cases[1].detail == "the check reported 'forged' here"

    extra = judge(reference, observed(("first", 1), ("second", 2), ("third", 3)), member_stopped=None)
    assert not extra.passed and extra.reason == "the check reported 3 cases, the question has 2"

    assert not judge(reference, [], member_stopped=None).passed
    assert judge(reference, observed(("first", 1), ("second", 2)), member_stopped=None).passed


@pytest.mark.parametrize(
    "forged",
    [
        {"name": "case", "value": {"k": "tensor", "dtype": "torch.float32", "shape": [1], "storage": "<f4"}},
        {
            "name": "case",
            "value": {"k": "tensor", "dtype": "torch.float32", "shape": [9], "storage": "<f4", "data": "AAAAAA=="},
        },
        {"name": "case", "value": {"k": "tensor", "dtype": "torch.float32", "shape": [1], "storage": "O", "data": ""}},
        {"name": "case", "value": {"k": "seq", "v": "not a list"}},
        {"name": "case", "value": {"k": "made-up"}},
        {"name": "case", "value": None},
        "not even a dict",
    ],
)
def test_malformed_member_observations_fail_without_raising(forged: Any) -> None:
    judgement = judge(observed(("case", torch.tensor([1.0]))), [forged], member_stopped=None)
    assert not judgement.passed


def test_values_are_shown_as_a_member_would_print_them() -> None:
    [gradient] = observed(("g", torch.tensor([-1.0])))
    assert show(gradient["value"]) == "tensor([-1.])"
    [ints] = observed(("i", torch.tensor([1, 2], dtype=torch.int32)))
    assert show(ints["value"]) == "tensor([1, 2], dtype=torch.int32)"
    [many] = observed(("m", list(range(20))))
    assert show(many["value"]).endswith(", …]")


def test_encoding_is_bounded_and_never_raises() -> None:
    class Hostile:
        def __len__(self) -> int:
            raise RuntimeError("no")

    assert encode(Hostile())["k"] == "unsupported"
    assert encode(torch.zeros(1_000_000))["k"] == "unsupported"  # 4 MB of data is more than a check needs
    deep: list[Any] = []
    for _ in range(20):
        deep = [deep]
    assert encode(deep)["k"] == "unsupported"
    assert encode({1: "x"})["k"] == "unsupported"
    assert json.loads(json.dumps(encode(float("nan")))) == {"k": "float", "v": "nan"}


def test_a_check_gets_its_seed_and_reports_where_it_stopped() -> None:
    namespace: dict[str, Any] = {"double": lambda value: value * 2}
    check = (
        "g = torch.Generator().manual_seed(seed)\n"
        "expect('doubled', double(torch.rand(2, generator=g)))\n"
        "expect('nope', missing)\n"
    )
    namespace["torch"] = torch
    first, stopped = run_check(check, namespace, seed=7)
    again, _ = run_check(check, dict(namespace), seed=7)
    other, _ = run_check(check, dict(namespace), seed=8)
    assert stopped == "NameError: name 'missing' is not defined"
    assert "g" not in namespace and "expect" not in namespace  # the member's globals are left as they were
    assert [case["name"] for case in first] == ["doubled"]
    assert first == again and first != other
