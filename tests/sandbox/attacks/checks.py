"""How an attack's outcome is judged: what it must not reach, and the result it must end with."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass

from bot.sandbox import Outcome, Result
from tests.sandbox.attacks.targets import OUTPUT_CAP, Targets


@dataclass(frozen=True)
class Context:
    """What an expectation may look at besides the result."""

    targets: Targets
    namespaces: bool
    workers_before: tuple[int, ...]
    workers_after: tuple[int, ...]


Expectation = Callable[[Result, Context], None]


@dataclass(frozen=True)
class Attack:
    name: str  # the promise it tries to break
    code: str
    expect: Expectation
    wall_seconds: float | None = None
    then: str | None = None  # a second run whose result is the one checked (state leaking between runs)


# Snippet building blocks ---------------------------------------------------------------------------------


def _output(result: Result) -> str:
    return result.stdout + result.stderr


def _no_secrets(result: Result, ctx: Context) -> None:
    for needle in (ctx.targets.secret_text, ctx.targets.database_text, ctx.targets.token):
        assert needle not in _output(result), f"{needle!r} reached the output"


def process_alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie (a killed but unreaped worker would still answer kill(pid, 0))."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def secret_mode_kept(ctx: Context) -> None:
    for path in (ctx.targets.secret, ctx.targets.database):
        info = path.stat()
        assert stat.S_IMODE(info.st_mode) == 0o600, f"{path} mode changed to {oct(info.st_mode)}"
        assert info.st_mtime > 1_000_000, f"{path} was re-dated"


def no_xattr_planted(ctx: Context) -> None:
    for path in (ctx.targets.secret, ctx.targets.database):
        assert "user.torchquiz" not in os.listxattr(path), f"an extended attribute was set on {path}"


def _workers_untouched(ctx: Context) -> None:
    assert ctx.workers_after == ctx.workers_before, "a worker was replaced"
    assert all(process_alive(pid) for pid in ctx.workers_before), "a worker died"


def refused(*prefixes: str, outside: Callable[[Context], None] | None = None) -> Expectation:
    """ERROR whose last traceback line starts with one of ``prefixes``; no secret in the output."""

    def expect(result: Result, ctx: Context) -> None:
        assert result.outcome is Outcome.ERROR, (result.outcome, result.error_line, result.stderr[-500:])
        assert result.error_line is not None and result.error_line.startswith(prefixes), result.error_line
        _no_secrets(result, ctx)
        ctx.targets.assert_listeners_silent()
        ctx.targets.assert_no_signal_received()
        ctx.targets.assert_nothing_planted()
        _workers_untouched(ctx)
        if outside is not None:
            outside(ctx)

    return expect


def outcome(
    expected: Outcome | tuple[Outcome, ...], *, error_line: tuple[str, ...] | None = None, signal: int | None = None
) -> Expectation:
    allowed = expected if isinstance(expected, tuple) else (expected,)

    def expect(result: Result, ctx: Context) -> None:
        assert result.outcome in allowed, (result.outcome, result.error_line, result.reason, result.stderr[-500:])
        if error_line is not None:
            assert result.error_line is not None and result.error_line.startswith(error_line), result.error_line
        if signal is not None:
            assert result.signal == signal, result.signal
        _no_secrets(result, ctx)
        _workers_untouched(ctx)

    return expect


def output_capped(result: Result, ctx: Context) -> None:
    outcome(Outcome.OUTPUT_LIMIT)(result, ctx)
    assert result.truncated
    assert len(result.stdout.encode()) + len(result.stderr.encode()) <= OUTPUT_CAP


def disk_fill(result: Result, ctx: Context) -> None:
    if ctx.namespaces:  # the tmpfs is full at 32 MiB
        refused("OSError: [Errno 28] No space left on device")(result, ctx)
    else:  # known gap: a plain folder is bounded per file only (16 MiB); 40 MiB fit and are removed afterwards
        outcome(Outcome.OK)(result, ctx)


def threads_contained(result: Result, ctx: Context) -> None:
    """Spinning threads end at the CPU limit, unless thread creation is refused first: RLIMIT_NPROC (16) when
    the worker is not root and has a user namespace, RLIMIT_AS otherwise. libgomp then gives up with
    "Thread creation failed" and exits or torch raises; either way the run ends early and contained."""
    if result.outcome is Outcome.TIMEOUT:
        outcome(Outcome.TIMEOUT)(result, ctx)
        return
    outcome((Outcome.ERROR, Outcome.CRASHED))(result, ctx)
    assert "Thread creation failed" in result.stderr or "can't start new thread" in result.stderr, result.stderr


def token_absent(result: Result, ctx: Context) -> None:
    outcome(Outcome.OK)(result, ctx)
    assert "READ-OK" not in result.stdout, result.stdout  # every /proc read failed


def clean_second_run(result: Result, ctx: Context) -> None:
    outcome(Outcome.OK)(result, ctx)
    assert result.stdout.strip() == "leaks: []", result.stdout


PERMISSION = "PermissionError"
EPERM = "PermissionError: [Errno 1]"
EACCES = "PermissionError: [Errno 13]"
ENOENT = "FileNotFoundError: [Errno 2]"


def tasks_bounded(result: Result, ctx: Context) -> None:
    """A thread bomb with tiny stacks is stopped by the task limit, far below what memory alone would allow."""
    assert result.outcome is Outcome.ERROR, (result.outcome, result.reason, result.stderr[-300:])
    assert result.error_line == "RuntimeError: can't start new thread", result.error_line
    started = [int(line.split()[1]) for line in result.stdout.splitlines() if line.startswith("started ")]
    assert started and started[0] < 64, result.stdout[-300:]
    _workers_untouched(ctx)
