"""Building and sending the interactions tests inject: slash commands, clicks, selects, modal submits.

Payloads carry what discord.py's ``Interaction`` reads unconditionally (``attachment_size_limit``,
``version``, a ``member`` with ``roles``/``flags``/``joined_at``/``permissions`` ...), and are checked the way
the Discord *client* would check them before sending: a slash command must have been synced with those
options, a button must be on the message and enabled, a modal field must exist. A failed check is a bug in
the test or the bot, so it raises ``AssertionError`` here, in the test; ``force=True`` skips the checks to
simulate a stale or hostile client.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from .gateway import Gateway
from .handles import FakeInteraction
from .models import (
    EVERYONE_PERMISSIONS,
    FakeAttachment,
    FakeChannel,
    FakeMessage,
    FakeRole,
    FakeUser,
    JsonDict,
    Upload,
)
from .state import FakeState

MANAGE_MESSAGES = 1 << 13
BOT_PERMISSIONS = EVERYONE_PERMISSIONS | MANAGE_MESSAGES
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})


class Injector:
    def __init__(self, state: FakeState, gateway: Gateway) -> None:
        self.state = state
        self.gateway = gateway

    # -- plumbing --------------------------------------------------------------------------------------------

    def _channel(self, user: FakeUser, channel_id: int | None) -> FakeChannel:
        if channel_id is not None:
            try:
                return self.state.channels[channel_id]
            except KeyError:
                raise AssertionError(f"no channel {channel_id}") from None
        guild = self.state.guilds.get(user.guild_id or 0)
        if guild is None or not guild.channels:
            raise AssertionError(f"{user.name} has no guild with a channel; pass channel_id")
        return next(iter(guild.channels.values()))

    async def _send(
        self, kind: int, user: FakeUser, channel: FakeChannel, data: JsonDict, message: FakeMessage | None = None
    ) -> FakeInteraction:
        state = self.state
        guild = state.guild(channel.guild_id)
        if user.id not in guild.members:
            raise AssertionError(f"{user.name} is not a member of guild {guild.name!r}")
        permissions = guild.permissions_of(user)
        interaction_id = state.new_id()
        token = secrets.token_urlsafe(48)
        payload: JsonDict = {
            "id": str(interaction_id),
            "application_id": str(state.application_id),
            "type": kind,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": channel.payload() | {"permissions": str(permissions)},
            "member": user.member_payload(permissions=permissions),
            "token": token,
            "version": 1,
            "app_permissions": str(BOT_PERMISSIONS),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if message is not None:
            payload["message"] = state.payload(message)
        it = FakeInteraction(
            id=interaction_id,
            token=token,
            type=kind,
            user=user,
            channel_id=channel.id,
            guild_id=guild.id,
            created_at=state.clock(),
            payload=payload,
            _state=state,
            message=message,
        )
        # Registered before sending: an in-process bot may call back before dispatch() returns.
        state.interactions[it.id] = it
        state.interactions_by_token[token] = it
        try:
            await self.gateway.dispatch("INTERACTION_CREATE", payload, guild_id=guild.id)
        except BaseException:
            del state.interactions[it.id], state.interactions_by_token[token]
            raise
        return it

    # -- slash commands --------------------------------------------------------------------------------------

    async def slash(
        self,
        user: FakeUser,
        name: str,
        options: Mapping[str, Any] | None,
        *,
        channel_id: int | None,
        subcommand: str | None,
        force: bool,
        focused: str | None = None,
    ) -> FakeInteraction:
        """Type 2 (command), or type 4 (autocomplete) when ``focused`` names the option being typed."""
        parts = name.strip().lstrip("/").split() + (subcommand.split() if subcommand else [])
        root, path = parts[0], parts[1:]
        channel = self._channel(user, channel_id)
        command = self.state.synced_command(root, channel.guild_id)
        if command is None and not force:
            synced = sorted({c.name for c in self.state.all_commands()})
            raise AssertionError(f"/{root} was never synced by the bot (synced: {synced})")
        specs: list[JsonDict] = (command.data.get("options") or []) if command is not None else []
        chain: list[JsonDict] = []
        for sub in path:
            spec = next((o for o in specs if o.get("name") == sub and o.get("type") in (1, 2)), None)
            if spec is None and force:
                spec = {"type": 1, "name": sub}
            if spec is None:
                raise AssertionError(f"/{' '.join(parts)}: no subcommand {sub!r} (have {[o['name'] for o in specs]})")
            chain.append(spec)
            specs = spec.get("options") or []
        if any(o.get("type") in (1, 2) for o in specs) and not force:
            raise AssertionError(f"/{' '.join(parts)} needs a subcommand: {[o['name'] for o in specs]}")
        resolved: JsonDict = {}
        if focused is not None and not any(o["name"] == focused and o.get("autocomplete") for o in specs):
            raise AssertionError(f"option {focused!r} of /{' '.join(parts)} was not synced with autocomplete")
        partial = force or focused is not None
        nested = self._options(
            specs, dict(options or {}), resolved, force=force, partial=partial, channel_id=channel.id
        )
        for option in nested:
            if option["name"] == focused:
                option["focused"] = True
                option["value"] = str(option["value"])  # what the user has typed so far
        for spec in reversed(chain):
            nested = [{"type": spec["type"], "name": spec["name"], "options": nested}]
        data: JsonDict = {"id": str(command.id if command else 0), "name": root, "type": 1, "options": nested}
        if resolved:
            data["resolved"] = resolved
        if command is not None and command.guild_id is not None:
            data["guild_id"] = str(command.guild_id)
        return await self._send(2 if focused is None else 4, user, channel, data)

    def _options(
        self,
        specs: list[JsonDict],
        given: dict[str, Any],
        resolved: JsonDict,
        *,
        force: bool,
        partial: bool,
        channel_id: int,
    ) -> list[JsonDict]:
        """Typed option list. ``partial`` (autocomplete, or force) skips value and required checks."""
        by_name = {s["name"]: s for s in specs}
        out: list[JsonDict] = []
        for key, value in given.items():
            spec = by_name.get(key)
            if spec is None and not force:
                raise AssertionError(f"unknown option {key!r}; the synced command has {sorted(by_name)}")
            kind = spec["type"] if spec is not None else _guess_type(value)
            if spec is not None and not partial:
                _check_value(spec, value)
            out.append({"type": kind, "name": key, "value": self._option_value(kind, value, resolved, channel_id)})
        missing = [s["name"] for s in specs if s.get("required") and s["name"] not in given]
        if missing and not partial:
            raise AssertionError(f"required option(s) missing: {missing}")
        return out

    def _option_value(self, kind: int, value: Any, resolved: JsonDict, channel_id: int) -> Any:
        """Scalars go as-is; users, roles, channels and attachments go by id plus a ``resolved`` entry."""
        state = self.state
        if kind in (6, 9) and isinstance(value, FakeUser):
            guild = state.guilds.get(value.guild_id or 0)
            resolved.setdefault("users", {})[str(value.id)] = value.user_payload()
            if guild is not None:
                member = value.member_payload(permissions=guild.permissions_of(value), with_user=False)
                resolved.setdefault("members", {})[str(value.id)] = member
            return str(value.id)
        if kind in (8, 9) and isinstance(value, FakeRole):
            resolved.setdefault("roles", {})[str(value.id)] = value.payload()
            return str(value.id)
        if kind == 7:
            channel = value if isinstance(value, FakeChannel) else state.channels.get(int(value))
            if channel is not None:
                resolved.setdefault("channels", {})[str(channel.id)] = channel.payload() | {"permissions": "0"}
                return str(channel.id)
            return str(value)
        if kind == 11:
            upload = value if isinstance(value, Upload) else Upload(*value)
            attachment = FakeAttachment(state.new_id(), upload.filename, upload.data, upload.content_type)
            state.user_uploads.append(attachment)
            resolved.setdefault("attachments", {})[str(attachment.id)] = attachment.payload(state.http_base, channel_id)
            return str(attachment.id)
        if kind in (6, 7, 8, 9):
            return str(value)
        return value

    # -- components and modals -------------------------------------------------------------------------------

    def _clickable(self, user: FakeUser, message: FakeMessage, custom_id: str, kinds: frozenset[int]) -> JsonDict:
        if message.deleted:
            raise AssertionError(f"message {message.id} was deleted")
        if message.ephemeral and message.interaction_metadata is not None:
            owner = int(message.interaction_metadata["user"]["id"])
            if owner != user.id:
                raise AssertionError(f"{user.name} cannot see ephemeral message {message.id}")
        component = message.component(custom_id)
        if component is None:
            raise AssertionError(f"custom_id {custom_id!r} is not on message {message.id}: {message.custom_ids}")
        if component.get("type") not in kinds:
            raise AssertionError(f"{custom_id!r} is a component of type {component.get('type')}")
        if component.get("disabled"):
            raise AssertionError(f"{custom_id!r} on message {message.id} is disabled")
        return component

    async def click(self, user: FakeUser, message: FakeMessage, custom_id: str, *, force: bool) -> FakeInteraction:
        component: JsonDict = {"type": 2}
        if not force:
            component = self._clickable(user, message, custom_id, frozenset({2}))
        data: JsonDict = {"custom_id": custom_id, "component_type": 2}
        if "id" in component:
            data["id"] = component["id"]
        return await self._send(3, user, self.state.channels[message.channel_id], data, message)

    async def select(
        self, user: FakeUser, message: FakeMessage, custom_id: str, values: list[str], *, force: bool
    ) -> FakeInteraction:
        component: JsonDict = {"type": 3}
        if not force:
            component = self._clickable(user, message, custom_id, SELECT_TYPES)
            low, high = component.get("min_values", 1), component.get("max_values", 1)
            if not low <= len(values) <= high:
                raise AssertionError(f"{custom_id!r} takes {low}..{high} values, got {values}")
            offered = [o["value"] for o in component.get("options") or []]
            if component["type"] == 3 and any(v not in offered for v in values):
                raise AssertionError(f"{values} not all among the options {offered}")
        data: JsonDict = {"custom_id": custom_id, "component_type": component["type"], "values": values}
        return await self._send(3, user, self.state.channels[message.channel_id], data, message)

    async def submit_modal(
        self, user: FakeUser, source: FakeInteraction | str, values: Mapping[str, str | list[str]], *, force: bool
    ) -> FakeInteraction:
        origin: FakeInteraction | None
        if isinstance(source, FakeInteraction):
            origin = source
        else:
            shown = [i for i in self.state.interactions.values() if i.modal and i.modal.get("custom_id") == source]
            open_ = [i for i in shown if not i.modal_submitted]
            candidates = open_ or shown
            origin = candidates[-1] if candidates else None
        if origin is not None and origin.modal_submitted and not force:
            raise AssertionError(f"the modal of interaction {origin.id} was already submitted (it closes on submit)")
        modal = origin.modal if origin is not None else None
        if modal is None:
            if not force:
                raise AssertionError(f"the bot never answered {source!r} with a modal")
            rows = [{"type": 1, "components": [{"type": 4, "custom_id": k}]} for k in values]
            modal = {"custom_id": str(source), "components": rows}
        components = _modal_answer(modal, dict(values), force)
        data: JsonDict = {"custom_id": modal["custom_id"], "components": components}
        channel = self.state.channels[origin.channel_id] if origin is not None else self._channel(user, None)
        message = origin.message if origin is not None else None
        if origin is not None:
            origin.modal_submitted = True
        return await self._send(5, user, channel, data, message)


def _modal_answer(modal: JsonDict, values: dict[str, str | list[str]], force: bool) -> list[JsonDict]:
    """Mirror the modal's layout (rows or labels) with the values filled in, as the Discord client does."""
    rows: list[tuple[JsonDict, list[JsonDict]]] = []
    for row in modal.get("components") or []:
        inputs = row.get("components") if row.get("type") == 1 else [row.get("component")]
        rows.append((row, [item for item in inputs or [] if item and "custom_id" in item]))
    known = {item["custom_id"] for _, items in rows for item in items}
    unknown = set(values) - known
    if unknown and not force:
        modal_id = modal.get("custom_id")
        raise AssertionError(f"modal {modal_id!r} has no field(s) {sorted(unknown)}; it has {sorted(known)}")
    answer: list[JsonDict] = []
    for row, items in rows:
        filled: list[JsonDict] = []
        for item in items:
            custom_id = item["custom_id"]
            value = values.get(custom_id)
            if not force:
                _check_modal_value(item, value, row.get("label") or item.get("label") or custom_id)
            if item.get("type", 4) == 4:
                filled.append({"type": 4, "custom_id": custom_id, "value": value or ""})
            else:
                chosen = value if isinstance(value, list) else ([value] if value else [])
                filled.append({"type": item["type"], "custom_id": custom_id, "values": chosen})
        if row.get("type") == 1:
            answer.append({"type": 1, "components": filled})
        elif filled:
            answer.append({"type": 18, "component": filled[0]})
    return answer


def _check_modal_value(item: JsonDict, value: str | list[str] | None, label: str) -> None:
    if item.get("type", 4) != 4:
        return
    text = value if isinstance(value, str) else ""
    if item.get("required", True) and not text:
        raise AssertionError(f"modal field {label!r} is required")
    if text and len(text) < (item.get("min_length") or 0):
        raise AssertionError(f"modal field {label!r} needs at least {item['min_length']} characters")
    if len(text) > (item.get("max_length") or 4000):
        raise AssertionError(f"modal field {label!r} allows at most {item.get('max_length') or 4000} characters")


def _guess_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    if isinstance(value, FakeUser):
        return 6
    if isinstance(value, Upload | tuple):
        return 11
    return 3


def _check_value(spec: JsonDict, value: Any) -> None:
    """What the Discord client enforces before it lets a user send the command."""
    name, kind = spec["name"], spec["type"]
    expected: dict[int, type | tuple[type, ...]] = {
        3: str,
        4: int,
        5: bool,
        10: (int, float),
        6: (FakeUser, int),
        8: (FakeRole, int),
        7: (FakeChannel, int),
        11: (Upload, tuple),
    }
    wanted = expected.get(kind)
    if wanted is not None and (not isinstance(value, wanted) or (kind in (4, 10) and isinstance(value, bool))):
        raise AssertionError(f"option {name!r} is type {kind}; {value!r} does not fit")
    choices = spec.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise AssertionError(f"option {name!r} must be one of {[c['value'] for c in choices]}, got {value!r}")
    if kind == 3 and not spec.get("min_length", 0) <= len(value) <= spec.get("max_length", 6000):
        raise AssertionError(f"option {name!r}: length {len(value)} outside the synced bounds")
    if kind in (4, 10):
        low, high = spec.get("min_value"), spec.get("max_value")
        if (low is not None and value < low) or (high is not None and value > high):
            raise AssertionError(f"option {name!r}: {value} outside [{low}, {high}]")
