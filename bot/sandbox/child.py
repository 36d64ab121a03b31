"""What happens in a forked sandbox child, from `fork()` to `os._exit()`.

Order matters: descriptors are set up and everything the run needs is already imported *before* the isolation
layers go on (afterwards the child can no longer open most files), the code is compiled only *after* them (so
even a pathological compile is under the CPU and memory limits), and nothing ever returns into the worker's
loop: every path ends in `os._exit`.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import linecache
import os
import random
import resource
import sys
import traceback
import types
from dataclasses import dataclass
from typing import Any, NoReturn, TextIO

import numpy as np
import torch

from bot.sandbox import _linux
from bot.sandbox.grading import CaseRecorder, run_check
from bot.sandbox.isolation import IsolationError, IsolationPlan, enter
from bot.sandbox.protocol import Job
from bot.sandbox.report import encode_report

SNIPPET_FILENAME = "<snippet>"

# Exit statuses the worker understands when no final report arrived (see supervise.classify).
EXIT_INTERNAL = 120
EXIT_MEMORY = 121
EXIT_ISOLATION = 122

# Messages from the C++ allocator and the kernel that mean "out of memory" rather than a bug in the code.
MEMORY_MESSAGES = ("can't allocate memory", "not enough memory", "std::bad_alloc", "out of memory")


@dataclass(frozen=True)
class ChildPipes:
    """Write ends created by the worker before `fork`; the child keeps only these (plus /dev/null as stdin)."""

    stdout: int
    stderr: int
    report: int
    report_target: int
    """Where the report pipe is moved to: a random descriptor number above the open-files limit."""


def run_child(job: Job, scratch: str, plan: IsolationPlan, pipes: ChildPipes, nonce: bytes) -> NoReturn:
    """Entry point right after `fork()` in the child. Never returns."""
    status = EXIT_INTERNAL
    try:
        status = _run(job, scratch, plan, pipes, nonce)
    except MemoryError:
        status = EXIT_MEMORY
    except BaseException:  # nothing may unwind into the worker's loop from a forked child
        status = EXIT_INTERNAL
    finally:
        os._exit(status)


def _run(job: Job, scratch: str, plan: IsolationPlan, pipes: ChildPipes, nonce: bytes) -> int:
    worker_pid = os.getppid()
    _linux.kill_me_with_parent()
    if os.getppid() != worker_pid:  # the worker died between fork and prctl
        return EXIT_INTERNAL
    report_fd, stdout, stderr = _wire_descriptors(pipes)
    os.chdir(scratch)
    _reseed()

    def report(kind: str, write: Any = os.write, **payload: Any) -> None:
        # `write` is bound now so a snippet that replaces `os.write` does not see the report (see report.py
        # for how little that and the nonce can promise against code that sets out to cheat).
        data = encode_report(nonce, kind, payload)
        while data:
            data = data[write(report_fd, data) :]

    try:
        layers = enter(plan)  # with namespaces the grandchild returns; this process relays its exit status
    except IsolationError as exc:
        print(f"sandbox: isolation failed, the code was not run: {exc}", file=sys.stderr, flush=True)
        report("done", status="isolation", detail=str(exc))
        return EXIT_ISOLATION
    report("layers", layers=list(layers))

    namespace = _fresh_main()
    status, error_line, memory, cpu_timeout = _exec_snippet(job, namespace, stderr)
    cases: list[dict[str, Any]] = []
    if job.check is not None and status == "ok":
        recorder = CaseRecorder()
        run_check(job.check, namespace, recorder)
        cases = [case.__dict__ for case in recorder.cases]
    _flush(stdout, stderr)
    report("done", status=status, error_line=error_line, memory=memory, cpu_timeout=cpu_timeout, cases=cases)
    return 0


def _wire_descriptors(pipes: ChildPipes) -> tuple[int, TextIO, TextIO]:
    """stdin ← /dev/null, stdout/stderr → their pipes, the report pipe to its target; close every other fd.

    Returns the report descriptor and our own stdout/stderr streams, kept so the traceback is written and a
    partial last line is flushed even if the snippet replaces `sys.stdout`/`sys.stderr`.
    """
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(pipes.stdout, 1)
    os.dup2(pipes.stderr, 2)
    os.dup2(pipes.report, pipes.report_target)
    os.closerange(3, pipes.report_target)
    os.closerange(pipes.report_target + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    # Fresh text layers: the worker's buffers may hold nothing of the run, and a member expects a print right
    # before an endless loop to show up even when the run is then killed (hence line buffering).
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace", line_buffering=True
    )
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace", line_buffering=True
    )
    return pipes.report_target, sys.stdout, sys.stderr


def _reseed() -> None:
    """Forked children would all inherit the worker's RNG state; reseed as a fresh interpreter would."""
    seed = int.from_bytes(os.urandom(8), "little")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def _fresh_main() -> dict[str, Any]:
    """A new `__main__` module, so classes defined by the snippet pickle (torch.save) as they would in a script."""
    module = types.ModuleType("__main__")
    module.__dict__["__builtins__"] = builtins
    module.__dict__["__file__"] = SNIPPET_FILENAME
    sys.modules["__main__"] = module
    sys.argv = [SNIPPET_FILENAME]
    return module.__dict__


def _exec_snippet(job: Job, namespace: dict[str, Any], stderr: TextIO) -> tuple[str, str | None, bool, bool]:
    """Run the code; returns (status, error line, out of memory, CPU limit hit)."""
    linecache.cache[SNIPPET_FILENAME] = (len(job.code), None, job.code.splitlines(True), SNIPPET_FILENAME)
    try:
        code = compile(job.code, SNIPPET_FILENAME, "exec")
        exec(code, namespace)  # running the member's code is the point; the layers above contain it
    except SystemExit as exc:
        if exc.code in (None, 0):
            return "ok", None, False, False
        return "error", f"SystemExit: {exc.code}", False, False
    except BaseException as exc:  # KeyboardInterrupt and friends are the snippet's errors too
        _flush(stderr)
        # Drop our own frame so the traceback starts at the member's code, as `python file.py` would show it.
        with contextlib.suppress(OSError, ValueError):  # fd 2 may be closed by now
            traceback.print_exception(
                exc.__class__, exc, exc.__traceback__.tb_next if exc.__traceback__ else None, file=stderr
            )
            stderr.flush()
        line = traceback.format_exception_only(exc)[-1].strip()
        return "error", line, _is_memory_error(exc), _hit_cpu_limit(exc, job)
    return "ok", None, False, False


def _is_memory_error(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    return isinstance(exc, RuntimeError) and any(text in str(exc) for text in MEMORY_MESSAGES)


def _hit_cpu_limit(exc: BaseException, job: Job) -> bool:
    """The isolation layer turns SIGXCPU into TimeoutError; tell it apart from the member's own TimeoutError."""
    if not isinstance(exc, TimeoutError):
        return False
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime >= job.cpu_seconds * 0.9


def _flush(*ours: TextIO) -> None:
    for stream in (sys.stdout, sys.stderr, *ours):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # the snippet may have replaced them
            stream.flush()
