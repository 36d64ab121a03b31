"""Real worker hosts for the queue tests: `python -m bot sandbox serve` as subprocesses, ready when they heartbeat.

A host warms up torch in its workers before it takes jobs, which takes seconds; `HostProcess.start` returns only
once the host's heartbeat key exists (it is written after the pool is ready), and fails with the host's log when
it exits or never gets there.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import redis

from bot.sandbox.queue.wire import Keys

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 180.0
STOP_TIMEOUT = 30.0
_numbers = itertools.count(1)


class HostProcess:
    """One `python -m bot sandbox serve --redis URL --workers N` process."""

    def __init__(self, url: str, log_dir: Path, *, workers: int = 1, claim_after: float | None = None) -> None:
        self.url = url
        self.workers = workers
        self.claim_after = claim_after
        self.log_file = log_dir / f"host-{next(_numbers)}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def name(self) -> str:
        """The consumer name and heartbeat name the host gives itself."""
        return f"host-{socket.gethostname()}-{self.pid}"

    def start(self) -> HostProcess:
        """Launch the host and wait until it is ready."""
        self.launch()
        self.wait_ready()
        return self

    def launch(self) -> HostProcess:
        """Launch the host without waiting (start several, then `wait_ready` each: they warm up side by side)."""
        command = [sys.executable, "-m", "bot", "sandbox", "serve", "--redis", self.url, "--workers", str(self.workers)]
        if self.claim_after is not None:
            command += ["--claim-after", str(self.claim_after)]
        env = {key: value for key, value in os.environ.items() if not key.startswith("TORCHQUIZ_")}
        env["TORCHQUIZ_LOG_LEVEL"] = "INFO"
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        return self

    def wait_ready(self) -> None:
        key = Keys().host(self.name)
        deadline = time.monotonic() + READY_TIMEOUT
        with redis.Redis.from_url(self.url) as client:
            while time.monotonic() < deadline:
                if client.exists(key):
                    return
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"sandbox host exited with {self.process.returncode}:\n{self.log()}")
                time.sleep(0.1)
        raise RuntimeError(f"sandbox host not ready after {READY_TIMEOUT:g} s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL, as a machine that loses power: nothing is answered, acknowledged or cleaned up."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)

    def stop(self) -> int | None:
        """SIGTERM (a clean stop), SIGKILL if that takes too long; the exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def __enter__(self) -> HostProcess:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
