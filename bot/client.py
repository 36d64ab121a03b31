"""The Discord client: resources come in through the constructor, extensions are discovered, commands synced.

Every component click and modal submit gets an answer: one that nothing handles (an old message from a removed
feature, a pack the bot no longer has, a form that timed out or outlived a restart) is answered privately "This
button is no longer active." / "This form is no longer active." instead of leaving the member with Discord's
"This interaction failed". Handlers are discord.py's own: `DynamicItem` templates, views, modals, or
`wait_for("interaction")`. A cog must not answer components from a raw `on_interaction` listener, which this
fallback cannot see.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import pkgutil
import time
from collections.abc import Callable
from typing import Any

import discord
from discord.ext import commands

import cogs
from bot.charts import ChartRenderer
from bot.engine.review import ReviewScheduler
from bot.packs import PackLibrary
from bot.play.buttons import ROUTED_ITEMS
from bot.play.finish import Finisher
from bot.play.registry import PlayRegistry
from bot.play.restore import restore_private_plays
from bot.replies import TorchQuizTree
from bot.sandbox import Sandbox
from bot.sandbox.grader import Grader
from bot.settings import Settings
from bot.storage.protocol import Storage
from bot.tasks import TaskKeeper

log = logging.getLogger(__name__)

BUTTON_GONE = "This button is no longer active."
FORM_GONE = "This form is no longer active."


def discover_extensions() -> list[str]:
    """Every package under `cogs/` is an extension; adding a folder is enough to add a feature."""
    return sorted(
        f"{cogs.__name__}.{module.name}"
        for module in pkgutil.iter_modules(cogs.__path__)
        if module.ispkg and not module.name.startswith("_")
    )


class TorchQuizBot(commands.AutoShardedBot):
    """The bot, sharded: one process may hold every shard (the default) or a slice of them (`bot/shards.py`)."""

    def __init__(
        self,
        *,
        settings: Settings,
        store: Storage,
        packs: PackLibrary,
        sandbox: Sandbox | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        shards: dict[str, Any] = {"shard_count": settings.shards.count}
        if settings.shards.ids is not None:
            shards["shard_ids"] = list(settings.shards.ids)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            tree_cls=TorchQuizTree,
            help_command=None,
            guild_ready_timeout=settings.guild_ready_timeout,
            allowed_mentions=discord.AllowedMentions.none(),
            **shards,
        )
        self.settings = settings
        self.shard_slice = settings.shards
        """Which servers' events come to this process: start-up recovery touches only those."""
        self.store = store
        self.packs = packs
        self.sandbox = sandbox
        self.grader = Grader(sandbox) if sandbox is not None else None
        self.clock = clock
        self.tasks = TaskKeeper()
        self.shutting_down = False
        """Set when `close` begins: cogs unloading then leave their plays stored as running, to resume later."""
        self.plays = PlayRegistry()
        """Every running play by id: what the routed buttons reach (`bot.play`)."""
        self.scheduler = ReviewScheduler(settings.review_weights, desired_retention=settings.review_retention)
        self.finisher = Finisher(store, self.scheduler)
        self.charts = ChartRenderer()

    async def setup_hook(self) -> None:
        self.add_dynamic_items(*ROUTED_ITEMS)
        for extension in discover_extensions():
            await self.load_extension(extension)
            log.info("loaded extension %s", extension)
        await self._restore_plays()
        await self.sync_commands()

    async def _restore_plays(self) -> None:
        """Resume private plays a restart interrupted while their problem is still open; close the rest.

        Done before the gateway connects, so the first click after a restart already finds its play.
        """
        resumed, closed = await restore_private_plays(self)
        if resumed or closed:
            log.info("after the restart: %d private play(s) resumed, %d closed with results saved", resumed, closed)

    async def sync_commands(self) -> None:
        if not self.shard_slice.syncs_commands:
            log.info("%s: the process with shard 0 syncs the slash commands", self.shard_slice.describe())
            return
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

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """discord.py's dispatch, plus an answer for a component or modal interaction that nothing handles.

        discord.py routes an interaction to its views and dynamic items in the same synchronous call that then
        dispatches the "interaction" event, so deciding here sees exactly what the routing saw: no handler can
        have answered, stopped a view or timed out in between, and no delay is needed.
        """
        interaction = args[0] if event_name == "interaction" and args else None
        if not isinstance(interaction, discord.Interaction) or interaction.type not in UNROUTED_KINDS:
            super().dispatch(event_name, *args, **kwargs)
            return
        waits = pending_waits(self, event_name)
        super().dispatch(event_name, *args, **kwargs)
        if any(wait.done() for wait in waits) or has_handler(self, interaction):
            return
        self.tasks.spawn(answer_unrouted(interaction), name=f"unrouted-{interaction.id}")

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("ready as %s (%s) in %d server(s)", self.user, self.user.id, len(self.guilds))

    async def close(self) -> None:
        self.shutting_down = True
        await self.tasks.cancel_all()
        if self.grader is not None:
            await self.grader.aclose()
        await self.charts.aclose()
        await super().close()


UNROUTED_KINDS = frozenset({discord.InteractionType.component, discord.InteractionType.modal_submit})


async def answer_unrouted(interaction: discord.Interaction) -> None:
    """Tell the member, privately, that what they pressed or submitted no longer does anything."""
    form = interaction.type is discord.InteractionType.modal_submit
    text = FORM_GONE if form else BUTTON_GONE
    custom_id = _custom_id(interaction)
    log.info(
        "nothing handles %s %r (user %s): answered that it is no longer active",
        "form" if form else "component",
        custom_id,
        interaction.user.id,
    )
    try:
        await interaction.response.send_message(text, ephemeral=True)
    except discord.InteractionResponded:
        pass
    except discord.HTTPException as exc:
        log.warning("could not answer unrouted interaction %s: %s", interaction.id, exc)


# -- discord.py internals --------------------------------------------------------------------------------------
# discord.py routes component clicks and modal submits itself (ConnectionState.parse_interaction_create calls
# ViewStore.dispatch_view / dispatch_modal) and silently drops one that matches nothing; it has no public way
# to ask whether something matched. These two functions are the only places that read its private structures
# (ViewStore._dynamic_items, _views, _modals and Client._listeners, as of discord.py 2.5-2.7). If a new
# discord.py renames them, the fallback switches itself off (logged once) rather than break every click, and
# tests/unit/test_unrouted_interactions.py fails.


def has_handler(client: discord.Client, interaction: discord.Interaction) -> bool:
    """Whether discord.py found a dynamic item, a view item or a modal for this interaction (mirrors its lookup)."""
    data: dict[str, Any] = dict(interaction.data or {})
    custom_id = _custom_id(interaction)
    if custom_id is None:
        return True  # nothing to route by: not ours to judge
    try:
        store = client._connection._view_store
        if interaction.type is discord.InteractionType.modal_submit:
            return custom_id in store._modals
        if any(pattern.fullmatch(custom_id) for pattern in store._dynamic_items):
            return True
        key = (int(data.get("component_type", 0)), custom_id)
        message_id = interaction.message.id if interaction.message is not None else None
        for entity_id in dict.fromkeys((message_id, None)):  # the message's items first, then persistent ones
            item = store._views.get(entity_id, {}).get(key)
            if item is not None:
                return item.view is not None and not item.view.is_finished()
    except (AttributeError, TypeError) as exc:
        _internals_changed(repr(exc))
        return True
    return False


def pending_waits(client: discord.Client, event_name: str) -> list[asyncio.Future[Any]]:
    """The `wait_for(event_name)` calls still waiting; one that this dispatch resolves has taken the event."""
    try:
        return [future for future, _check in client._listeners.get(event_name, []) if not future.done()]
    except (AttributeError, TypeError) as exc:
        _internals_changed(repr(exc))
        return []


@functools.cache  # once per distinct problem, not once per click
def _internals_changed(problem: str) -> None:
    log.error("discord.py's internals changed (%s): clicks that nothing handles may go unanswered", problem)


def _custom_id(interaction: discord.Interaction) -> str | None:
    custom_id = dict(interaction.data or {}).get("custom_id")
    return custom_id if isinstance(custom_id, str) else None
