"""The fake Discord's world: who exists, what the bot sent, and a change signal tests can wait on.

Gateway and REST handlers both mutate this one object, and every mutation calls :meth:`FakeState.bump`, which
wakes whoever is waiting in :meth:`FakeState.wait_until`. That is how tests wait for the bot without polling
sleeps: a waiter re-checks its condition exactly when something changed.

REST refusals are raised as :class:`DiscordError`; the REST middleware turns them into Discord's JSON error
and appends a line to :attr:`FakeState.violations`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from .clock import Clock
from .limits import FormError, check_message, invalid_form_body
from .models import (
    EPHEMERAL,
    EVERYONE_PERMISSIONS,
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeMessage,
    FakeRole,
    FakeUser,
    JsonDict,
    SnowflakeGenerator,
    SyncedCommand,
    Upload,
    utcnow,
)

if TYPE_CHECKING:
    from .handles import FakeInteraction

T = TypeVar("T")

EDITABLE_FLAGS = (1 << 2) | (1 << 15)
"""SUPPRESS_EMBEDS and IS_COMPONENTS_V2: the only flags an edit may change."""
EDIT_RATE_LIMIT = 5
EDIT_RATE_WINDOW = 5.0
CREATE_FLAGS = EDITABLE_FLAGS | EPHEMERAL | (1 << 12)
"""Flags a bot may set when creating a message (plus SUPPRESS_NOTIFICATIONS)."""


class DiscordError(Exception):
    """A refusal Discord would send: HTTP status plus JSON body ``{"code", "message", ...}``."""

    def __init__(
        self, status: int, code: int, message: str, errors: list[FormError] | None = None, *, detail: str = ""
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors or []
        self.detail = detail
        """Extra explanation for the violation log only (Discord would not send it)."""

    def body(self) -> JsonDict:
        if self.errors:
            return invalid_form_body(self.errors)
        return {"code": self.code, "message": self.message}

    def describe(self) -> str:
        details = "; ".join([e.describe() for e in self.errors] + ([self.detail] if self.detail else []))
        return f"{self.status} {self.code} {self.message}" + (f" ({details})" if details else "")


def unknown_message() -> DiscordError:
    return DiscordError(404, 10008, "Unknown Message")


@dataclass
class FakeState:
    """Everything the fake knows. Add guilds, channels and members before the bot connects."""

    clock: Clock
    response_deadline: float
    token_ttl: float
    app_name: str = "TorchQuiz"
    new_id: SnowflakeGenerator = field(default_factory=SnowflakeGenerator)
    http_base: str = ""
    gateway_url: str = ""
    guilds: dict[int, FakeGuild] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    messages: list[FakeMessage] = field(default_factory=list)
    messages_by_id: dict[int, FakeMessage] = field(default_factory=dict)
    interactions: dict[int, FakeInteraction] = field(default_factory=dict)
    interactions_by_token: dict[str, FakeInteraction] = field(default_factory=dict)
    global_commands: dict[tuple[str, int], SyncedCommand] = field(default_factory=dict)
    guild_commands: dict[int, dict[tuple[str, int], SyncedCommand]] = field(default_factory=dict)
    command_syncs: int = 0
    violations: list[str] = field(default_factory=list)
    unhandled: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    identifies: list[JsonDict] = field(default_factory=list)
    shard_count: int = 1
    """What `GET /gateway/bot` advises; each server's events go to shard `(guild_id >> 22) % shard_count`."""
    rate_warnings: list[str] = field(default_factory=list)
    edit_times: dict[int, deque[float]] = field(default_factory=dict)
    user_uploads: list[FakeAttachment] = field(default_factory=list)
    """Files test users attached to attachment options; served like the bot's own uploads."""

    def __post_init__(self) -> None:
        self.application_id = self.new_id()
        self.owner = FakeUser(id=self.new_id(), name="owner")
        self.bot_user = FakeUser(id=self.application_id, name=self.app_name, bot=True)
        self._changed = asyncio.Event()

    def shard_of(self, guild_id: int | None) -> int:
        """The shard a server's events go to (direct messages: shard 0), as Discord routes them."""
        return 0 if guild_id is None else (guild_id >> 22) % self.shard_count

    # -- change signal ---------------------------------------------------------------------------------------

    def bump(self) -> None:
        """Wake every waiter; called after each mutation."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, check: Callable[[], T | None], timeout: float, what: str) -> T:  # noqa: ASYNC109
        """Return ``check()``'s first non-None value, re-checking after every change, or time out.

        The timeout error lists the recent messages and violations, because "timed out" alone never tells
        you what the bot did instead.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout:g}s waiting for {what}\n{self.describe_recent()}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def describe_recent(self, count: int = 8) -> str:
        lines = ["recent messages:"]
        for message in self.messages[-count:]:
            flags = " ephemeral" if message.ephemeral else ""
            gone = " deleted" if message.deleted else ""
            lines.append(f"  {message.id} ch={message.channel_id}{flags}{gone}: {message.text[:120]!r}")
        lines.append(f"violations: {self.violations[-count:]}")
        lines.append(f"unhandled: {self.unhandled[-count:]}")
        return "\n".join(lines)

    # -- the world -------------------------------------------------------------------------------------------

    def add_guild(self, name: str) -> FakeGuild:
        guild = FakeGuild(id=self.new_id(), name=name, owner_id=self.owner.id)
        everyone = FakeRole(id=guild.id, guild_id=guild.id, name="@everyone", permissions=EVERYONE_PERMISSIONS)
        guild.roles[guild.id] = everyone
        self.guilds[guild.id] = guild
        return guild

    def guild(self, guild_id: int) -> FakeGuild:
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise KeyError(f"no guild {guild_id}; call add_guild first") from None

    def add_channel(self, guild_id: int, name: str) -> FakeChannel:
        guild = self.guild(guild_id)
        channel = FakeChannel(id=self.new_id(), guild_id=guild_id, name=name, position=len(guild.channels))
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def add_role(self, guild_id: int, name: str, permissions: int = 0) -> FakeRole:
        guild = self.guild(guild_id)
        role = FakeRole(self.new_id(), guild_id, name, permissions=permissions, position=len(guild.roles))
        guild.roles[role.id] = role
        return role

    def add_member(
        self, guild_id: int, name: str, manage_guild: bool, roles: tuple[int | str, ...], user_id: int | None = None
    ) -> FakeUser:
        guild = self.guild(guild_id)
        role_ids: list[int] = []
        for role in roles:
            if isinstance(role, int):
                if role not in guild.roles:
                    raise KeyError(f"no role {role} in guild {guild_id}")
                role_ids.append(role)
            else:
                found = guild.role_named(role) or self.add_role(guild_id, role)
                role_ids.append(found.id)
        user = FakeUser(
            id=user_id or self.new_id(), name=name, guild_id=guild_id, role_ids=role_ids, manage_guild=manage_guild
        )
        guild.members[user.id] = user
        return user

    # -- messages --------------------------------------------------------------------------------------------

    def new_message(
        self, channel_id: int, *, interaction: FakeInteraction | None = None, message_type: int = 0
    ) -> FakeMessage:
        """A blank message (not yet stored): the caller fills it and then calls :meth:`store`."""
        channel = self.channels.get(channel_id)
        message = FakeMessage(
            id=self.new_id(),
            channel_id=channel_id,
            guild_id=channel.guild_id if channel else None,
            author=self.bot_user,
            type=message_type,
        )
        if interaction is not None:
            message.interaction_id = interaction.id
            message.token = interaction.token
            message.webhook_id = self.application_id
            message.interaction_metadata = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": interaction.user.user_payload(),
                "authorizing_integration_owners": {"0": str(interaction.guild_id)},
            }
        return message

    def store(self, message: FakeMessage) -> FakeMessage:
        self.messages.append(message)
        self.messages_by_id[message.id] = message
        self.bump()
        return message

    def payload(self, message: FakeMessage) -> JsonDict:
        return message.payload(self.http_base)

    def apply_body(
        self, message: FakeMessage, body: Mapping[str, Any], uploads: Mapping[int, Upload], *, creating: bool
    ) -> None:
        """Write the message fields of a create/edit body into ``message`` (Discord's partial-update rules).

        Absent keys leave a field alone on edit; ``attachments`` lists what to keep (existing ids) and which
        uploaded ``files[n]`` to add (``id`` = n); without it, uploads are appended.
        """
        if "content" in body:
            message.content = body["content"] or ""
        if "embeds" in body:
            message.embeds = copy.deepcopy(body["embeds"] or [])
        if "components" in body:
            message.components = copy.deepcopy(body["components"] or [])
        flags = body.get("flags")
        if isinstance(flags, int):
            allowed = CREATE_FLAGS if creating else EDITABLE_FLAGS
            message.flags = (message.flags & ~allowed) | (flags & allowed)
        if "attachments" in body:
            kept = {str(a.id): a for a in message.attachments}
            result: list[FakeAttachment] = []
            for entry in body["attachments"] or []:
                key = str(entry.get("id"))
                if key in kept:
                    result.append(kept[key])
                elif key.isdigit() and int(key) in uploads:
                    upload = uploads[int(key)]
                    result.append(self._attachment(upload, entry.get("filename"), entry.get("description")))
            message.attachments = result
        elif uploads:
            new = [self._attachment(u, None, None) for _, u in sorted(uploads.items())]
            message.attachments = new if creating else [*message.attachments, *new]

    def _attachment(self, upload: Upload, filename: str | None, description: str | None) -> FakeAttachment:
        return FakeAttachment(
            id=self.new_id(),
            filename=filename or upload.filename,
            data=upload.data,
            content_type=upload.content_type,
            description=description,
        )

    def validate(
        self, message: FakeMessage, body: Mapping[str, Any], uploads: Mapping[int, Upload], prefix: tuple[str, ...] = ()
    ) -> None:
        """Refuse like Discord before touching anything: field limits first, then "empty message"."""
        errors = check_message(body, prefix)
        if errors:
            raise DiscordError(400, 50035, "Invalid Form Body", errors)
        preview = copy.copy(message)
        preview.attachments = list(message.attachments)
        self.apply_body(preview, body, uploads, creating=False)
        if not (preview.content or preview.embeds or preview.components or preview.attachments):
            raise DiscordError(400, 50006, "Cannot send an empty message")

    def create(
        self, message: FakeMessage, body: Mapping[str, Any], uploads: Mapping[int, Upload], prefix: tuple[str, ...] = ()
    ) -> FakeMessage:
        self.validate(message, body, uploads, prefix)
        self.apply_body(message, body, uploads, creating=True)
        return self.store(message)

    def edit(
        self,
        message: FakeMessage,
        body: Mapping[str, Any],
        uploads: Mapping[int, Upload],
        via: str,
        prefix: tuple[str, ...] = (),
        *,
        clear_flags: int = 0,
    ) -> FakeMessage:
        """Validate and apply an edit; ``clear_flags`` drops flags Discord clears itself (LOADING)."""
        if message.deleted:
            raise unknown_message()
        self.validate(message, body, uploads, prefix)
        self.apply_body(message, body, uploads, creating=False)
        message.flags &= ~clear_flags
        if via.startswith("PATCH") and not message.ephemeral:
            self._note_edit_rate(message.channel_id)
        message.edited_at = utcnow()
        message.edits.append(message.snapshot(via))
        self.bump()
        return message

    def _note_edit_rate(self, channel_id: int) -> None:
        """Discord allows about 5 edits per 5 s per channel. Discord would answer 429 and discord.py would
        wait, so this is a warning (``rate_warnings``) rather than a refusal."""
        now = self.clock()
        times = self.edit_times.setdefault(channel_id, deque())
        times.append(now)
        while times and now - times[0] > EDIT_RATE_WINDOW:
            times.popleft()
        if len(times) > EDIT_RATE_LIMIT:
            self.rate_warnings.append(f"channel {channel_id}: {len(times)} message edits within {EDIT_RATE_WINDOW:g}s")

    def delete(self, message: FakeMessage) -> None:
        if message.deleted:
            raise unknown_message()
        message.deleted = True
        self.bump()

    # -- commands --------------------------------------------------------------------------------------------

    def synced_command(self, name: str, guild_id: int | None, kind: int = 1) -> SyncedCommand | None:
        """The command Discord would route ``name`` to in ``guild_id``: guild commands shadow global ones."""
        if guild_id is not None:
            found = self.guild_commands.get(guild_id, {}).get((name, kind))
            if found is not None:
                return found
        return self.global_commands.get((name, kind))

    def all_commands(self) -> list[SyncedCommand]:
        every = list(self.global_commands.values())
        for commands in self.guild_commands.values():
            every += commands.values()
        return every
