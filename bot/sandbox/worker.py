"""`python -m bot.sandbox.worker`: a warm fork server that runs sandbox jobs one at a time.

The pool starts it with an empty environment (no token, no settings), closed descriptors and a new session. It
pays the torch import and the first-use costs once, then forks one child per job, so a run costs a fork and
the isolation layers (tens of milliseconds) instead of an interpreter start (about 1.4 s).

It must stay single-threaded up to every `fork`: a parallel torch op would start libgomp's pool and the child
would hang in its first parallel region, and numpy's OpenBLAS starts a thread at import unless
OPENBLAS_NUM_THREADS=1. So the thread variables are set before numpy and torch are imported, and the warm-up
uses small serial ops only. The thread count is reported to the pool, which warns if it is ever above one.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import site
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.sandbox.limits import THREAD_VARIABLES

if TYPE_CHECKING:
    from bot.sandbox.supervise import RunSettings

log = logging.getLogger("bot.sandbox.worker")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    for name, value in THREAD_VARIABLES.items():
        os.environ.setdefault(name, value)  # before numpy/torch are imported below
    frames_in, frames_out = _take_protocol_pipes()
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(message)s")

    from bot.sandbox.protocol import write_frame

    try:
        _warm_up(args.torch_threads)
        layers = _probe(args.namespaces)
    except Exception as exc:  # report any start-up failure to the pool in one line, then stop
        log.exception("warm-up failed")
        write_frame(frames_out, {"type": "failed", "reason": f"{type(exc).__name__}: {exc}"})
        return 1

    from bot.sandbox.scratch import remove_tree
    from bot.sandbox.supervise import RunSettings

    settings = RunSettings(
        base_dir=tempfile.mkdtemp(prefix="torchquiz-sandbox-"),
        read_only_paths=read_only_paths(Path(__file__).resolve().parents[2]),
        namespaces_available=any(layer["name"] == "namespaces" and layer["available"] for layer in layers),
    )
    # Objects that exist now are shared with every child; freezing keeps the children's garbage collector
    # from touching (and so copying) their pages.
    gc.collect()
    gc.freeze()
    ready = {"type": "ready", "pid": os.getpid(), "threads": _status_field("Threads"), "layers": layers}
    ready |= {"rss_kb": _status_field("VmRSS"), "base_dir": settings.base_dir}  # the pool cleans it up if we die
    write_frame(frames_out, ready)
    try:
        _serve(frames_in, frames_out, settings)
    finally:
        remove_tree(settings.base_dir)
    return 0


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox.worker")
    parser.add_argument("--torch-threads", type=int, default=1)
    parser.add_argument("--no-namespaces", dest="namespaces", action="store_false")
    return parser.parse_args(argv)


def _take_protocol_pipes() -> tuple[int, int]:
    """Move the frame pipes off fds 0/1, so a stray print (or a library's) can never corrupt a frame."""
    frames_in, frames_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    return frames_in, frames_out


def _warm_up(torch_threads: int) -> None:
    """Pay every first-use cost a typical snippet would hit, with serial ops only (see the module docstring)."""
    import io

    import numpy as np
    import torch

    import bot.sandbox.child  # noqa: F401  (imports grading, isolation and the rest the children need)

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    inputs, targets = torch.randn(16, 4), torch.randn(16, 1)
    for optimizer in (torch.optim.SGD(model.parameters(), lr=0.1), torch.optim.Adam(model.parameters())):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(inputs), targets)
        torch.autograd.backward(loss)
        optimizer.step()  # the first step imports torch._dynamo (over a second)
    x = torch.tensor(2.0, requires_grad=True)
    torch.autograd.backward(x**3)
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    torch.load(buffer)
    torch.from_numpy(np.arange(6.0).reshape(2, 3)).numpy()
    repr(torch.arange(6.0).reshape(2, 3))
    repr(loss)
    torch.set_num_threads(torch_threads)  # sets the count only; no pool is started until a child needs one


def _probe(use_namespaces: bool) -> list[dict[str, Any]]:
    from bot.sandbox.isolation import probe

    return [
        {"name": layer.name, "required": layer.required, "available": layer.available, "detail": layer.detail}
        for layer in probe(use_namespaces)
    ]


def read_only_paths(project_root: Path) -> tuple[str, ...]:
    """What a run may read: the Python installation and its packages, never the project folder.

    The project folder (and any folder above it) is excluded because it holds `.env` and the database; it is
    on `sys.path` only so the worker itself can import `bot`, which the children have already done.
    """
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages(), *sys.path]
    chosen: list[str] = []
    for candidate in candidates:
        if not candidate or not os.path.isdir(candidate):
            continue
        path = Path(candidate).resolve()
        if path == project_root or path in project_root.parents:
            continue
        if str(path) not in chosen:
            chosen.append(str(path))
    return tuple(chosen)


def _serve(frames_in: int, frames_out: int, settings: RunSettings) -> None:
    from bot.sandbox.protocol import Job, read_frame, write_frame
    from bot.sandbox.result import Outcome, Result
    from bot.sandbox.supervise import run_job

    while (message := read_frame(frames_in)) is not None:
        job = Job.from_message(message)
        try:
            result = run_job(job, settings)
        except Exception:  # a bug here must cost one run, not the worker
            log.exception("run %d failed inside the worker", job.id)
            result = Result(Outcome.CRASHED, reason="internal error in the sandbox worker")
        write_frame(frames_out, {"type": "result", "id": job.id, "result": result.to_dict()})


def _status_field(name: str) -> int:
    """An integer field of /proc/self/status (Threads, VmRSS in kB)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key == name:
                return int(value.split()[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
