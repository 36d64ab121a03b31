"""Start-up: open every resource with `async with`, hand them to the bot, and shut down cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from pathlib import Path

import discord

from bot.client import TorchQuizBot
from bot.packs import PackLibrary, load_library
from bot.packs.upload import load_uploaded
from bot.sandbox import Sandbox, SandboxPool
from bot.settings import Settings
from bot.storage import Store

log = logging.getLogger(__name__)


class StartupError(Exception):
    """Start-up cannot go on; the message is one line for the operator."""


async def run_bot(settings: Settings) -> None:
    async with Store.open(settings.database) as store:
        packs = await asyncio.to_thread(load_library, [settings.packs_dir])
        uploaded = await asyncio.to_thread(load_uploaded, packs, await store.guild_pack_sources())
        if uploaded:
            log.info("loaded %d pack(s) uploaded by servers", uploaded)
        async with contextlib.AsyncExitStack() as stack:
            sandbox: Sandbox | None = None
            if settings.sandbox_enabled:
                sandbox = make_sandbox(settings)
                stack.push_async_callback(sandbox.aclose)
                await sandbox.start()
            await _serve(settings, store, packs, sandbox)
    log.info("stopped")


def make_sandbox(settings: Settings) -> Sandbox:
    """Local warm workers, or worker hosts behind Redis when `TORCHQUIZ_SANDBOX_QUEUE` names a server."""
    if not settings.sandbox_queue:
        return SandboxPool(settings.sandbox_limits())
    from bot.sandbox.queue import QueueSandbox

    return QueueSandbox(
        settings.sandbox_queue, settings.sandbox_limits(), queue_wait=settings.sandbox_queue_wait_seconds
    )


async def _serve(settings: Settings, store: Store, packs: PackLibrary, sandbox: Sandbox | None) -> None:
    clock = time.time if settings.clock_offset_file is None else OffsetClock(settings.clock_offset_file)
    bot = TorchQuizBot(settings=settings, store=store, packs=packs, sandbox=sandbox, clock=clock)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, lambda: bot.tasks.spawn(bot.close(), name="shutdown"))
    async with bot:
        try:
            await bot.start(settings.token.get_secret_value())
        except discord.LoginFailure:
            raise StartupError("Discord refused TORCHQUIZ_TOKEN: check the token in .env") from None
        except discord.PrivilegedIntentsRequired:
            raise StartupError("a privileged intent is not enabled in the developer portal") from None


class OffsetClock:
    """The wall clock plus the seconds written in a file: how end-to-end tests move the bot's time forward.

    Only `TORCHQUIZ_CLOCK_OFFSET_FILE` turns it on (no operator sets it). The file is re-read when it changes;
    a missing or unreadable file counts as 0.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: float | None = None
        self._offset = 0.0

    def __call__(self) -> float:
        try:
            stamp = self.path.stat().st_mtime
            if stamp != self._stamp:
                self._offset, self._stamp = float(self.path.read_text(encoding="ascii").strip() or 0), stamp
        except (OSError, ValueError):
            self._offset = 0.0
        return time.time() + self._offset
