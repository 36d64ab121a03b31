"""How `expect` compares values; runs in the test process (no sandbox needed for the comparison rules)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from bot.sandbox.grading import CaseRecorder, compare, run_check, short_repr


@pytest.mark.parametrize(
    ("actual", "expected", "options"),
    [
        (torch.tensor(14.0), torch.tensor(14.0), {}),
        (torch.tensor([0.1 + 0.2]), torch.tensor([0.3]), {}),
        (torch.tensor([1, 2]), [1, 2], {}),
        (torch.tensor([1.0, 2.0], requires_grad=True), np.array([1.0, 2.0]), {}),
        (torch.tensor(1.05), 1.0, {"atol": 0.1}),
        (0.1 + 0.2, 0.3, {}),
        (np.float32(0.5), 0.5, {}),
        ("text", "text", {}),
        ((8, 4), (8, 4), {}),
    ],
)
def test_matching_values_pass(actual: Any, expected: Any, options: dict[str, float]) -> None:
    assert compare(actual, expected, atol=options.get("atol"), rtol=options.get("rtol")) == (True, "")


@pytest.mark.parametrize(
    ("actual", "expected", "detail"),
    [
        (torch.tensor(14.0), torch.tensor(12.0), "max difference 2"),
        (torch.zeros(2, 3), torch.zeros(3, 2), "shape (2, 3) != expected (3, 2)"),
        (torch.tensor([1, 2, 3]), torch.tensor([1, 0, 0]), "2 of 3 elements differ"),
        (1.5, 1.0, "differs by 0.5"),
        (3, 4, "not equal"),
        (torch.tensor(1.0), "one", "cannot compare as tensors: "),
    ],
)
def test_mismatches_say_why(actual: Any, expected: Any, detail: str) -> None:
    passed, why = compare(actual, expected, atol=None, rtol=None)
    assert not passed and why.startswith(detail)


def test_check_records_cases_and_stops_at_a_failed_assert() -> None:
    recorder = CaseRecorder()
    namespace: dict[str, Any] = {"torch": torch, "w": torch.ones(8, 4)}
    run_check(
        "expect('ones', w.sum(), 32.0)\nassert w.shape == (4, 8), 'layer is 4 → 8'\nexpect('x', 1, 1)\n",
        namespace,
        recorder,
    )
    assert [(case.name, case.passed) for case in recorder.cases] == [("ones", True), ("layer is 4 → 8", False)]
    assert recorder.cases[1].detail == "assert w.shape == (4, 8), 'layer is 4 → 8'"


def test_assert_without_message_is_named_by_line() -> None:
    recorder = CaseRecorder()
    run_check("x = 1\nassert x == 2\n", {}, recorder)
    assert recorder.cases[0].name == "assertion at line 2"


def test_broken_member_objects_fail_the_case_not_the_check() -> None:
    class Hostile:
        __hash__ = None  # type: ignore[assignment]

        def __eq__(self, other: object) -> bool:
            raise RuntimeError("no")

        def __repr__(self) -> str:
            raise RuntimeError("nor this")

    recorder = CaseRecorder()
    assert recorder.expect("hostile", Hostile(), 1) is False
    (case,) = recorder.cases
    assert case.detail == "comparison failed: RuntimeError: no"
    assert case.actual == "<unprintable Hostile: RuntimeError: nor this>"


def test_reprs_are_one_short_line() -> None:
    text = short_repr(torch.arange(10000.0).reshape(100, 100))
    assert "\n" not in text and len(text) == 200 and text.endswith("…")
