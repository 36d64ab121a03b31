"""The fake gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME, dispatches.

discord.py asks for ``compress=zlib-stream`` (or ``zstd-stream``) in the URL query, but only decompresses
*binary* frames: text frames go straight to its JSON parser. So the fake answers with uncompressed text
frames, as discord.py expects, and ignores the query's compression request.

Every dispatch gets a sequence number and is kept in the session's log so a RESUME can replay what the bot
missed; :meth:`Gateway.drop_connection` lets tests force that path.

Sharding is Discord's: IDENTIFY carries `[shard_id, shard_count]`, the count must be the one `GET /gateway/bot`
advised (close code 4010 otherwise), a shard's READY and GUILD_CREATEs cover only its servers, and a server's events
go to the session of its shard, so several sessions (one bot process per slice of shards) are served at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .models import JsonDict, next_session_id, utcnow
from .state import FakeState

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41_250
MEMBERS_INTENT = 1 << 1
BOT_JOINED_AT = utcnow().isoformat()

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE = 3
OP_VOICE_STATE = 4
OP_RESUME = 6
OP_REQUEST_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11
CLOSE_INVALID_SHARD = 4010


@dataclass(eq=False)
class GatewaySession:
    """One identified session; survives a dropped socket so RESUME can continue it."""

    session_id: str
    intents: int
    shard: list[int] | None
    ws: web.WebSocketResponse | None = None
    seq: int = 0
    log: list[tuple[int, str]] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Gateway:
    """Serves ``GET /`` websocket upgrades and sends events to the bot's current session."""

    def __init__(self, state: FakeState) -> None:
        self.state = state
        self.sessions: dict[str, GatewaySession] = {}
        self.current: GatewaySession | None = None
        """The session identified or resumed last (the only one, unless the bot is sharded)."""
        self.by_shard: dict[int, GatewaySession] = {}
        self.connections: list[str] = []
        """The query string of every connection, e.g. ``v=10&encoding=json&compress=zlib-stream``."""
        self.resumes = 0
        self._sockets: set[web.WebSocketResponse] = set()

    @property
    def connected(self) -> bool:
        return self.current is not None and self.current.ws is not None and not self.current.ws.closed

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return web.Response(status=404, text="gateway: websocket only")
        self.connections.append(request.query_string)
        ws = web.WebSocketResponse(max_msg_size=0, compress=False, autoclose=True)
        await ws.prepare(request)
        self._sockets.add(ws)
        await ws.send_str(json.dumps({"op": OP_HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}))
        session: GatewaySession | None = None
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    session = await self._on_frame(ws, session, json.loads(msg.data))
                elif msg.type is WSMsgType.BINARY:
                    await ws.close(code=4002, message=b"binary frames are not supported by the fake")
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
                self.state.bump()
        return ws

    async def _on_frame(
        self, ws: web.WebSocketResponse, session: GatewaySession | None, frame: JsonDict
    ) -> GatewaySession | None:
        op = frame.get("op")
        data: Any = frame.get("d")
        if op == OP_HEARTBEAT:
            await ws.send_str(json.dumps({"op": OP_HEARTBEAT_ACK}))
        elif op == OP_IDENTIFY:
            if session is not None:
                await ws.close(code=4005, message=b"already authenticated")
                return session
            return await self._identify(ws, data)
        elif op == OP_RESUME:
            return await self._resume(ws, data)
        elif op == OP_REQUEST_MEMBERS and session is not None:
            await self._send_member_chunk(session, data)
        elif op in (OP_PRESENCE, OP_VOICE_STATE):
            pass
        else:
            log.warning("fake gateway: unexpected op %s", op)
            self.state.unhandled.append(f"GATEWAY op {op}")
            self.state.bump()
        return session

    async def _identify(self, ws: web.WebSocketResponse, data: JsonDict) -> GatewaySession | None:
        state = self.state
        shard = list(data.get("shard") or [0, 1])
        if shard[1] != state.shard_count or not 0 <= shard[0] < shard[1]:
            await ws.close(code=CLOSE_INVALID_SHARD, message=b"invalid shard")
            return None
        state.identifies.append(data)
        session = GatewaySession(
            session_id=next_session_id(), intents=int(data.get("intents") or 0), shard=shard, ws=ws
        )
        guilds = [guild_id for guild_id in state.guilds if state.shard_of(guild_id) == shard[0]]
        self.sessions[session.session_id] = session
        bot = state.bot_user.user_payload() | {"verified": True, "mfa_enabled": False, "flags": 0}
        ready = {
            "v": 10,
            "user": bot,
            "guilds": [{"id": str(g), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": state.gateway_url,
            "shard": shard,
            "application": {"id": str(state.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
        }
        # One lock hold: nothing a test injects can land between READY and the last GUILD_CREATE, and the
        # session only becomes ``current`` (so injectable) once the bot has its guilds.
        async with session.lock:
            await self._emit(session, "READY", ready)
            for guild_id in guilds:
                await self._emit(session, "GUILD_CREATE", self.guild_create(guild_id, session.intents))
        self.current = self.by_shard[shard[0]] = session
        state.bump()
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: JsonDict) -> GatewaySession | None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None:
            await ws.send_str(json.dumps({"op": OP_INVALID_SESSION, "d": False}))
            return None
        self.resumes += 1
        async with session.lock:
            session.ws = ws
            last_seen = int(data.get("seq") or 0)
            for seq, text in session.log:
                if seq > last_seen:
                    await ws.send_str(text)
            await self._emit(session, "RESUMED", {})
        self.current = session
        if session.shard is not None:
            self.by_shard[session.shard[0]] = session
        self.state.bump()
        return session

    async def _send_member_chunk(self, session: GatewaySession, data: JsonDict) -> None:
        guild_id = int(data.get("guild_id") or 0)
        guild = self.state.guilds.get(guild_id)
        members = self._members(guild_id, all_members=True) if guild is not None else []
        chunk = {
            "guild_id": str(guild_id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "nonce": data.get("nonce"),
        }
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk, session=session)

    def _members(self, guild_id: int, *, all_members: bool) -> list[JsonDict]:
        guild = self.state.guild(guild_id)
        bot = self.state.bot_user
        members = [bot.member_payload() | {"joined_at": BOT_JOINED_AT}]
        if all_members:
            members += [m.member_payload() for m in guild.members.values()]
        return members

    def guild_create(self, guild_id: int, intents: int) -> JsonDict:
        """Full guild. With the members intent every member is included (so discord.py sees the guild as
        chunked and asks for nothing more); without it only the bot itself, as Discord does."""
        guild = self.state.guild(guild_id)
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "features": [],
            "roles": [r.payload() for r in guild.roles.values()],
            "emojis": [],
            "stickers": [],
            "channels": [c.payload() for c in guild.channels.values()],
            "threads": [],
            "members": self._members(guild_id, all_members=bool(intents & MEMBERS_INTENT)),
            "member_count": len(guild.members) + 1,
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "large": False,
            "unavailable": False,
            "joined_at": BOT_JOINED_AT,
            "application_id": None,
            "max_members": 500_000,
            "vanity_url_code": None,
            "premium_progress_bar_enabled": False,
        }

    async def dispatch(
        self, event: str, data: JsonDict, *, session: GatewaySession | None = None, guild_id: int | None = None
    ) -> None:
        """Send a DISPATCH to the bot (logged for RESUME even if its socket is down right now): to `session`, or
        to the session of `guild_id`'s shard, or else to the current session."""
        target = session
        if target is None and guild_id is not None:
            target = self.by_shard.get(self.state.shard_of(guild_id))
        target = target or (self.current if guild_id is None or self.state.shard_count == 1 else None)
        if target is None:
            raise RuntimeError(f"cannot send {event}: the bot (that shard) has not identified to the fake gateway")
        async with target.lock:
            await self._emit(target, event, data)

    @staticmethod
    async def _emit(session: GatewaySession, event: str, data: JsonDict) -> None:
        """Number, log and send one dispatch; the caller holds ``session.lock``."""
        session.seq += 1
        text = json.dumps({"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data})
        session.log.append((session.seq, text))
        ws = session.ws
        if ws is not None and not ws.closed:
            await ws.send_str(text)

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the bot's socket with a resumable code; discord.py reconnects and RESUMEs."""
        if self.current is not None and self.current.ws is not None:
            await self.current.ws.close(code=code, message=b"fake: dropped by test")

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"fake shutting down")
