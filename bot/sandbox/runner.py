"""A runner: one process per run, forked from the zygote and isolated *before* its job exists.

Life of a runner (see `zygote.py` for how it is born and `worker.py` for who feeds it):

1. It starts as a copy of the zygote, which has never held a job, an output or a result, so there is nothing
   of any earlier run in its memory to find: not in frames, `gc`, the heap or its descriptors.
2. It keeps only its own four pipes (job in; stdout, stderr and report out), closes every other descriptor
   (the zygote's command socket above all), waits to be adopted by its worker and dies with it.
3. It applies every isolation layer (namespaces, scratch, rlimits, capabilities, Landlock, seccomp, audit
   hook) and reports them. This all happens ahead of time, off the member's clock.
4. It blocks on its job pipe. The job arrives (code, optional check and seed, CPU and memory budget); the CPU
   and address-space limits go on, the code runs, then the check, which only observes; one final report.
5. Every path ends in ``os._exit``: nothing ever returns into the zygote's loop.

The report is written for the worker's convenience, not trusted by it: `verdict.py` decides whether code passed,
from observations compared with a separate reference run.
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
import time
import traceback
import types
from dataclasses import dataclass
from typing import Any, NoReturn, TextIO

import numpy as np
import torch

from bot.sandbox import _linux
from bot.sandbox.isolation import IsolationError, IsolationPlan, enter, rlimits
from bot.sandbox.observe import run_check
from bot.sandbox.protocol import Job, ProtocolError, read_frame
from bot.sandbox.report import encode_report
from bot.sandbox.status import EXIT_INTERNAL, EXIT_ISOLATION, EXIT_MEMORY

SNIPPET_FILENAME = "<snippet>"
ADOPTION_TIMEOUT = 2.0
"""How long a new runner waits to be re-parented to its worker before giving up."""

# Messages from the C++ allocator and the kernel that mean "out of memory" rather than a bug in the code.
MEMORY_MESSAGES = ("can't allocate memory", "not enough memory", "std::bad_alloc", "out of memory")


@dataclass(frozen=True)
class RunnerPipes:
    """The runner's ends of its four pipes, as received by the zygote; everything else is closed."""

    job: int
    stdout: int
    stderr: int
    report: int
    report_target: int
    """Where the report pipe is moved to: a random descriptor number above the open-files limit."""


def run_runner(plan: IsolationPlan, pipes: RunnerPipes, worker_pid: int) -> NoReturn:
    """Entry point of a freshly forked runner. Never returns."""
    status = EXIT_INTERNAL
    try:
        status = _run(plan, pipes, worker_pid)
    except MemoryError:
        status = EXIT_MEMORY
    except BaseException:  # nothing may unwind into the zygote's loop from a forked runner
        status = EXIT_INTERNAL
    finally:
        os._exit(status)


def _run(plan: IsolationPlan, pipes: RunnerPipes, worker_pid: int) -> int:
    job_fd, report_fd, stdout, stderr = _wire_descriptors(pipes)
    if not _await_adoption(worker_pid):
        return EXIT_INTERNAL

    def report(kind: str, write: Any = os.write, **payload: Any) -> None:
        data = encode_report(kind, payload)
        while data:
            data = data[write(report_fd, data) :]

    isolating = time.monotonic()
    try:
        layers = enter(plan)  # with namespaces the grandchild returns; this process relays its exit status
    except IsolationError as exc:
        print(f"sandbox: isolation failed, the code was not run: {exc}", file=sys.stderr, flush=True)
        report("done", status="isolation", detail=str(exc))
        return EXIT_ISOLATION
    _prefault()
    report("layers", layers=list(layers), isolation_ms=(time.monotonic() - isolating) * 1000)

    job = _read_job(job_fd)
    if job is None:  # the worker discarded this runner unused
        return 0
    received = time.monotonic()
    rlimits.apply_budget(cpu_seconds=job.cpu_seconds, memory_bytes=job.memory_bytes)
    _reseed()
    namespace = _fresh_main()
    status, error_line, memory, cpu_timeout = _exec_snippet(job, namespace, stderr)
    payload: dict[str, Any] = {"status": status, "error_line": error_line, "memory": memory, "cpu_timeout": cpu_timeout}
    payload |= {"received_at": received}
    if job.check is not None and status == "ok":
        observations, stopped = run_check(job.check, namespace, job.seed)
        payload |= {"observations": observations, "check_stopped": stopped}
    _flush(stdout, stderr)
    report("done", **payload, done_at=time.monotonic())
    for fd in (1, 2, report_fd):  # EOF on every pipe tells the worker the answer is complete (see supervise)
        with contextlib.suppress(OSError):
            os.close(fd)
    return 0


def _wire_descriptors(pipes: RunnerPipes) -> tuple[int, int, TextIO, TextIO]:
    """stdin ← /dev/null, stdout/stderr → their pipes, job and report pipes kept; every other fd closed.

    Returns the job and report descriptors and our own stdout/stderr streams, kept so the traceback is written
    and a partial last line flushed even if the snippet replaces `sys.stdout`/`sys.stderr`.
    """
    os.dup2(pipes.report, pipes.report_target)  # first: the others may land on its old number
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(pipes.stdout, 1)
    os.dup2(pipes.stderr, 2)
    job = os.dup2(pipes.job, 3)
    os.closerange(4, pipes.report_target)
    os.closerange(pipes.report_target + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    # Fresh text layers: the zygote's buffers hold nothing of a run, and a member expects a print right before
    # an endless loop to show up even when the run is then killed (hence line buffering).
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace", line_buffering=True
    )
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace", line_buffering=True
    )
    return job, pipes.report_target, sys.stdout, sys.stderr


def _await_adoption(worker_pid: int) -> bool:
    """Wait until the worker (a child subreaper) is our parent, then die with it; False if that never happens.

    The zygote forks an intermediate process that forks us and exits at once, so that the worker, not the
    zygote, becomes our parent: the worker reaps us and reads our exit status, and the zygote never learns
    anything about a run.
    """
    deadline = time.monotonic() + ADOPTION_TIMEOUT
    while os.getppid() != worker_pid:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.0002)
    _linux.kill_me_with_parent()
    return os.getppid() == worker_pid  # the worker may have died between the check and prctl


def _prefault() -> None:
    """Touch what almost every snippet touches, while waiting for the job rather than on the member's clock.

    A forked runner shares the zygote's pages until it writes to them, and CPython writes to every object it
    uses (reference counts), so a snippet's first tensor ops and print pay thousands of copy-on-write faults.
    Taking them here costs a few milliseconds that no member waits for. Nothing of it remains visible: the
    snippet gets a fresh `__main__` and freshly seeded generators.
    """
    x = torch.tensor([2.0, 1.0], requires_grad=True)
    y = (x**3 + 2 * x).sum()
    torch.autograd.backward(y)
    model = torch.nn.Linear(2, 1)
    torch.autograd.backward(torch.nn.functional.mse_loss(model(x.detach()), torch.zeros(1)))
    text = io.StringIO()
    print(x.grad, y.item(), model, file=text)
    compile("print(1)", SNIPPET_FILENAME, "exec")


def _read_job(fd: int) -> Job | None:
    try:
        message = read_frame(fd)
    except ProtocolError:
        return None
    finally:
        os.close(fd)
    return None if message is None else Job.from_message(message)


def _reseed() -> None:
    """Runners would all inherit the zygote's RNG state; reseed as a fresh interpreter would."""
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
    return rlimits.budget_cpu_used() >= job.cpu_seconds * 0.9


def _flush(*ours: TextIO) -> None:
    for stream in (sys.stdout, sys.stderr, *ours):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # the snippet may have replaced them
            stream.flush()
