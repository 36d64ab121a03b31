"""The Discord client: resources come in through the constructor, extensions are discovered, commands synced."""

from __future__ import annotations

import logging
import pkgutil
import time
from collections.abc import Callable

import discord
from discord.ext import commands

import cogs
from bot.packs import PackLibrary
from bot.replies import TorchQuizTree
from bot.sandbox import SandboxPool
from bot.sandbox.grader import Grader
from bot.settings import Settings
from bot.storage import Store
from bot.tasks import TaskKeeper

log = logging.getLogger(__name__)


def discover_extensions() -> list[str]:
    """Every package under `cogs/` is an extension; adding a folder is enough to add a feature."""
    return sorted(
        f"{cogs.__name__}.{module.name}"
        for module in pkgutil.iter_modules(cogs.__path__)
        if module.ispkg and not module.name.startswith("_")
    )


class TorchQuizBot(commands.Bot):
    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        packs: PackLibrary,
        sandbox: SandboxPool | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            tree_cls=TorchQuizTree,
            help_command=None,
            guild_ready_timeout=settings.guild_ready_timeout,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.settings = settings
        self.store = store
        self.packs = packs
        self.sandbox = sandbox
        self.grader = Grader(sandbox) if sandbox is not None else None
        self.clock = clock
        self.tasks = TaskKeeper()

    async def setup_hook(self) -> None:
        for extension in discover_extensions():
            await self.load_extension(extension)
            log.info("loaded extension %s", extension)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        if self.settings.sync_guild is not None:
            guild = discord.Object(id=self.settings.sync_guild)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("synced %d application command(s)", len(synced))

    def sandbox_unavailable(self) -> str | None:
        """Why members' code cannot run right now, in one sentence; None when it can."""
        if self.sandbox is None:
            return "the operator switched the sandbox off"
        return self.sandbox.unavailable_reason

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("ready as %s (%s) in %d server(s)", self.user, self.user.id, len(self.guilds))

    async def close(self) -> None:
        await self.tasks.cancel_all()
        if self.grader is not None:
            await self.grader.aclose()
        await super().close()
