"""The pool's handle on one worker process: start it, send a job, read the answer, stop it.

Everything goes through asyncio pipes, so a slow or dead worker never blocks the bot's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

from bot.sandbox.isolation import LayerStatus
from bot.sandbox.limits import THREAD_VARIABLES, SandboxLimits
from bot.sandbox.protocol import Job, ProtocolError, encode_frame, read_frame_async
from bot.sandbox.result import Result
from bot.sandbox.scratch import remove_tree
from bot.tasks import TaskKeeper

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WORKER_ENVIRONMENT = {**THREAD_VARIABLES, "PYTHONDONTWRITEBYTECODE": "1"}
"""The whole environment of a worker (plus PYTHONPATH): nothing of the bot's, the token above all."""


class WorkerError(Exception):
    """The worker could not start, died, or broke the protocol; it is replaced."""


class WorkerUnreachable(WorkerError):
    """The worker was already gone when a job was sent: the job certainly did not run and may go elsewhere."""


class WorkerProcess:
    def __init__(self, process: asyncio.subprocess.Process, ready: dict[str, Any]) -> None:
        self.process = process
        self.pid = process.pid
        self.threads = int(ready.get("threads", 0))
        self.rss_kb = int(ready.get("rss_kb", 0))
        self.layers = tuple(LayerStatus(**layer) for layer in ready.get("layers", ()))
        self.base_dir = str(ready.get("base_dir", ""))
        self.identity = str(ready.get("identity", ""))

    @classmethod
    async def start(cls, limits: SandboxLimits, *, keeper: TaskKeeper) -> WorkerProcess:
        """Start a worker and wait until its warm-up is done; `WorkerError` with a one-line reason if it fails.

        The caller bounds the wait (`asyncio.timeout`); a worker abandoned half-way is killed.
        """
        argv = [sys.executable, "-m", "bot.sandbox.worker", "--torch-threads", str(limits.torch_threads)]
        argv += [] if limits.use_namespaces else ["--no-namespaces"]
        argv += ["--user", limits.user, "--open-files", str(limits.open_files)]
        argv += ["--file-size-bytes", str(limits.file_size_bytes), "--scratch-bytes", str(limits.scratch_bytes)]
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env={**WORKER_ENVIRONMENT, "PYTHONPATH": str(PROJECT_ROOT)},
                cwd=PROJECT_ROOT,
                close_fds=True,
                start_new_session=True,
            )
        except OSError as exc:
            raise WorkerError(f"cannot start a sandbox worker: {exc}") from exc
        assert process.stderr is not None and process.stdout is not None
        keeper.spawn(_relay_log(process.stderr, process.pid), name=f"sandbox-worker-{process.pid}-stderr")
        worker: WorkerProcess | None = None
        try:
            ready = await read_frame_async(process.stdout)
            if ready is None or ready.get("type") != "ready":
                reason = ready.get("reason") if ready else "it exited during warm-up"
                raise WorkerError(f"sandbox worker failed to start: {reason}")
            worker = cls(process, ready)
        except ProtocolError as exc:
            raise WorkerError(f"sandbox worker failed to start: {exc}") from exc
        finally:
            if worker is None:  # failed, or cancelled by the caller's timeout
                _kill_group(process.pid)
        if worker.threads > 1:
            log.warning("sandbox worker %d has %d threads before forking; runs may hang", worker.pid, worker.threads)
        return worker

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def request(self, job: Job) -> Result:
        """Send one job and wait for its result (the caller bounds the wait); `WorkerError` if the worker fails."""
        assert self.process.stdin is not None and self.process.stdout is not None
        if not self.alive or self.process.stdout.at_eof():
            raise WorkerUnreachable(f"sandbox worker {self.pid} is gone")
        try:
            self.process.stdin.write(encode_frame(job.to_message()))
            await self.process.stdin.drain()
        except ConnectionError as exc:
            raise WorkerUnreachable(f"sandbox worker {self.pid} is gone: {exc}") from exc
        try:
            while True:
                message = await read_frame_async(self.process.stdout)
                if message is None:
                    raise WorkerError(f"sandbox worker {self.pid} exited")
                if message.get("type") == "result" and message.get("id") == job.id:
                    return Result.from_dict(message["result"])
                log.warning("sandbox worker %d sent an unexpected %r frame", self.pid, message.get("type"))
        except (ConnectionError, ProtocolError) as exc:
            raise WorkerError(f"sandbox worker {self.pid}: {exc}") from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise WorkerError(f"sandbox worker {self.pid} sent a malformed result: {exc!r}") from exc

    async def remove_scratch(self) -> None:
        """Remove the worker's scratch base folder once it is gone (a killed worker cannot do it itself)."""
        if os.path.isabs(self.base_dir) and os.path.basename(self.base_dir).startswith("torchquiz-sandbox-"):
            await asyncio.to_thread(remove_tree, self.base_dir)

    def kill(self) -> None:
        """SIGKILL the worker's process group; a run in progress dies with it (parent-death signal)."""
        _kill_group(self.pid)

    async def close(self, grace: float) -> None:
        """Ask the worker to stop (end of its input), then kill it if it is still busy after `grace` seconds."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            async with asyncio.timeout(grace):
                await self.process.wait()
        except TimeoutError:
            self.kill()
            await self.process.wait()


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


async def _relay_log(stream: asyncio.StreamReader, pid: int) -> None:
    """Pass the worker's own log lines (never a run's output: children write to their own pipes) to logging."""
    while True:
        try:
            line = await stream.readline()
        except ValueError:  # an over-long line; drop what was buffered and go on
            continue
        if not line:
            return
        log.info("worker %d: %s", pid, line.decode("utf-8", "replace").rstrip())
