"""rlimits layer alone: CPU, memory, file size and descriptors are bounded with clean errors."""

from __future__ import annotations

import mmap
import os
import resource
import signal
import time
from pathlib import Path

from bot.sandbox.isolation import rlimits
from tests.sandbox.attacks._harness import run_in_child

MIB = 2**20


def _limits(cpu: int = 1, memory: int = 256 * MIB, fsize: int = MIB, nofile: int = 32) -> None:
    rlimits.apply(cpu_seconds=cpu, memory_bytes=memory, file_size_bytes=fsize, open_files=nofile, max_processes=None)


def _spin() -> None:
    while True:
        pass


def test_cpu_spin_raises_timeout_error() -> None:
    def body() -> str:
        _limits(cpu=1)
        try:
            _spin()
        except TimeoutError as error:
            return str(error)
        return "unreachable"  # pragma: no cover

    started = time.monotonic()
    outcome = run_in_child(body, timeout=10)
    assert outcome.value == "CPU time limit exceeded", outcome
    assert time.monotonic() - started < 5


def test_cpu_spin_ignoring_sigxcpu_is_killed_at_the_hard_limit() -> None:
    def body() -> None:
        _limits(cpu=1)
        signal.signal(signal.SIGXCPU, signal.SIG_IGN)
        _spin()

    outcome = run_in_child(body, timeout=10)
    assert outcome.signal == signal.SIGKILL, outcome


def test_cpu_spin_swallowing_timeout_error_is_killed() -> None:
    def body() -> None:
        _limits(cpu=1)
        while True:
            try:
                _spin()
            except TimeoutError:
                continue

    outcome = run_in_child(body, timeout=10)
    assert outcome.signal == signal.SIGKILL, outcome


def test_memory_budget_is_relative_and_bombs_get_memory_error() -> None:
    def body() -> list[str]:
        _limits(memory=128 * MIB)
        results = [str(len(bytearray(32 * MIB)))]  # well inside the budget
        for bomb in (
            lambda: bytearray(512 * MIB),
            lambda: [0] * (10**9),
            lambda: mmap.mmap(-1, 8 * 2**30, flags=mmap.MAP_SHARED),
        ):
            try:
                bomb()
                results.append("allocated")
            except (MemoryError, OSError) as error:
                results.append(type(error).__name__)
        return results

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == [str(32 * MIB), "MemoryError", "MemoryError", "OSError"]


def test_gradual_allocation_stops_with_memory_error() -> None:
    def body() -> int:
        _limits(memory=128 * MIB)
        chunks = []
        try:
            while True:
                chunks.append(bytearray(4 * MIB))
        except MemoryError:
            return len(chunks)

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    # 32 chunks fill the budget; free space malloc already holds inside the old VmSize comes on top of it
    # (the test process has run other tests), so allow some slack but nothing like the machine's 24 GiB.
    assert 0 < outcome.value < 100


def test_big_file_fails_with_efbig_not_a_signal(tmp_path: Path) -> None:
    def body() -> str:
        _limits(fsize=MIB)
        with open(tmp_path / "big", "wb") as handle:
            try:
                handle.write(b"x" * (2 * MIB))
                handle.flush()
            except OSError as error:
                return os.strerror(error.errno or 0)
        return "written"

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == "File too large"
    assert (tmp_path / "big").stat().st_size <= MIB


def test_descriptor_exhaustion_stops_at_the_limit() -> None:
    def body() -> str:
        _limits(nofile=32)
        kept = []
        try:
            while True:
                kept.append(os.open("/dev/null", os.O_RDONLY))
        except OSError as error:
            return os.strerror(error.errno or 0)

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == "Too many open files"


def test_core_memlock_and_queues_are_zero() -> None:
    def body() -> list[int]:
        _limits()
        return [
            resource.getrlimit(limit)[1]
            for limit in (resource.RLIMIT_CORE, resource.RLIMIT_MEMLOCK, resource.RLIMIT_MSGQUEUE)
        ]

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == [0, 0, 0]
