"""``FakeDiscord``: the loopback Discord that tests start, populate, drive and inspect.

Typical use::

    async with FakeDiscord() as fake:
        guild = fake.add_guild("Study group")
        channel = fake.add_channel(guild, "quiz")
        alice = fake.add_member(guild, "alice")
        ...start the bot against fake.http_base / fake.gateway_url...
        await fake.wait_until_ready()
        it = await fake.slash(alice, "challenge", {"pack": "autograd-basics"})
        reply = await it.response()
        assert not fake.violations

The server runs in the test's event loop, so state is plain Python objects that tests read directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from .clock import Clock, system_clock
from .gateway import Gateway
from .handles import FakeInteraction
from .inject import Injector
from .models import FakeMessage, FakeUser, SyncedCommand
from .patch import api_base, patched_discord
from .rest import STATE_KEY, BotRoutes, fallback, make_error_middleware
from .rest_interactions import InteractionRoutes
from .state import FakeState

T = TypeVar("T")


class FakeDiscord:
    """A Discord gateway + REST API on 127.0.0.1 for the real discord.py client.

    ``clock``, ``response_deadline`` and ``token_ttl`` exist so tests can cross Discord's 3 s and 15 min
    lines without waiting (see :class:`~.clock.ManualClock`). ``expected_token``, when given, makes the
    fake refuse any other bot token, as Discord would.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        response_deadline: float = 3.0,
        token_ttl: float = 15 * 60.0,
        expected_token: str | None = None,
        app_name: str = "TorchQuiz",
        shard_count: int = 1,
    ) -> None:
        self.state = FakeState(
            clock=clock or system_clock,
            response_deadline=response_deadline,
            token_ttl=token_ttl,
            app_name=app_name,
            shard_count=shard_count,
        )
        self.gateway = Gateway(self.state)
        self._inject = Injector(self.state, self.gateway)
        self._expected_token = expected_token
        self._runner: web.AppRunner | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        """Bind a free port on 127.0.0.1 and serve."""
        app = web.Application(middlewares=[make_error_middleware(self.state)], client_max_size=64 * 1024 * 1024)
        app[STATE_KEY] = self.state
        app.router.add_get("/", self.gateway.handle)
        BotRoutes(self.state, self._expected_token).register(app.router)
        InteractionRoutes(self.state).register(app.router)
        app.router.add_route("*", "/{tail:.*}", fallback)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.state.http_base = f"http://127.0.0.1:{port}"
        self.state.gateway_url = f"ws://127.0.0.1:{port}/"
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self.gateway.close()
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def http_base(self) -> str:
        """``http://127.0.0.1:PORT``; discord.py's ``Route.BASE`` is this plus ``/api/v10``."""
        if not self.state.http_base:
            raise RuntimeError("FakeDiscord is not started")
        return self.state.http_base

    @property
    def api_base(self) -> str:
        return api_base(self.http_base)

    @property
    def gateway_url(self) -> str:
        """``ws://127.0.0.1:PORT/``, for ``DiscordWebSocket.DEFAULT_GATEWAY`` (as a ``yarl.URL``)."""
        if not self.state.gateway_url:
            raise RuntimeError("FakeDiscord is not started")
        return self.state.gateway_url

    def patch_discord(self) -> AbstractContextManager[None]:
        """Point discord.py in *this* process at the fake for the duration of a ``with`` block."""
        return patched_discord(self.http_base, self.gateway_url)

    # -- the world -------------------------------------------------------------------------------------------

    @property
    def application_id(self) -> int:
        return self.state.application_id

    @property
    def bot_user(self) -> FakeUser:
        return self.state.bot_user

    def add_guild(self, name: str) -> int:
        return self.state.add_guild(name).id

    def add_channel(self, guild_id: int, name: str) -> int:
        return self.state.add_channel(guild_id, name).id

    def add_role(self, guild_id: int, name: str, *, permissions: int = 0) -> int:
        return self.state.add_role(guild_id, name, permissions).id

    def add_member(
        self,
        guild_id: int,
        name: str,
        *,
        manage_guild: bool = False,
        roles: tuple[int | str, ...] | list[Any] = (),
        same_user_as: FakeUser | None = None,
    ) -> FakeUser:
        """A member; ``roles`` are role ids or names (unknown names become new roles). ``same_user_as`` makes them
        the same Discord user as a member of another server (one id, two memberships)."""
        user_id = same_user_as.id if same_user_as is not None else None
        return self.state.add_member(guild_id, name, manage_guild, tuple(roles), user_id)

    # -- what the bot did ------------------------------------------------------------------------------------

    @property
    def messages(self) -> list[FakeMessage]:
        """Every message the bot created, in order (deleted ones included, with ``deleted=True``)."""
        return self.state.messages

    def channel_messages(self, channel_id: int, *, include_deleted: bool = False) -> list[FakeMessage]:
        return [m for m in self.state.messages if m.channel_id == channel_id and (include_deleted or not m.deleted)]

    @property
    def violations(self) -> list[str]:
        """One line per request the fake refused as Discord would (limits, deadlines, bad tokens...)."""
        return self.state.violations

    @property
    def rate_warnings(self) -> list[str]:
        """Channels whose messages were edited more than ~5 times in 5 s (Discord would rate limit)."""
        return self.state.rate_warnings

    @property
    def unhandled(self) -> list[str]:
        """Requests to routes the fake does not implement (answered 404)."""
        return self.state.unhandled

    @property
    def requests(self) -> list[str]:
        """``"METHOD /path -> status"`` for every API call, for debugging."""
        return self.state.requests

    @property
    def interactions(self) -> list[FakeInteraction]:
        return list(self.state.interactions.values())

    @property
    def commands(self) -> list[SyncedCommand]:
        """Every synced command (global and per guild) as last synced."""
        return self.state.all_commands()

    @property
    def command_syncs(self) -> int:
        return self.state.command_syncs

    @property
    def identified(self) -> bool:
        return bool(self.state.identifies)

    # -- waiting ---------------------------------------------------------------------------------------------

    async def wait_for(self, check: Callable[[], T | None], timeout: float = 5.0, what: str = "a condition") -> T:  # noqa: ASYNC109
        """Wait until ``check()`` returns something other than None (re-checked on every change)."""
        return await self.state.wait_until(check, timeout, what)

    async def wait_until_ready(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Until the bot has identified and been sent READY and its guilds."""
        await self.wait_for(lambda: True if self.gateway.connected else None, timeout, "the bot to IDENTIFY")

    async def wait_for_sync(self, timeout: float = 10.0, *, count: int = 1) -> list[SyncedCommand]:  # noqa: ASYNC109
        """Until the bot has synced commands ``count`` times in total; returns the synced commands."""
        return await self.wait_for(
            lambda: self.commands if self.state.command_syncs >= count else None, timeout, "a command sync"
        )

    async def wait_for_message(
        self,
        predicate: Callable[[FakeMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - every waiter takes a timeout, like the brief's API
        *,
        channel_id: int | None = None,
        new_only: bool = False,
    ) -> FakeMessage:
        """The first live message (in creation order) that satisfies ``predicate`` now or after a change.

        Edits count: a message that is edited into matching is returned then. ``new_only`` ignores messages
        that existed when the call was made.
        """
        floor = self.state.messages[-1].id if new_only and self.state.messages else 0

        def check() -> FakeMessage | None:
            for message in self.state.messages:
                if message.id <= floor or message.deleted:
                    continue
                if channel_id is not None and message.channel_id != channel_id:
                    continue
                if predicate is None or predicate(message):
                    return message
            return None

        return await self.wait_for(check, timeout, "a matching message")

    async def wait_for_edit(
        self,
        message: FakeMessage,
        predicate: Callable[[FakeMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> FakeMessage:
        """Without ``predicate``: until ``message`` gets an edit after this call. With it: until
        ``predicate(message)`` holds (which may already be the case)."""
        baseline = len(message.edits)

        def check() -> FakeMessage | None:
            if predicate is None:
                return message if len(message.edits) > baseline else None
            return message if predicate(message) else None

        return await self.wait_for(check, timeout, f"an edit of message {message.id}")

    # -- injecting interactions ------------------------------------------------------------------------------

    async def slash(
        self,
        user: FakeUser,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel_id: int | None = None,
        subcommand: str | None = None,
        force: bool = False,
    ) -> FakeInteraction:
        """Run ``/name`` (``"quiz start"`` or ``subcommand="start"`` for subcommands) as ``user``.

        Option types come from the synced command: str, int, bool, float, ``FakeUser`` (user), role id,
        channel id, and :class:`~.models.Upload` (attachment). ``channel_id`` defaults to the first channel
        of the user's guild.
        """
        return await self._inject.slash(user, name, options, channel_id=channel_id, subcommand=subcommand, force=force)

    async def autocomplete(
        self,
        user: FakeUser,
        name: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        channel_id: int | None = None,
        subcommand: str | None = None,
    ) -> FakeInteraction:
        """Type into option ``focused`` of ``/name``; the bot's choices are in ``(await it.response()).data``."""
        return await self._inject.slash(
            user, name, options, channel_id=channel_id, subcommand=subcommand, force=False, focused=focused
        )

    async def click(
        self, user: FakeUser, message: FakeMessage, custom_id: str, *, force: bool = False
    ) -> FakeInteraction:
        """Press a button. Refuses (AssertionError) a missing or disabled button unless ``force``."""
        return await self._inject.click(user, message, custom_id, force=force)

    async def select(
        self, user: FakeUser, message: FakeMessage, custom_id: str, values: list[str], *, force: bool = False
    ) -> FakeInteraction:
        """Choose ``values`` in a select menu."""
        return await self._inject.select(user, message, custom_id, values, force=force)

    async def submit_modal(
        self,
        user: FakeUser,
        modal: FakeInteraction | str,
        values: Mapping[str, str | list[str]],
        *,
        force: bool = False,
    ) -> FakeInteraction:
        """Submit the modal the bot showed in answer to ``modal`` (or the last modal with that custom_id)."""
        return await self._inject.submit_modal(user, modal, values, force=force)

    async def drop_gateway_connection(self, code: int = 4000) -> None:
        """Cut the bot's websocket; discord.py should RESUME (see ``gateway.resumes``)."""
        await self.gateway.drop_connection(code)
