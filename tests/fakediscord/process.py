"""Running the real bot as a subprocess against a :class:`~.server.FakeDiscord`.

End-to-end tests need the bot exactly as it ships (its CLI, settings, signal handling), so it runs in its
own interpreter through :mod:`.launch`. Its output goes to a log file so a failing test can show the tail;
readiness is judged from the fake's side (IDENTIFY answered, commands synced), never from log text.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .server import FakeDiscord

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    """Handle on the running bot: pid, log, stop."""

    def __init__(self, process: asyncio.subprocess.Process, log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def log_text(self) -> str:
        """Everything the bot wrote to stdout and stderr so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    async def stop(self, grace: float = 5.0) -> int:
        """SIGTERM, then SIGKILL if the bot has not exited after ``grace`` seconds; returns the exit code."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                await self.process.wait()
        return self.process.returncode if self.process.returncode is not None else -1


async def _wait_ready(
    fake: FakeDiscord, bot: BotProcess, limit: float, wait_for_sync: bool, baseline: tuple[int, int]
) -> None:
    identifies, syncs = baseline  # counted before the start: a fake may outlive one bot

    def ready() -> bool | None:
        synced = fake.command_syncs > syncs or not wait_for_sync
        return True if len(fake.state.identifies) > identifies and fake.gateway.connected and synced else None

    ready_task = asyncio.ensure_future(fake.wait_for(ready, limit, "the bot to connect and sync commands"))
    exit_task = asyncio.ensure_future(bot.process.wait())
    try:
        done, _ = await asyncio.wait({ready_task, exit_task}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (ready_task, exit_task):
            if not task.done():
                task.cancel()
    if exit_task in done:
        raise RuntimeError(f"the bot exited with code {bot.returncode} before it was ready:\n{bot.log_tail()}")
    try:
        ready_task.result()
    except TimeoutError as error:
        state = f"identified={fake.identified} syncs={fake.command_syncs} unhandled={fake.unhandled}"
        raise TimeoutError(f"bot not ready after {limit:g}s ({state}); log tail:\n{bot.log_tail()}") from error


@contextlib.asynccontextmanager
async def run_bot_process(
    fake: FakeDiscord,
    env: Mapping[str, str],
    args: Sequence[str] = (),
    *,
    ready_timeout: float = 30.0,
    wait_for_sync: bool = True,
    entry: Sequence[str] = ("-m", "tests.fakediscord.launch"),
) -> AsyncIterator[BotProcess]:
    """Start ``python -m tests.fakediscord.launch`` against ``fake`` and yield once it is ready.

    ``entry`` picks another program taking the same ``--http-base``/``--gateway`` flags (benchmarks run a
    bare bot that way). ``env`` is layered over this process's environment. The log file is deleted
    afterwards unless the block raised, in which case its path is kept for post-mortems (and printed in the
    error).
    """
    log_dir = Path(tempfile.mkdtemp(prefix="torchquiz-bot-"))
    log_path = log_dir / "bot.log"
    command = [
        sys.executable,
        *entry,
        "--http-base",
        fake.http_base,
        "--gateway",
        fake.gateway_url,
    ]
    if args:
        command += ["--", *args]
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
    baseline = (len(fake.state.identifies), fake.command_syncs)
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=PROJECT_ROOT,
            env=full_env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log_file,
            stderr=asyncio.subprocess.STDOUT,
        )
    bot = BotProcess(process, log_path)
    failed = True
    try:
        await _wait_ready(fake, bot, ready_timeout, wait_for_sync, baseline)
        yield bot
        failed = False
    finally:
        await bot.stop()
        if failed:
            sys.stderr.write(f"bot log kept at {log_path}\n")
        else:
            shutil.rmtree(log_dir, ignore_errors=True)
