"""`python -m bot.sandbox.zygote`: the pristine forking parent of every run.

The zygote imports torch, pays its first-use costs once, and then only forks: its worker sends "fork" with a
runner's plan (scratch folder and static limits) and the runner's four pipe ends, passed as descriptors
(SCM_RIGHTS). The zygote never reads or writes those pipes, never sees a job, an output or a result, and never
even reaps a runner (an intermediate child forks the runner and exits, so the runner is adopted by the worker,
a child subreaper). Whatever run N did, run N+1 is forked from memory that never held any of it.

It must stay single-threaded up to every `fork`: a parallel torch op would start libgomp's pool and the runner
would hang in its first parallel region, and numpy's OpenBLAS starts a thread at import unless
OPENBLAS_NUM_THREADS=1. So the thread variables are set before numpy and torch are imported, and the warm-up
uses small serial ops only.

    worker → zygote   {"type": "fork", "plan": {IsolationPlan fields}, "report_target": n} + 4 fds
    zygote → worker   {"type": "ready", "threads", "rss_kb", "layers"} · {"type": "forked", "pid"} ·
                      {"type": "failed", "reason"}
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any

from bot.sandbox.limits import THREAD_VARIABLES

log = logging.getLogger("bot.sandbox.zygote")

MAX_MESSAGE = 64 * 1024
RUNNER_FDS = 4


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox.zygote")
    parser.add_argument("--socket-fd", type=int, required=True)
    parser.add_argument("--torch-threads", type=int, default=1)
    parser.add_argument("--no-namespaces", dest="namespaces", action="store_false")
    args = parser.parse_args(argv)
    for name, value in THREAD_VARIABLES.items():
        os.environ.setdefault(name, value)  # before numpy/torch are imported below
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(message)s")
    from bot.sandbox import _linux

    _linux.kill_me_with_parent()
    _linux.make_non_dumpable()
    channel = socket.socket(fileno=args.socket_fd)
    try:
        _warm_up(args.torch_threads)
        layers = _probe(args.namespaces)
    except Exception as exc:  # report any start-up failure to the worker in one line, then stop
        log.exception("warm-up failed")
        _send(channel, {"type": "failed", "reason": f"{type(exc).__name__}: {exc}"})
        return 1
    # Objects that exist now are shared with every runner; freezing keeps the runners' garbage collector from
    # touching (and so copying) their pages.
    gc.collect()
    gc.freeze()
    _send(
        channel,
        {"type": "ready", "threads": status_field("Threads"), "rss_kb": status_field("VmRSS"), "layers": layers},
    )
    _serve(channel)
    return 0


def _warm_up(torch_threads: int) -> None:
    """Pay every first-use cost a typical snippet would hit, with serial ops only (see the module docstring)."""
    import io

    import numpy as np
    import torch

    import bot.sandbox.runner  # noqa: F401  (imports observe, isolation and the rest the runners need)

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
    torch.set_num_threads(torch_threads)  # sets the count only; no pool is started until a runner needs one


def _probe(use_namespaces: bool) -> list[dict[str, Any]]:
    from bot.sandbox.isolation import probe

    return [
        {"name": layer.name, "required": layer.required, "available": layer.available, "detail": layer.detail}
        for layer in probe(use_namespaces)
    ]


def _serve(channel: socket.socket) -> None:
    from bot.sandbox.isolation import IsolationPlan
    from bot.sandbox.runner import RunnerPipes

    worker_pid = os.getppid()
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(channel, MAX_MESSAGE, RUNNER_FDS)
        except OSError:
            return
        if not data:
            return  # the worker closed its end: stop
        try:
            command = json.loads(data)
            plan = IsolationPlan(**command["plan"])
            if len(fds) != RUNNER_FDS:
                raise ValueError(f"expected {RUNNER_FDS} descriptors, got {len(fds)}")
            job, stdout, stderr, report = fds
            pipes = RunnerPipes(job, stdout, stderr, report, report_target=int(command["report_target"]))
        except (ValueError, KeyError, TypeError) as exc:
            for fd in fds:
                os.close(fd)
            _send(channel, {"type": "failed", "reason": f"bad fork command: {exc}"})
            continue
        try:
            pid = _fork_runner(plan, pipes, worker_pid, channel)
        except OSError as exc:
            _send(channel, {"type": "failed", "reason": f"could not fork a runner: {exc.strerror}"})
        else:
            _send(channel, {"type": "forked", "pid": pid})
        finally:
            for fd in fds:
                os.close(fd)


def _fork_runner(plan: Any, pipes: Any, worker_pid: int, channel: socket.socket) -> int:
    """Fork an intermediate that forks the runner and exits; returns the runner's pid (now the worker's child)."""
    from bot.sandbox.runner import run_runner

    pid_read, pid_write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    intermediate = os.fork()
    if intermediate == 0:  # the intermediate: fork the runner, tell the zygote its pid, and vanish
        code = 1
        try:
            os.close(pid_read)  # the runner closes every other descriptor it does not need, the channel too
            runner = os.fork()
            if runner == 0:
                os.close(pid_write)
                run_runner(plan, pipes, worker_pid)
            os.write(pid_write, runner.to_bytes(4, "little"))
            code = 0
        finally:
            os._exit(code)
    os.close(pid_write)
    try:
        raw = os.read(pid_read, 4)
    finally:
        os.close(pid_read)
        os.waitpid(intermediate, 0)
    if len(raw) != 4:
        raise OSError(0, "the runner could not be forked")
    return int.from_bytes(raw, "little")


def _send(channel: socket.socket, message: dict[str, Any]) -> None:
    channel.send(json.dumps(message).encode())


def status_field(name: str) -> int:
    """An integer field of /proc/self/status (Threads, VmRSS in kB)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key == name:
                return int(value.split()[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
