"""Admission rules and availability, without any process: a fake clock drives the cooldown and the estimates."""

from __future__ import annotations

from bot.sandbox import Outcome, SandboxLimits
from bot.sandbox.admission import Admission
from bot.sandbox.isolation import LayerStatus
from bot.sandbox.pool import isolation_problem


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make(**limits: float) -> tuple[Admission, Clock]:
    clock = Clock()
    return Admission(SandboxLimits(**limits), clock=clock), clock  # type: ignore[arg-type]


def test_queue_bound_is_workers_plus_queue_size() -> None:
    admission, _ = make(workers=1, queue_size=2)
    for _ in range(3):
        assert admission.refuse(None) is None
        admission.admit(None)
    refused = admission.refuse(None)
    assert refused is not None and refused.outcome is Outcome.BUSY
    assert refused.reason == "the sandbox queue is full"
    assert refused.retry_after == 3.0  # three typical one-second runs ahead of it on the one worker


def test_retry_estimate_follows_recent_durations() -> None:
    admission, _ = make(workers=1, queue_size=0)
    for duration in (3.0, 3.0, 3.0, 3.0):
        admission.finish(admission.admit(None), duration)
    admission.admit(None)
    refused = admission.refuse(None)
    assert refused is not None and refused.retry_after is not None
    assert 2.0 < refused.retry_after <= 3.0


def test_one_run_per_member_then_cooldown_then_free() -> None:
    admission, clock = make(cooldown_seconds=3.0, wall_seconds=5.0)
    ticket = admission.admit(42)
    clock.now += 1
    busy = admission.refuse(42)
    assert busy is not None and busy.outcome is Outcome.BUSY
    assert busy.retry_after == 7.0  # four seconds of the wall limit left, then the cooldown
    assert admission.refuse(43) is None
    admission.finish(ticket, 0.5)
    clock.now += 1
    cooling = admission.refuse(42)
    assert cooling is not None and cooling.outcome is Outcome.COOLDOWN and cooling.retry_after == 2.0
    clock.now += 2
    assert admission.refuse(42) is None
    assert admission.refuse(None) is None  # anonymous runs (CLI, pack checks) have no cooldown


def test_a_run_that_never_started_costs_no_cooldown() -> None:
    admission, _ = make(cooldown_seconds=3.0)
    admission.finish(admission.admit(42))
    assert admission.refuse(42) is None
    assert admission.active == 0


def test_per_member_limit_can_be_raised() -> None:
    admission, _ = make(per_member=2)
    admission.admit(1)
    assert admission.refuse(1) is None
    admission.admit(1)
    assert admission.refuse(1) is not None


def test_missing_required_layers_make_the_sandbox_unavailable() -> None:
    layers = (
        LayerStatus("namespaces", False, False, "refused by the host"),
        LayerStatus("rlimits", True, True, "ok"),
        LayerStatus("landlock", True, False, "kernel without Landlock"),
    )
    assert isolation_problem(layers) == (
        "required isolation layers unavailable: landlock (kernel without Landlock), seccomp (not probed), "
        "task-limit (not probed)"
    )
    working = (
        *layers[:2],
        LayerStatus("task-limit", True, True, "RLIMIT_NPROC 16"),
        LayerStatus("landlock", True, True, "ABI 7"),
        LayerStatus("seccomp", True, True, "ok"),
    )
    assert isolation_problem(working) is None  # namespaces are optional
