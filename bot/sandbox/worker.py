"""`python -m bot.sandbox.worker`: one sandbox worker, which feeds jobs to runners it never forked itself.

A worker is two processes. This one, the *supervisor*, talks to the pool and watches runs; it never imports
torch. Its child, the *zygote* (`zygote.py`), holds warm torch and only forks runners on command. Per job:

1. A runner is already waiting: forked by the zygote and fully isolated ahead of time, blocked on its job pipe.
   Preparing it (two forks and every isolation layer, tens of milliseconds) is off the member's clock.
2. The supervisor writes the job into that pipe, starts the wall clock, and reads the runner's stdout, stderr
   and report against the deadline and the output cap (`supervise.py`). The runner is the supervisor's child
   (a child subreaper adopts it), so the supervisor reaps it and reads how it ended.
3. It answers the pool with one result and asks the zygote for the next runner.

Nothing of a run ever enters the zygote, so nothing of run N can be found by run N+1.

When the bot runs as root, the supervisor first becomes an unprivileged user (`privileges.py`; before the zygote
exists, so no member code ever runs as root) because root is exempt from the task limit.

The pool starts it with an empty environment (no token, no settings), closed descriptors and a new session.
"""

from __future__ import annotations

import argparse
import logging
import os
import site
import socket
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.sandbox.limits import THREAD_VARIABLES

if TYPE_CHECKING:
    from bot.sandbox.supervise import Supervisor

log = logging.getLogger("bot.sandbox.worker")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True)
class WorkerOptions:
    torch_threads: int
    namespaces: bool
    user: str | None
    spec: RunnerSpec


@dataclass(frozen=True)
class RunnerSpec:
    """The limits a runner is isolated with ahead of time; a job with other ones gets a fresh runner."""

    file_size_bytes: int
    scratch_bytes: int
    open_files: int
    use_namespaces: bool


def main(argv: Sequence[str] | None = None) -> int:
    options = _parse(argv)
    for name, value in THREAD_VARIABLES.items():
        os.environ.setdefault(name, value)
    frames_in, frames_out = _take_protocol_pipes()
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(message)s")

    from bot.sandbox.protocol import write_frame

    try:
        identity = _become_sandbox_user(options.user)
        _make_subreaper()
        zygote = _Zygote.start(options)
    except Exception as exc:  # report any start-up failure to the pool in one line, then stop
        log.exception("the sandbox worker failed to start")
        write_frame(frames_out, {"type": "failed", "reason": f"{type(exc).__name__}: {exc}"})
        return 1
    if zygote.failure is not None:
        write_frame(frames_out, {"type": "failed", "reason": zygote.failure})
        return 1

    from bot.sandbox.scratch import remove_tree
    from bot.sandbox.supervise import RunSettings, Supervisor

    settings = RunSettings(
        base_dir=tempfile.mkdtemp(prefix="torchquiz-sandbox-"),
        read_only_paths=read_only_paths(PROJECT_ROOT),
        namespaces_available=any(layer["name"] == "namespaces" and layer["available"] for layer in zygote.layers),
    )
    ready = {"type": "ready", "pid": os.getpid(), "threads": zygote.threads, "rss_kb": zygote.rss_kb}
    ready |= {"layers": zygote.layers, "base_dir": settings.base_dir, "identity": identity}
    supervisor = Supervisor(zygote.channel, settings, options.spec)
    try:
        supervisor.prepare()
        write_frame(frames_out, ready)
        _serve(frames_in, frames_out, supervisor)
    finally:
        supervisor.close()
        zygote.stop()
        remove_tree(settings.base_dir)
    return 0


def _parse(argv: Sequence[str] | None) -> WorkerOptions:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox.worker")
    parser.add_argument("--torch-threads", type=int, default=1)
    parser.add_argument("--no-namespaces", dest="namespaces", action="store_false")
    parser.add_argument("--user", help="run as this user when started as root (default: nobody)", default="nobody")
    parser.add_argument("--file-size-bytes", type=int, default=16 * 2**20)
    parser.add_argument("--scratch-bytes", type=int, default=32 * 2**20)
    parser.add_argument("--open-files", type=int, default=64)
    args = parser.parse_args(argv)
    spec = RunnerSpec(args.file_size_bytes, args.scratch_bytes, args.open_files, args.namespaces)
    return WorkerOptions(args.torch_threads, args.namespaces, args.user, spec)


def _take_protocol_pipes() -> tuple[int, int]:
    """Move the frame pipes off fds 0/1, so a stray print (or a library's) can never corrupt a frame."""
    frames_in, frames_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    return frames_in, frames_out


def _become_sandbox_user(user: str | None) -> str:
    """Drop root before anything else happens (see `privileges.py`); a description of who we now are."""
    if os.geteuid() != 0:
        return f"running as uid {os.getuid()} (not root: nothing to drop)"
    if not user:
        raise RuntimeError("started as root without a sandbox user")
    from bot.sandbox.privileges import drop_to, resolve

    return drop_to(resolve(user), [*read_only_paths(PROJECT_ROOT), str(PROJECT_ROOT)])


def _make_subreaper() -> None:
    """Orphaned runners (their intermediate parent exits at once) are adopted by this process."""
    from bot.sandbox.isolation._libc import prctl

    prctl(PR_SET_CHILD_SUBREAPER, 1, what="PR_SET_CHILD_SUBREAPER")


class _Zygote:
    """The zygote process and the socket to it."""

    def __init__(self, process: subprocess.Popen[bytes], channel: socket.socket, ready: dict[str, Any]) -> None:
        self.process = process
        self.channel = channel
        self.failure: str | None = str(ready.get("reason")) if ready.get("type") != "ready" else None
        self.threads = int(ready.get("threads", 0))
        self.rss_kb = int(ready.get("rss_kb", 0))
        self.layers: list[dict[str, Any]] = list(ready.get("layers", []))

    @classmethod
    def start(cls, options: WorkerOptions) -> _Zygote:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        argv = [sys.executable, "-m", "bot.sandbox.zygote", "--socket-fd", str(theirs.fileno())]
        argv += ["--torch-threads", str(options.torch_threads)]
        argv += [] if options.namespaces else ["--no-namespaces"]
        process = subprocess.Popen(
            argv, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=2, cwd=PROJECT_ROOT
        )
        theirs.close()
        from bot.sandbox.supervise import receive

        ready = receive(ours)
        if ready is None:
            ready = {"type": "failed", "reason": f"the zygote exited during warm-up (status {process.wait()})"}
        return cls(process, ours, ready)

    def stop(self) -> None:
        self.channel.close()  # the zygote stops at the end of its channel
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def read_only_paths(project_root: Path) -> tuple[str, ...]:
    """What a run may read: the Python installation and its packages, never the project folder.

    The project folder (and any folder above it) is excluded because it holds `.env` and the database; it is
    on `sys.path` only so the zygote itself can import `bot`, which the runners have already done.
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


def _serve(frames_in: int, frames_out: int, supervisor: Supervisor) -> None:
    from bot.sandbox.protocol import Job, read_frame, write_frame
    from bot.sandbox.result import Outcome, Result

    while (message := read_frame(frames_in)) is not None:
        job = Job.from_message(message)
        try:
            result = supervisor.run(job)
        except Exception:  # a bug here must cost one run, not the worker
            log.exception("run %d failed inside the worker", job.id)
            result = Result(Outcome.CRASHED, reason="internal error in the sandbox worker")
        write_frame(frames_out, {"type": "result", "id": job.id, "result": result.to_dict()})
        supervisor.reap()
        supervisor.prepare()


if __name__ == "__main__":
    raise SystemExit(main())
