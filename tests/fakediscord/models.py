"""The fake's data model: users, guilds, channels, roles, messages and attachments.

Everything a test inspects lives here as plain dataclasses, and every ``*_payload`` method renders the JSON
shape Discord would send, with the keys discord.py's constructors index directly (``Member`` needs
``roles``/``flags``/``joined_at``, ``Message`` needs ``type``/``content``/``author`` ...). Keeping payload
rendering next to the data means the gateway and REST layers never build those dicts by hand.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000

EPHEMERAL = 1 << 6
LOADING = 1 << 7
COMPONENTS_V2 = 1 << 15

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADD_REACTIONS = 1 << 6
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
EVERYONE_PERMISSIONS = (
    ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_APPLICATION_COMMANDS
)
"""What @everyone may do in a fresh guild; members get these plus their roles' bits."""

JsonDict = dict[str, Any]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime | None) -> str | None:
    """Discord's timestamp format (ISO 8601 with offset); ``None`` stays ``None``."""
    return None if moment is None else moment.isoformat()


class SnowflakeGenerator:
    """Strictly increasing snowflakes whose timestamp part is the real time.

    discord.py derives ``created_at`` from ids, so they should look real; strict increase lets tests sort
    messages by id.
    """

    def __init__(self) -> None:
        self._last = 0

    def __call__(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last


@dataclass(eq=False)
class FakeUser:
    """A guild member as tests see it (one ``FakeUser`` per ``add_member`` call).

    ``role_ids`` are the member's roles besides @everyone; ``manage_guild`` adds the Manage Server bit, which
    is how Discord tells a bot who may administer it.
    """

    id: int
    name: str
    guild_id: int | None = None
    role_ids: list[int] = field(default_factory=list)
    manage_guild: bool = False
    bot: bool = False
    joined_at: dt.datetime = field(default_factory=utcnow)
    global_name: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def user_payload(self) -> JsonDict:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.global_name if self.global_name is not None else self.name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }

    def member_payload(self, *, permissions: int | None = None, with_user: bool = True) -> JsonDict:
        payload: JsonDict = {
            "roles": [str(r) for r in self.role_ids],
            "joined_at": iso(self.joined_at),
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            payload["user"] = self.user_payload()
        if permissions is not None:
            payload["permissions"] = str(permissions)
        return payload


@dataclass(eq=False)
class FakeRole:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0

    def payload(self) -> JsonDict:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }


@dataclass(eq=False)
class FakeChannel:
    id: int
    guild_id: int
    name: str
    position: int = 0
    type: int = 0  # GUILD_TEXT

    def payload(self) -> JsonDict:
        return {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "type": self.type,
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }


@dataclass(eq=False)
class FakeGuild:
    id: int
    name: str
    owner_id: int
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    roles: dict[int, FakeRole] = field(default_factory=dict)
    members: dict[int, FakeUser] = field(default_factory=dict)

    def permissions_of(self, user: FakeUser) -> int:
        """Guild-level permission bits: @everyone, plus roles, plus Manage Server when asked for."""
        bits = self.roles[self.id].permissions if self.id in self.roles else EVERYONE_PERMISSIONS
        for role_id in user.role_ids:
            role = self.roles.get(role_id)
            if role is not None:
                bits |= role.permissions
        if user.manage_guild:
            bits |= MANAGE_GUILD
        return bits

    def role_named(self, name: str) -> FakeRole | None:
        return next((r for r in self.roles.values() if r.name == name), None)


@dataclass(frozen=True)
class Upload:
    """Raw file bytes with a name: a ``files[n]`` part the bot uploaded, or a file a test user attaches to a
    slash command's attachment option (``fake.slash(user, "run", {"code": Upload("a.py", b"...")})``)."""

    filename: str
    data: bytes
    content_type: str = "text/plain"


@dataclass(eq=False)
class FakeAttachment:
    """A file the bot uploaded (``files[n]`` part of a multipart request), or an :class:`Upload`."""

    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    def payload(self, http_base: str, channel_id: int) -> JsonDict:
        url = f"{http_base}/attachments/{channel_id}/{self.id}/{self.filename}"
        payload: JsonDict = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": url,
            "proxy_url": url,
            "content_type": self.content_type,
        }
        if self.description is not None:
            payload["description"] = self.description
        return payload


def walk_components(components: list[JsonDict]) -> Iterator[JsonDict]:
    """Every component, depth first: action rows, their children, and v2 containers/sections/labels."""
    for component in components:
        yield component
        children = list(component.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                children.append(component[key])
        yield from walk_components(children)


@dataclass(frozen=True)
class MessageRevision:
    """The state of a message right after one edit (``FakeMessage.edits`` keeps them in order)."""

    content: str
    embeds: list[JsonDict]
    components: list[JsonDict]
    flags: int
    attachment_names: list[str]
    edited_at: dt.datetime
    via: str
    """Which route edited it, e.g. ``"callback 7"`` or ``"PATCH webhook @original"``."""


@dataclass(eq=False)
class FakeMessage:
    """One message the bot created. Edits mutate it in place and append a :class:`MessageRevision`."""

    id: int
    channel_id: int
    guild_id: int | None
    author: FakeUser
    content: str = ""
    embeds: list[JsonDict] = field(default_factory=list)
    components: list[JsonDict] = field(default_factory=list)
    flags: int = 0
    attachments: list[FakeAttachment] = field(default_factory=list)
    interaction_id: int | None = None
    token: str | None = None
    webhook_id: int | None = None
    type: int = 0
    created_at: dt.datetime = field(default_factory=utcnow)
    edited_at: dt.datetime | None = None
    edits: list[MessageRevision] = field(default_factory=list)
    deleted: bool = False
    interaction_metadata: JsonDict | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """True while this is a deferred "thinking..." placeholder nobody has filled in yet."""
        return bool(self.flags & LOADING)

    @property
    def embed(self) -> JsonDict | None:
        return self.embeds[0] if self.embeds else None

    @property
    def text(self) -> str:
        """Content plus every visible embed string, for ``"Correct" in msg.text`` style assertions."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            for item in embed.get("fields") or []:
                parts += [item.get("name") or "", item.get("value") or ""]
            parts += [(embed.get("footer") or {}).get("text") or "", (embed.get("author") or {}).get("name") or ""]
        parts += [c.get("content") or "" for c in walk_components(self.components) if c.get("type") == 10]
        return "\n".join(p for p in parts if p)

    def iter_components(self) -> Iterator[JsonDict]:
        return walk_components(self.components)

    @property
    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in self.iter_components() if "custom_id" in c]

    def component(self, custom_id: str) -> JsonDict | None:
        return next((c for c in self.iter_components() if c.get("custom_id") == custom_id), None)

    @property
    def buttons(self) -> list[JsonDict]:
        return [c for c in self.iter_components() if c.get("type") == 2]

    def snapshot(self, via: str) -> MessageRevision:
        return MessageRevision(
            content=self.content,
            embeds=copy.deepcopy(self.embeds),
            components=copy.deepcopy(self.components),
            flags=self.flags,
            attachment_names=[a.filename for a in self.attachments],
            edited_at=self.edited_at or utcnow(),
            via=via,
        )

    def payload(self, http_base: str) -> JsonDict:
        """The full message object, as REST answers and as ``message`` in a component interaction."""
        payload: JsonDict = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.user_payload(),
            "content": self.content,
            "timestamp": iso(self.created_at),
            "edited_timestamp": iso(self.edited_at),
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "mention_channels": [],
            "attachments": [a.payload(http_base, self.channel_id) for a in self.attachments],
            "embeds": copy.deepcopy(self.embeds),
            "reactions": [],
            "pinned": False,
            "type": self.type,
            "flags": self.flags,
            "components": copy.deepcopy(self.components),
        }
        if self.webhook_id is not None:
            payload["webhook_id"] = str(self.webhook_id)
            payload["application_id"] = str(self.webhook_id)
        if self.interaction_metadata is not None:
            payload["interaction_metadata"] = copy.deepcopy(self.interaction_metadata)
        return payload


@dataclass(eq=False)
class FakeCallback:
    """The bot's answer to an interaction (``POST /interactions/{id}/{token}/callback``)."""

    type: int
    data: JsonDict
    message: FakeMessage | None
    """The message it created (type 4/5) or updated (type 7), if any."""
    at: float
    """Clock reading when the fake received it."""


@dataclass(eq=False)
class SyncedCommand:
    """An application command as the bot last synced it (with the id the fake gave it)."""

    id: int
    name: str
    type: int
    guild_id: int | None
    data: JsonDict


_counter = itertools.count(1)


def next_session_id() -> str:
    return f"fake-session-{next(_counter)}"
