"""REST plumbing and the bot-token routes: login, gateway discovery, command sync, channel messages.

Two details decide whether discord.py accepts an answer at all:

* ``Content-Type`` must be exactly ``application/json`` (``json_or_text`` compares the header literally and
  otherwise hands back a *string*), so responses are built from bytes with that header, never with
  ``web.json_response`` which appends ``; charset=utf-8``.
* Without ``X-RateLimit-*`` headers discord.py cannot learn a bucket and serialises same-route requests, so
  every API answer carries a generous limit.

Refusals raise :class:`~.state.DiscordError`; :func:`error_middleware` renders them and logs a violation.
Requests for routes the fake does not know get a JSON 404 and a line in ``unhandled``.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.typedefs import Handler, Middleware

from .limits import FormError, check_commands
from .models import EPHEMERAL, FakeAttachment, FakeMessage, JsonDict, SyncedCommand, Upload
from .state import DiscordError, FakeState, unknown_message

API = "/api/v{version:\\d+}"
STATE_KEY = web.AppKey("state", FakeState)


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})


def no_content() -> web.Response:
    return web.Response(status=204)


def _ratelimit_headers(request: web.Request) -> dict[str, str]:
    resource = request.match_info.route.resource
    template = resource.canonical if resource is not None else request.path
    bucket = hashlib.sha1(f"{request.method} {template}".encode()).hexdigest()[:16]
    return {
        "X-RateLimit-Limit": "10000",
        "X-RateLimit-Remaining": "9999",
        "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
        "X-RateLimit-Reset-After": "1.000",
        "X-RateLimit-Bucket": bucket,
    }


def make_error_middleware(state: FakeState) -> Middleware:
    @web.middleware
    async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Log every API call, turn DiscordError into Discord's JSON error, add rate-limit headers."""
        if not request.path.startswith("/api/"):
            return await handler(request)
        try:
            response = await handler(request)
        except DiscordError as error:
            state.violations.append(f"{request.method} {request.path}: {error.describe()}")
            response = json_response(error.body(), error.status)
            state.bump()
        state.requests.append(f"{request.method} {request.path} -> {response.status}")
        response.headers.update(_ratelimit_headers(request))
        return response

    return error_middleware


async def read_body(request: web.Request) -> tuple[Any, dict[int, Upload]]:
    """JSON body, or multipart ``payload_json`` + ``files[n]`` parts (files keyed by n)."""
    if request.content_type.startswith("multipart/"):
        body: Any = {}
        uploads: dict[int, Upload] = {}
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            if name == "payload_json":
                body = json.loads(await part.text())
            elif name.startswith("files[") and name.endswith("]"):
                index = int(name[6:-1])
                data = bytes(await part.read(decode=False))
                content_type = part.headers.get("Content-Type") or "application/octet-stream"
                uploads[index] = Upload(part.filename or f"file{index}", data, content_type)
        return body, uploads
    text = await request.text()
    if not text:
        return {}, {}
    try:
        return json.loads(text), {}
    except json.JSONDecodeError:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None


def snowflake(request: web.Request, key: str) -> int:
    value = request.match_info[key]
    if not value.isdigit():
        error = FormError((key,), "NUMBER_TYPE_COERCE", "Not a snowflake")
        raise DiscordError(400, 50035, "Invalid Form Body", [error])
    return int(value)


class BotRoutes:
    """Routes a bot calls with its own token."""

    def __init__(self, state: FakeState, expected_token: str | None) -> None:
        self.state = state
        self.expected_token = expected_token

    def register(self, router: web.UrlDispatcher) -> None:
        get, put, post, patch, delete = (
            router.add_get,
            router.add_put,
            router.add_post,
            router.add_patch,
            router.add_delete,
        )
        get(f"{API}/users/@me", self.me, allow_head=False)
        get(f"{API}/users/{{user_id}}", self.user, allow_head=False)
        get(f"{API}/oauth2/applications/@me", self.application, allow_head=False)
        get(f"{API}/applications/@me", self.application, allow_head=False)
        get(f"{API}/gateway", self.gateway, allow_head=False)
        get(f"{API}/gateway/bot", self.gateway_bot, allow_head=False)
        get(f"{API}/applications/{{app_id}}/commands", self.get_commands, allow_head=False)
        put(f"{API}/applications/{{app_id}}/commands", self.put_commands)
        get(f"{API}/applications/{{app_id}}/guilds/{{guild_id}}/commands", self.get_commands, allow_head=False)
        put(f"{API}/applications/{{app_id}}/guilds/{{guild_id}}/commands", self.put_commands)
        get(f"{API}/channels/{{channel_id}}", self.get_channel, allow_head=False)
        post(f"{API}/channels/{{channel_id}}/typing", self.typing)
        get(f"{API}/channels/{{channel_id}}/messages", self.history, allow_head=False)
        post(f"{API}/channels/{{channel_id}}/messages", self.create_message)
        get(f"{API}/channels/{{channel_id}}/messages/{{message_id}}", self.get_message, allow_head=False)
        patch(f"{API}/channels/{{channel_id}}/messages/{{message_id}}", self.edit_message)
        delete(f"{API}/channels/{{channel_id}}/messages/{{message_id}}", self.delete_message)
        get("/attachments/{channel_id}/{attachment_id}/{filename}", self.attachment, allow_head=False)

    def _auth(self, request: web.Request) -> None:
        if self.expected_token is not None and request.headers.get("Authorization") != f"Bot {self.expected_token}":
            raise DiscordError(401, 0, "401: Unauthorized", detail="wrong or missing bot token")

    async def me(self, request: web.Request) -> web.Response:
        self._auth(request)
        return json_response(self.state.bot_user.user_payload() | {"verified": True, "mfa_enabled": False, "flags": 0})

    async def user(self, request: web.Request) -> web.Response:
        self._auth(request)
        user_id = snowflake(request, "user_id")
        for guild in self.state.guilds.values():
            if user_id in guild.members:
                return json_response(guild.members[user_id].user_payload())
        raise DiscordError(404, 10013, "Unknown User")

    async def application(self, request: web.Request) -> web.Response:
        self._auth(request)
        state = self.state
        return json_response(
            {
                "id": str(state.application_id),
                "name": state.app_name,
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": state.owner.user_payload(),
                "verify_key": "0" * 64,
                "team": None,
                "flags": 0,
                "bot": state.bot_user.user_payload(),
                "rpc_origins": [],
                "tags": [],
            }
        )

    async def gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.state.gateway_url})

    async def gateway_bot(self, request: web.Request) -> web.Response:
        self._auth(request)
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return json_response(
            {"url": self.state.gateway_url, "shards": self.state.shard_count, "session_start_limit": limit}
        )

    def _command_scope(self, request: web.Request) -> tuple[int | None, dict[tuple[str, int], SyncedCommand]]:
        self._auth(request)
        if snowflake(request, "app_id") != self.state.application_id:
            raise DiscordError(404, 10002, "Unknown Application")
        if "guild_id" not in request.match_info:
            return None, self.state.global_commands
        guild_id = snowflake(request, "guild_id")
        if guild_id not in self.state.guilds:
            raise DiscordError(404, 10004, "Unknown Guild")
        return guild_id, self.state.guild_commands.setdefault(guild_id, {})

    async def get_commands(self, request: web.Request) -> web.Response:
        _, scope = self._command_scope(request)
        return json_response([c.data for c in scope.values()])

    async def put_commands(self, request: web.Request) -> web.Response:
        """Bulk overwrite, as ``tree.sync()`` does. Ids are kept for commands that keep name and type."""
        guild_id, scope = self._command_scope(request)
        body, _ = await read_body(request)
        errors = check_commands(body)
        if errors:
            raise DiscordError(400, 50035, "Invalid Form Body", errors)
        state = self.state
        replaced: dict[tuple[str, int], SyncedCommand] = {}
        for command in body:
            kind = int(command.get("type", 1))
            key = (command["name"], kind)
            previous = scope.get(key)
            command_id = previous.id if previous is not None else state.new_id()
            data: JsonDict = {
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                **command,
                "id": str(command_id),
                "application_id": str(state.application_id),
                "version": str(state.new_id()),
                "type": kind,
            }
            if guild_id is not None:
                data["guild_id"] = str(guild_id)
            replaced[key] = SyncedCommand(id=command_id, name=key[0], type=kind, guild_id=guild_id, data=data)
        scope.clear()
        scope.update(replaced)
        state.command_syncs += 1
        state.bump()
        return json_response([c.data for c in replaced.values()])

    def _channel(self, request: web.Request) -> int:
        self._auth(request)
        channel_id = snowflake(request, "channel_id")
        if channel_id not in self.state.channels:
            raise DiscordError(404, 10003, "Unknown Channel")
        return channel_id

    def _channel_message(self, request: web.Request) -> FakeMessage:
        channel_id = self._channel(request)
        message = self.state.messages_by_id.get(snowflake(request, "message_id"))
        # Ephemeral messages exist only for their interaction's token, never on channel routes.
        if message is None or message.deleted or message.ephemeral or message.channel_id != channel_id:
            raise unknown_message()
        return message

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(self.state.channels[self._channel(request)].payload())

    async def typing(self, request: web.Request) -> web.Response:
        self._channel(request)
        return no_content()

    async def history(self, request: web.Request) -> web.Response:
        channel_id = self._channel(request)
        limit = min(int(request.query.get("limit", "50")), 100)
        before = int(request.query.get("before", "0")) or None
        after = int(request.query.get("after", "0")) or None
        found = [
            m
            for m in reversed(self.state.messages)
            if m.channel_id == channel_id
            and not m.deleted
            and not m.ephemeral
            and (before is None or m.id < before)
            and (after is None or m.id > after)
        ]
        return json_response([self.state.payload(m) for m in found[:limit]])

    async def create_message(self, request: web.Request) -> web.Response:
        channel_id = self._channel(request)
        body, uploads = await read_body(request)
        if isinstance(body.get("flags"), int):
            body["flags"] &= ~EPHEMERAL  # only interaction responses can be ephemeral
        message = self.state.new_message(channel_id, message_type=19 if body.get("message_reference") else 0)
        self.state.create(message, body, uploads)
        return json_response(self.state.payload(message))

    async def get_message(self, request: web.Request) -> web.Response:
        return json_response(self.state.payload(self._channel_message(request)))

    async def edit_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        body, uploads = await read_body(request)
        self.state.edit(message, body, uploads, via="PATCH channel message")
        return json_response(self.state.payload(message))

    async def delete_message(self, request: web.Request) -> web.Response:
        self.state.delete(self._channel_message(request))
        return no_content()

    async def attachment(self, request: web.Request) -> web.Response:
        """Serve uploaded files, so ``Attachment.read()`` works in the bot and in tests."""
        attachment_id = int(request.match_info["attachment_id"])
        for source in self._all_attachments():
            if source.id == attachment_id:
                return web.Response(body=source.data, headers={"Content-Type": source.content_type or "text/plain"})
        return web.Response(status=404)

    def _all_attachments(self) -> list[FakeAttachment]:
        found = [a for m in self.state.messages for a in m.attachments]
        found += self.state.user_uploads
        return found


async def fallback(request: web.Request) -> web.Response:
    """Anything the fake does not model: Discord-style 404, and remembered so tests notice."""
    state = request.app[STATE_KEY]
    state.unhandled.append(f"{request.method} {request.path_qs}")
    state.bump()
    return json_response({"code": 0, "message": "404: Not Found (fakediscord has no such route)"}, 404)
