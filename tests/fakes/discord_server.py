"""A fake Discord (REST API + gateway websocket) on 127.0.0.1 for end-to-end tests.

The real, unmodified discord.py client runs against it; a bot is pointed here only through
``discord.http.Route.BASE = fake.api_base`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)``.
Nothing here imports discord.py, so the bot may also run in a separate process.

Payload shapes follow what discord.py 2.7 parses and Discord's documented rules: ack deadline
(10062), double ack (40060), interaction token lifetime (50027), form validation (50035),
per-channel message rate limits (429 with ``Via`` so discord.py retries instead of assuming a
Cloudflare ban). See /work/shared/reference/offline-discord-testing.md.

Usage notes:
- invoke_slash/click/select/submit_modal return once the interaction is settled: acknowledged,
  a callback refused (see FakeInteraction.rejected), or the ack deadline passed; wait_ack=False
  returns right after the dispatch.
- Requests the fake refuses still count against their rate-limit bucket, as on Discord.
- 429s go to `ratelimited`, not `errors`; bugs inside the fake go to `internal_errors` (answered 400).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import inspect
import itertools
import json
import logging
import math
import mimetypes
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

from aiohttp import BodyPartReader, WSMsgType, web

__all__ = [
    "APPLICATION_ID",
    "BOT_USER_ID",
    "CHANNEL_ID",
    "DEFAULT_USER_ID",
    "GUILD_ID",
    "OWNER_USER_ID",
    "FakeDiscord",
    "FakeFile",
    "FakeInteraction",
    "FakeMessage",
    "RecordedRequest",
]

DISCORD_EPOCH_MS = 1_420_070_400_000
API_PREFIX = "/api/v10"

# Fixed snowflakes so tests can hard-code them. On Discord the bot user id equals the application id.
APPLICATION_ID = 1_300_000_000_000_000_001
BOT_USER_ID = APPLICATION_ID
GUILD_ID = 1_300_000_000_000_000_100
CHANNEL_ID = 1_300_000_000_000_000_200
DEFAULT_USER_ID = 1_300_000_000_000_000_300
OWNER_USER_ID = 1_300_000_000_000_000_400
BOT_ROLE_ID = 1_300_000_000_000_000_500

ATTACHMENT_SIZE_LIMIT = 10_485_760
HEARTBEAT_INTERVAL_MS = 41_250

# Permission bits (https://discord.com/developers/docs/topics/permissions).
P_ADMINISTRATOR = 1 << 3
EVERYONE_PERMISSIONS = (
    (1 << 0)  # create instant invite
    | (1 << 6)  # add reactions
    | (1 << 10)  # view channel
    | (1 << 11)  # send messages
    | (1 << 14)  # embed links
    | (1 << 15)  # attach files
    | (1 << 16)  # read message history
    | (1 << 18)  # use external emojis
    | (1 << 20)  # connect
    | (1 << 21)  # speak
    | (1 << 26)  # change nickname
    | (1 << 31)  # use application commands
    | (1 << 35)  # create public threads
    | (1 << 38)  # send messages in threads
)
BOT_PERMISSIONS = EVERYONE_PERMISSIONS | (1 << 13) | (1 << 17) | (1 << 28)  # manage msgs, mention all, roles

# Message flags.
F_SUPPRESS_EMBEDS = 1 << 2
F_EPHEMERAL = 1 << 6
F_LOADING = 1 << 7
F_SUPPRESS_NOTIFICATIONS = 1 << 12
F_COMPONENTS_V2 = 1 << 15

# Gateway intents that gate message events.
I_GUILD_MESSAGES = 1 << 9
I_DIRECT_MESSAGES = 1 << 12
I_MESSAGE_CONTENT = 1 << 15

SELECT_TYPES = (3, 5, 6, 7, 8)
_log = logging.getLogger(__name__)
GENEROUS_LIMIT = (50, 1.0)
JOINED_AT = "2024-01-01T00:00:00.000000+00:00"


# --------------------------------------------------------------------------------------------
# Public records
# --------------------------------------------------------------------------------------------


@dataclass
class FakeFile:
    filename: str
    data: bytes
    content_type: str = "image/png"
    id: int = 0  # assigned by the fake when it stores the file as an attachment
    description: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any  # parsed JSON body, or the payload_json part of a multipart body, or None
    files: list[FakeFile]
    headers: dict[str, str]  # Authorization is redacted; the token is in FakeDiscord.bot_token
    time: float  # loop.time() when received
    status: int = 0  # HTTP status the fake answered


@dataclass
class FakeMessage:
    id: int
    channel_id: int
    author_id: int
    content: str
    embeds: list[dict]
    components: list[dict]
    attachments: list[FakeFile]
    flags: int
    message_reference: dict | None
    allowed_mentions: dict | None
    interaction_id: int | None
    versions: list[dict] = field(default_factory=list)
    edit_times: list[float] = field(default_factory=list)
    type: int = 0
    webhook_id: int | None = None
    tts: bool = False
    nonce: str | None = None
    deleted: bool = False
    created: float = 0.0  # loop.time()
    edited_timestamp: str | None = None
    interaction_metadata: dict | None = None
    reactions: list[str] = field(default_factory=list)  # emoji the bot added

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & F_EPHEMERAL)

    @property
    def loading(self) -> bool:
        """A deferred (type 5) response that has not been edited yet ("Bot is thinking...")."""
        return bool(self.flags & F_LOADING)


@dataclass
class FakeInteraction:
    id: int
    token: str
    type: int  # 2 application command, 3 component, 5 modal submit
    data: dict
    user_id: int
    created: float  # loop.time() at dispatch
    responses: list[dict] = field(default_factory=list)
    response_type: int | None = None
    response_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    modal: dict | None = None
    acked: asyncio.Event = field(default_factory=asyncio.Event)
    acked_at: float | None = None  # loop.time() when the bot's first answer arrived
    sent_at: float | None = None
    channel_id: int = CHANNEL_ID
    message_id: int | None = None  # the message whose component started it (components, their modals)
    locale: str = "en-US"
    rejected: list[tuple[int, int]] = field(default_factory=list)  # (status, code) of refused callbacks

    async def wait_acked(self, timeout: float = 5.0) -> None:
        try:
            await asyncio.wait_for(self.acked.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"interaction {self.id} (type {self.type}) not acknowledged in {timeout}s") from None


# --------------------------------------------------------------------------------------------
# Internals
# --------------------------------------------------------------------------------------------


class _ApiError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors


def _form_error(errors: dict) -> _ApiError:
    return _ApiError(400, 50035, "Invalid Form Body", errors)


def _json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json": discord.py only parses JSON on that exact header (pitfall 1).
    hdrs = {"Content-Type": "application/json"}
    if headers:
        hdrs.update(headers)
    return web.Response(body=json.dumps(data).encode(), status=status, headers=hdrs)


def _empty_response(headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=204, headers=headers or {})


def _iso(ts_ms: float) -> str:
    return datetime.fromtimestamp(ts_ms / 1000, UTC).isoformat()


def _snowflake_iso(snowflake: int) -> str:
    return _iso((snowflake >> 22) + DISCORD_EPOCH_MS)


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes")


class _Snowflakes:
    """Increasing snowflakes whose timestamp part is 'now', like Discord's."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = max(ms << 22, self._last + 1)
        self._last = value
        return value


class _Bucket:
    """A fixed-window rate-limit bucket, reported honestly in X-RateLimit-* headers."""

    def __init__(self, limit: int, per: float, bucket_hash: str) -> None:
        self.limit = limit
        self.per = per
        self.hash = bucket_hash
        self.count = 0
        self.reset_at = 0.0

    def hit(self, now: float) -> float | None:
        """Take a token; returns retry_after seconds when exhausted."""
        if now >= self.reset_at:
            self.count = 0
            self.reset_at = now + self.per
        if self.count >= self.limit:
            return self.reset_at - now
        self.count += 1
        return None

    def headers(self, now: float) -> dict[str, str]:
        after = max(self.reset_at - now, 0.0)
        # Rounded up so a client that sleeps Reset-After never arrives before the window resets.
        after = math.ceil(after * 1000) / 1000
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.limit - self.count, 0)),
            "X-RateLimit-Reset": f"{time.time() + after:.3f}",
            "X-RateLimit-Reset-After": f"{after:.3f}",
            "X-RateLimit-Bucket": self.hash,
        }


@dataclass(eq=False)
class _Conn:
    ws: web.WebSocketResponse
    session: _Session | None = None
    ready: bool = False


@dataclass(eq=False)
class _Session:
    id: str
    intents: int
    seq: int = 0
    conn: _Conn | None = None
    events: list[dict] = field(default_factory=list)  # replay buffer for RESUME


@dataclass
class _Incoming:
    request: web.Request
    rec: RecordedRequest
    body: Any
    files: list[FakeFile]


_Handler = Callable[..., Awaitable[web.StreamResponse]]


class _ErrorCollector:
    """Builds Discord's nested ``errors`` object: {"a": {"0": {"b": {"_errors": [...]}}}}."""

    def __init__(self) -> None:
        self.errors: dict = {}

    def add(self, path: list[str | int], code: str, message: str) -> None:
        node = self.errors
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_len(self, path: list[str | int], value: Any, limit: int) -> None:
        if isinstance(value, (str, list)) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def raise_if_any(self) -> None:
        if self.errors:
            raise _form_error(self.errors)


def _walk_components(components: list[dict]) -> list[dict]:
    out: list[dict] = []
    for comp in components or []:
        out.append(comp)
        out.extend(_walk_components(comp.get("components") or []))
        for key in ("component", "accessory"):
            child = comp.get(key)
            if isinstance(child, dict):
                out.extend(_walk_components([child]))
    return out


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeDiscord:
    """Fake Discord REST API + gateway on 127.0.0.1; one instance per test."""

    def __init__(
        self,
        *,
        token_lifetime: float = 900.0,
        ack_deadline: float = 3.0,
        channel_edit_limit: tuple[int, float] | None = (5, 5.0),
    ) -> None:
        self.token_lifetime = token_lifetime
        self.ack_deadline = ack_deadline
        self.channel_edit_limit = channel_edit_limit
        self.dispatch_message_events = True  # MESSAGE_CREATE/UPDATE/DELETE over the gateway, as Discord does

        self.application_id = APPLICATION_ID
        self.bot_user_id = BOT_USER_ID
        self.guild_id = GUILD_ID
        self.channel_id = CHANNEL_ID
        self.default_user_id = DEFAULT_USER_ID
        self.bot_token: str | None = None

        self.api_base = ""
        self.gateway_url = ""
        self.base_url = ""
        self.port = 0

        self.users: dict[int, dict] = {}
        self.members: dict[int, dict] = {}  # guild member extras (roles, nick, joined_at) by user id
        self.roles: dict[int, dict] = {}
        self.channels: dict[int, dict] = {}
        self.commands: list[dict] = []
        self.guild_commands: dict[int, list[dict]] = {}
        self.requests: list[RecordedRequest] = []
        self.messages: dict[int, FakeMessage] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self.ratelimited: list[RecordedRequest] = []
        self.errors: list[tuple[RecordedRequest, int, int]] = []
        self.internal_errors: list[tuple[RecordedRequest, BaseException]] = []  # bugs in the fake itself
        self.identify_count = 0
        self.resume_count = 0

        self._ids = _Snowflakes()
        self._command_ids: dict[tuple[int | None, str, int], int] = {}
        self._by_token: dict[str, FakeInteraction] = {}
        self._cdn: dict[int, FakeFile] = {}
        self._buckets: dict[tuple, _Bucket] = {}
        self._sessions: dict[str, _Session] = {}
        self._session: _Session | None = None
        self._conns: set[_Conn] = set()
        self._invalidate_next_resume = False
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._routes = self._build_routes()

        self._add_user_record(BOT_USER_ID, "fake-bot", bot=True, roles=[BOT_ROLE_ID])
        self._add_user_record(OWNER_USER_ID, "guild-owner", roles=[])
        self.add_user(DEFAULT_USER_ID, "tester")
        self.roles[GUILD_ID] = self._role(GUILD_ID, "@everyone", EVERYONE_PERMISSIONS, 0)
        self.roles[BOT_ROLE_ID] = self._role(BOT_ROLE_ID, "fake-bot", BOT_PERMISSIONS, 1, managed=True)
        self.channels[CHANNEL_ID] = self._text_channel(CHANNEL_ID, "general", 0)

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._handle_gateway)
        app.router.add_get("/gateway/", self._handle_gateway)
        app.router.add_get("/cdn/attachments/{cid}/{aid}/{name}", self._handle_cdn)
        app.router.add_get("/media/attachments/{cid}/{aid}/{name}", self._handle_cdn)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle_api)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.api_base = self.base_url + API_PREFIX
        self.gateway_url = f"ws://127.0.0.1:{self.port}/gateway"

    async def stop(self) -> None:
        for conn in list(self._conns):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001, message=b"fake discord stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------- world setup

    def add_user(self, user_id: int, name: str, *, bot: bool = False, member: bool = True) -> dict:
        """Adds a user (a guild member unless member=False) and returns its user object."""
        return self._add_user_record(user_id, name, bot=bot, roles=[] if member else None)

    def add_text_channel(self, channel_id: int, name: str) -> dict:
        """A guild text channel; call before the bot connects (it is sent in GUILD_CREATE)."""
        channel = self._text_channel(channel_id, name, len(self.channels))
        self.channels[channel_id] = channel
        return channel

    def _add_user_record(self, user_id: int, name: str, *, bot: bool = False, roles: list[int] | None) -> dict:
        user = {
            "id": str(user_id),
            "username": name,
            "discriminator": "0",
            "global_name": None if bot else name.title(),
            "avatar": None,
            "bot": bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }
        self.users[user_id] = user
        if roles is not None:
            self.members[user_id] = {"roles": [str(r) for r in roles], "nick": None, "joined_at": JOINED_AT}
        return user

    def _role(self, role_id: int, name: str, permissions: int, position: int, managed: bool = False) -> dict:
        role: dict[str, Any] = {
            "id": str(role_id),
            "name": name,
            "permissions": str(permissions),
            "position": position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if managed:
            role["tags"] = {"bot_id": str(BOT_USER_ID)}
        return role

    def _text_channel(self, channel_id: int, name: str, position: int) -> dict:
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(GUILD_ID),
            "name": name,
            "position": position,
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "last_message_id": None,
            "parent_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }

    # ---------------------------------------------------------------- state helpers

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        """Waits until predicate() is true; re-checked on every fake state change and every 50 ms."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._describe_wait(predicate, timeout))
            event = self._changed
            with contextlib.suppress(TimeoutError):
                # Short polls too: predicates often look at bot-side state the fake cannot see change.
                await asyncio.wait_for(event.wait(), min(remaining, 0.05))

    def _describe_wait(self, predicate: Callable[[], bool], timeout: float) -> str:
        try:
            src = inspect.getsource(predicate).strip()
        except (OSError, TypeError):
            src = repr(predicate)
        recent = "\n".join(f"  {r.method} {r.path} -> {r.status}" for r in self.requests[-12:]) or "  (none)"
        errors = ", ".join(f"{r.method} {r.path} {s}/{c}" for r, s, c in self.errors[-5:]) or "none"
        connected = self._session is not None and self._session.conn is not None
        return (
            f"condition not met within {timeout}s: {src}\n"
            f"gateway connected: {connected}; messages: {len(self.messages)}; "
            f"interactions: {len(self.interactions)}; recent 4xx: {errors}\n"
            f"last requests:\n{recent}"
        )

    async def wait_ready(self, timeout: float = 10) -> None:
        """A client has IDENTIFY'd (or resumed) and was sent READY + GUILD_CREATE."""

        def ready() -> bool:
            s = self._session
            return s is not None and s.conn is not None and s.conn.ready and not s.conn.ws.closed

        await self.wait_for(ready, timeout)

    def channel_messages(self, channel_id: int | None = None) -> list[FakeMessage]:
        cid = self.channel_id if channel_id is None else channel_id
        msgs = [m for m in self.messages.values() if m.channel_id == cid and not m.ephemeral and not m.deleted]
        return sorted(msgs, key=lambda m: m.id)

    def message_buttons(self, message_id: int) -> list[dict]:
        msg = self.messages[message_id]
        out = []
        for row_index, top in enumerate(msg.components):
            for comp in _walk_components([top]):
                if comp.get("type") == 2:
                    out.append({**comp, "row": row_index})
        return out

    def requests_to(self, method: str, path_pattern: str) -> list[RecordedRequest]:
        """Recorded requests whose path fully matches a regex, e.g. ("PATCH", r"/channels/\\d+/messages/\\d+")."""
        rx = re.compile(path_pattern)
        return [r for r in self.requests if r.method == method and rx.fullmatch(r.path)]

    # ---------------------------------------------------------------- gateway

    async def _handle_gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = _Conn(ws)
        self._conns.add(conn)
        try:
            await self._send(conn, {"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    try:
                        payload = json.loads(msg.data)
                    except ValueError:
                        await ws.close(code=4002, message=b"Error while decoding payload.")
                        break
                    await self._on_gateway_payload(conn, payload)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            self._conns.discard(conn)
            conn.ready = False
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            self._notify()
        return ws

    async def _send(self, conn: _Conn, payload: dict) -> None:
        if conn.ws.closed:
            return
        with contextlib.suppress(ConnectionResetError, RuntimeError):
            # Plain TEXT frames, uncompressed: discord.py only zlib-decodes BINARY frames.
            await conn.ws.send_str(json.dumps(payload))

    async def _on_gateway_payload(self, conn: _Conn, payload: dict) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op == 1:  # heartbeat
            await self._send(conn, {"op": 11, "s": None, "t": None, "d": None})
        elif op == 2:  # identify
            await self._identify(conn, data or {})
        elif op == 6:  # resume
            await self._resume(conn, data or {})
        elif op == 8:  # request guild members
            await self._members_chunk(conn, data or {})
        # op 3 presence, op 4 voice state: accepted and ignored

    async def _identify(self, conn: _Conn, data: dict) -> None:
        token = data.get("token") or ""
        if not token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        self.bot_token = token
        session = _Session(id=secrets.token_hex(16), intents=int(data.get("intents") or 0), conn=conn)
        self._sessions[session.id] = session
        self._session = session
        conn.session = session
        ready: dict[str, Any] = {
            "v": 10,
            "user": {**self.users[BOT_USER_ID], "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APPLICATION_ID), "flags": self._application_flags()},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["fake-discord"],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        await self._dispatch("READY", ready, session)
        await self._dispatch("GUILD_CREATE", self._guild_payload(full=True), session)
        conn.ready = True
        self.identify_count += 1
        self._notify()

    async def _resume(self, conn: _Conn, data: dict) -> None:
        session = self._sessions.get(str(data.get("session_id")))
        if session is None or self._invalidate_next_resume or session is not self._session:
            self._invalidate_next_resume = False
            await self._send(conn, {"op": 9, "s": None, "t": None, "d": False})
            return
        self.bot_token = data.get("token") or self.bot_token
        session.conn = conn
        conn.session = session
        last = int(data.get("seq") or 0)
        for event in session.events:
            if event["s"] > last:
                await self._send(conn, event)
        await self._dispatch("RESUMED", {"_trace": ["fake-discord"]}, session)
        conn.ready = True
        self.resume_count += 1
        self._notify()

    async def _members_chunk(self, conn: _Conn, data: dict) -> None:
        session = conn.session
        if session is None:
            return
        wanted = {int(u) for u in data.get("user_ids") or []}
        query = (data.get("query") or "").lower()
        limit = int(data.get("limit") or 0)
        members = []
        not_found = [str(u) for u in wanted if u not in self.members]
        for uid in self.members:
            if wanted and uid not in wanted:
                continue
            if query and not self.users[uid]["username"].lower().startswith(query):
                continue
            members.append(self._member_payload(uid))
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(GUILD_ID),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": not_found,
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self._dispatch("GUILD_MEMBERS_CHUNK", chunk, session)

    async def _dispatch(self, event: str, data: dict, session: _Session | None = None) -> None:
        session = session or self._session
        if session is None:
            raise AssertionError("no bot has connected to the fake gateway yet; await fake.wait_ready() first")
        session.seq += 1
        payload = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.events.append(payload)
        del session.events[:-500]
        if session.conn is not None:
            await self._send(session.conn, payload)

    async def reconnect_gateway(self, *, resumable: bool = True) -> None:
        """Sends op 7 RECONNECT; the client reconnects and RESUMEs (or must re-IDENTIFY if not resumable)."""
        session = self._session
        if session is None or session.conn is None:
            raise AssertionError("no connected gateway client")
        self._invalidate_next_resume = not resumable
        await self._send(session.conn, {"op": 7, "s": None, "t": None, "d": None})

    def _application_flags(self) -> int:
        # GATEWAY_GUILD_MEMBERS_LIMITED | GATEWAY_MESSAGE_CONTENT_LIMITED | APPLICATION_COMMAND_BADGE
        return (1 << 15) | (1 << 19) | (1 << 23)

    def _member_payload(self, user_id: int, permissions: int | None = None) -> dict:
        extra = self.members.get(user_id) or {"roles": [], "nick": None, "joined_at": JOINED_AT}
        member: dict[str, Any] = {
            "user": copy.deepcopy(self.users[user_id]),
            "roles": list(extra["roles"]),
            "nick": extra.get("nick"),
            "avatar": None,
            "banner": None,
            "joined_at": extra.get("joined_at", JOINED_AT),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            member["permissions"] = str(permissions)
        return member

    def _member_permissions(self, user_id: int) -> int:
        if user_id == OWNER_USER_ID:
            return (1 << 53) - 1
        perms = int(self.roles[GUILD_ID]["permissions"])
        for rid in (self.members.get(user_id) or {}).get("roles", []):
            role = self.roles.get(int(rid))
            if role:
                perms |= int(role["permissions"])
        if perms & P_ADMINISTRATOR:
            return (1 << 53) - 1
        return perms

    def _guild_payload(self, *, full: bool) -> dict:
        guild: dict[str, Any] = {
            "id": str(GUILD_ID),
            "name": "Fake Guild",
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(OWNER_USER_ID),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "system_channel_id": str(CHANNEL_ID),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "widget_enabled": False,
            "features": [],
            "roles": list(self.roles.values()),
            "emojis": [],
            "stickers": [],
            "application_id": None,
            "incidents_data": None,
        }
        if full:
            guild.update(
                {
                    "unavailable": False,
                    "large": False,
                    "lazy": True,
                    "joined_at": JOINED_AT,
                    "member_count": len(self.members),
                    "members": [self._member_payload(uid) for uid in self.members],
                    "channels": [
                        {k: v for k, v in c.items() if k != "guild_id"}
                        for c in self.channels.values()
                        if c.get("guild_id") == str(GUILD_ID)
                    ],
                    "threads": [],
                    "voice_states": [],
                    "presences": [],
                    "stage_instances": [],
                    "guild_scheduled_events": [],
                    "soundboard_sounds": [],
                }
            )
        return guild

    # ---------------------------------------------------------------- interactions (test side)

    def _require_connected(self) -> None:
        s = self._session
        if s is None or s.conn is None or not s.conn.ready:
            raise AssertionError("no bot is connected to the fake gateway; await fake.wait_ready() first")

    def _find_command(self, name: str, ctype: int = 1) -> tuple[dict, int | None] | None:
        for cmd in self.guild_commands.get(GUILD_ID, []):
            if cmd["name"] == name and cmd.get("type", 1) == ctype:
                return cmd, GUILD_ID
        for cmd in self.commands:
            if cmd["name"] == name and cmd.get("type", 1) == ctype:
                return cmd, None
        return None

    async def invoke_slash(
        self,
        name: str,
        options: dict[str, object] | None = None,
        *,
        user_id: int | None = None,
        attachments: dict[str, FakeFile] | None = None,
        locale: str = "en-US",
        subcommand: str | None = None,
        member_permissions: int | None = None,
        wait_ack: bool = True,
    ) -> FakeInteraction:
        """Dispatches an APPLICATION_COMMAND interaction, as a user running /name would.

        subcommand: "sub" or "group sub". Raises AssertionError for what Discord's client would not
        let a user send: an unregistered command, unknown/missing options, a value not in choices,
        or lacking the command's default_member_permissions.
        """
        self._require_connected()
        uid = DEFAULT_USER_ID if user_id is None else user_id
        options = dict(options or {})
        attachments = dict(attachments or {})
        found = self._find_command(name)
        if found is None:
            registered = sorted({c["name"] for c in self.commands + self.guild_commands.get(GUILD_ID, [])})
            raise AssertionError(f"/{name} is not a registered slash command (registered: {registered})")
        cmd, cmd_guild = found
        perms = self._member_permissions(uid) if member_permissions is None else member_permissions
        required = cmd.get("default_member_permissions")
        if required is not None and not perms & P_ADMINISTRATOR:
            need = int(required)
            if perms & need != need:
                raise AssertionError(f"user {uid} lacks default_member_permissions {need} of /{name}")

        schema: list[dict] = cmd.get("options") or []
        path = subcommand.split() if subcommand else []
        kinds: list[int] = []
        for part in path:
            opt = next((o for o in schema if o["name"] == part and o.get("type") in (1, 2)), None)
            if opt is None:
                raise AssertionError(f"/{name} has no subcommand (group) {part!r}")
            kinds.append(opt["type"])
            schema = opt.get("options") or []
        if any(o.get("type") in (1, 2) for o in schema):
            subs = [o["name"] for o in schema if o.get("type") in (1, 2)]
            raise AssertionError(f"/{name} {' '.join(path)} needs a subcommand: {subs}")

        resolved: dict[str, dict] = {}
        built = self._build_options(f"/{name}", schema, options, attachments, resolved)
        for part, kind in zip(reversed(path), reversed(kinds), strict=True):
            built = [{"name": part, "type": kind, "options": built}]

        data: dict[str, Any] = {"id": cmd["id"], "name": name, "type": 1, "options": built}
        if resolved:
            data["resolved"] = resolved
        if cmd_guild is not None:
            data["guild_id"] = str(cmd_guild)
        inter = await self._dispatch_interaction(2, data, uid, locale, CHANNEL_ID, member_permissions)
        return await self._settled(inter, wait_ack)

    def _build_options(
        self,
        where: str,
        schema: list[dict],
        values: dict[str, object],
        attachments: dict[str, FakeFile],
        resolved: dict[str, dict],
    ) -> list[dict]:
        by_name = {o["name"]: o for o in schema}
        given = {**values, **attachments}
        if schema:
            unknown = sorted(set(given) - set(by_name))
            if unknown:
                raise AssertionError(f"{where}: unknown option(s) {unknown}; known: {sorted(by_name)}")
            missing = [o["name"] for o in schema if o.get("required") and o["name"] not in given]
            if missing:
                raise AssertionError(f"{where}: missing required option(s) {missing}")
        out: list[dict] = []
        for opt_name, value in given.items():
            spec = by_name.get(opt_name)
            otype = spec["type"] if spec else self._infer_option_type(value)
            if isinstance(value, FakeFile):
                otype = 11
            out.append(
                {"name": opt_name, "type": otype, "value": self._option_value(where, opt_name, otype, value, resolved)}
            )
            if spec and spec.get("choices"):
                allowed = [c["value"] for c in spec["choices"]]
                if out[-1]["value"] not in allowed:
                    raise AssertionError(f"{where}: {opt_name}={value!r} is not one of the choices {allowed}")
        return out

    @staticmethod
    def _infer_option_type(value: object) -> int:
        if isinstance(value, bool):
            return 5
        if isinstance(value, int):
            return 4
        if isinstance(value, float):
            return 10
        return 3

    def _option_value(self, where: str, name: str, otype: int, value: object, resolved: dict[str, dict]) -> Any:
        if otype == 3:
            return str(value)
        if otype == 4:
            return int(value)  # type: ignore[call-overload]
        if otype == 5:
            return bool(value)
        if otype == 10:
            return float(value)  # type: ignore[arg-type]
        if otype == 11:
            if not isinstance(value, FakeFile):
                raise AssertionError(f"{where}: attachment option {name} needs a FakeFile (use attachments=)")
            return str(self._resolve_upload(value, resolved))
        if otype in (6, 7, 8, 9):
            snowflake = int(value)  # type: ignore[call-overload]
            self._resolve_snowflake(otype, snowflake, resolved)
            return str(snowflake)
        return value

    def _resolve_upload(self, file: FakeFile, resolved: dict[str, dict]) -> int:
        """Stores a user's upload on the loopback CDN, as Discord does before dispatching."""
        stored = FakeFile(file.filename, file.data, file.content_type, self._ids.next(), file.description)
        self._cdn[stored.id] = stored
        payload = self._attachment_payload(stored, CHANNEL_ID)
        payload["ephemeral"] = True
        resolved.setdefault("attachments", {})[str(stored.id)] = payload
        return stored.id

    def _resolve_snowflake(self, otype: int, snowflake: int, resolved: dict[str, dict]) -> None:
        if otype in (6, 9) and snowflake in self.users:
            resolved.setdefault("users", {})[str(snowflake)] = copy.deepcopy(self.users[snowflake])
            if snowflake in self.members:
                member = self._member_payload(snowflake, self._member_permissions(snowflake))
                member.pop("user")
                resolved.setdefault("members", {})[str(snowflake)] = member
        elif otype in (8, 9) and snowflake in self.roles:
            resolved.setdefault("roles", {})[str(snowflake)] = copy.deepcopy(self.roles[snowflake])
        elif otype == 7 and snowflake in self.channels:
            ch = self.channels[snowflake]
            resolved.setdefault("channels", {})[str(snowflake)] = {
                "id": ch["id"],
                "type": ch["type"],
                "name": ch.get("name"),
                "permissions": str(BOT_PERMISSIONS),
                "guild_id": ch.get("guild_id"),
            }
        elif otype != 9 or snowflake not in self.users:
            raise AssertionError(f"unknown {'user' if otype == 6 else 'role/channel'} id {snowflake}")

    async def click(
        self,
        message_id: int,
        custom_id: str,
        *,
        user_id: int | None = None,
        locale: str = "en-US",
        wait_ack: bool = True,
    ) -> FakeInteraction:
        """Clicks a button on the message as last stored (with its components, pitfall 3)."""
        msg = self._clickable_message(message_id)
        comp = next(
            (c for c in _walk_components(msg.components) if c.get("type") == 2 and c.get("custom_id") == custom_id),
            None,
        )
        if comp is None:
            have = [b.get("custom_id") for b in self.message_buttons(message_id)]
            raise AssertionError(f"no button {custom_id!r} on message {message_id}; buttons: {have}")
        if comp.get("disabled"):
            raise AssertionError(f"button {custom_id!r} on message {message_id} is disabled")
        data = {"custom_id": custom_id, "component_type": 2, "id": comp.get("id")}
        return await self._settled(await self._dispatch_component(msg, data, user_id, locale), wait_ack)

    async def select(
        self,
        message_id: int,
        custom_id: str,
        values: list[str],
        *,
        user_id: int | None = None,
        locale: str = "en-US",
        wait_ack: bool = True,
    ) -> FakeInteraction:
        """Picks values in a select menu of the message (string selects are checked against options)."""
        msg = self._clickable_message(message_id)
        comp = next(
            (
                c
                for c in _walk_components(msg.components)
                if c.get("type") in SELECT_TYPES and c.get("custom_id") == custom_id
            ),
            None,
        )
        if comp is None:
            raise AssertionError(f"no select menu {custom_id!r} on message {message_id}")
        if comp.get("disabled"):
            raise AssertionError(f"select menu {custom_id!r} on message {message_id} is disabled")
        lo, hi = comp.get("min_values", 1), comp.get("max_values", 1)
        if not lo <= len(values) <= hi:
            raise AssertionError(f"select {custom_id!r} takes {lo}..{hi} values, got {len(values)}")
        data: dict[str, Any] = {
            "custom_id": custom_id,
            "component_type": comp["type"],
            "values": list(values),
            "id": comp.get("id"),
        }
        if comp["type"] == 3:
            allowed = [o["value"] for o in comp.get("options", [])]
            bad = [v for v in values if v not in allowed]
            if bad:
                raise AssertionError(f"select {custom_id!r}: {bad} not among options {allowed}")
        else:
            resolved: dict[str, dict] = {}
            kind = {5: 6, 6: 8, 7: 9, 8: 7}[comp["type"]]
            for v in values:
                self._resolve_snowflake(kind, int(v), resolved)
            data["resolved"] = resolved
        return await self._settled(await self._dispatch_component(msg, data, user_id, locale), wait_ack)

    def _clickable_message(self, message_id: int) -> FakeMessage:
        msg = self.messages.get(message_id)
        if msg is None or msg.deleted:
            raise AssertionError(f"message {message_id} does not exist (or was deleted)")
        return msg

    async def _settled(self, inter: FakeInteraction, wait_ack: bool) -> FakeInteraction:
        """Returns once the bot acked, had a callback refused, or the ack deadline passed (as a user sees it);
        after a "thinking…" ack, once that placeholder is replaced by the answer (or 15 s passed)."""
        if wait_ack:
            loop = asyncio.get_running_loop()
            # On the interaction's own event: a burst of hundreds must not wake every waiter on every change.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(inter.acked.wait(), max(0.0, inter.created + self.ack_deadline - loop.time()))
            await self.wait_for(
                lambda: inter.acked.is_set() or bool(inter.rejected) or loop.time() - inter.created > self.ack_deadline,
                self.ack_deadline + 5,
            )

            def answered() -> bool:
                message = self.messages.get(inter.response_message_id or 0)
                return message is None or not message.loading

            if inter.response_type == 5:
                with contextlib.suppress(TimeoutError):
                    await self.wait_for(answered, 15)
        return inter

    async def _dispatch_component(
        self, msg: FakeMessage, data: dict, user_id: int | None, locale: str
    ) -> FakeInteraction:
        uid = DEFAULT_USER_ID if user_id is None else user_id
        return await self._dispatch_interaction(3, data, uid, locale, msg.channel_id, None, message=msg)

    async def submit_modal(
        self,
        interaction: FakeInteraction,
        values: dict[str, str | list[str]],
        *,
        user_id: int | None = None,
        wait_ack: bool = True,
    ) -> FakeInteraction:
        """Submits the modal `interaction` was answered with (type 9): MODAL_SUBMIT as Discord sends it."""
        modal = interaction.modal
        if modal is None:
            raise AssertionError(f"interaction {interaction.id} was not answered with a modal")
        remaining = dict(values)
        next_id = itertools.count(1)

        def submitted(comp: dict) -> dict:
            cid = comp.get("custom_id")
            out: dict[str, Any] = {"type": comp["type"], "id": comp.get("id") or next(next_id)}
            if comp["type"] == 4:
                value = remaining.pop(cid, None) if cid else None
                value = "" if value is None else str(value)
                if comp.get("required", True) and not value:
                    raise AssertionError(f"modal text input {cid!r} is required")
                if value and len(value) < comp.get("min_length", 0):
                    raise AssertionError(f"modal text input {cid!r} shorter than min_length")
                if len(value) > comp.get("max_length", 4000):
                    raise AssertionError(f"modal text input {cid!r} longer than max_length")
                out.update(custom_id=cid, value=value)
            elif comp["type"] in SELECT_TYPES:
                picked = remaining.pop(cid or "", [])
                out.update(custom_id=cid, values=[picked] if isinstance(picked, str) else list(picked))
            return out

        rows: list[dict] = []
        for top in modal.get("components", []):
            if top.get("type") == 1:
                rows.append(
                    {
                        "type": 1,
                        "id": top.get("id") or next(next_id),
                        "components": [submitted(c) for c in top.get("components", [])],
                    }
                )
            elif top.get("type") == 18:
                rows.append(
                    {"type": 18, "id": top.get("id") or next(next_id), "component": submitted(top["component"])}
                )
            else:
                rows.append({"type": top.get("type"), "id": top.get("id") or next(next_id)})
        if remaining:
            raise AssertionError(f"modal {modal.get('custom_id')!r} has no inputs {sorted(remaining)}")
        data = {"custom_id": modal["custom_id"], "components": rows}
        uid = interaction.user_id if user_id is None else user_id
        source = self.messages.get(interaction.message_id) if interaction.message_id else None
        if source is not None and source.deleted:
            source = None
        inter = await self._dispatch_interaction(
            5, data, uid, interaction.locale, interaction.channel_id, None, message=source
        )
        return await self._settled(inter, wait_ack)

    async def _dispatch_interaction(
        self,
        itype: int,
        data: dict,
        user_id: int,
        locale: str,
        channel_id: int,
        member_permissions: int | None,
        *,
        message: FakeMessage | None = None,
    ) -> FakeInteraction:
        self._require_connected()
        if user_id not in self.users:
            raise AssertionError(f"unknown user {user_id}; add it with fake.add_user()")
        iid = self._ids.next()
        token = f"fake-itoken.{iid}.{secrets.token_urlsafe(24)}"
        channel = self.channels.get(channel_id) or self.channels[CHANNEL_ID]
        perms = self._member_permissions(user_id) if member_permissions is None else member_permissions
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(APPLICATION_ID),
            "type": itype,
            "data": data,
            "guild_id": str(GUILD_ID),
            "guild": {"id": str(GUILD_ID), "locale": "en-US", "features": []},
            "channel_id": channel["id"],
            "channel": {**channel, "permissions": str(perms)},
            "member": self._member_payload(user_id, perms),
            "token": token,
            "version": 1,
            "locale": locale,
            "guild_locale": "en-US",
            "app_permissions": str(BOT_PERMISSIONS),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if message is not None:
            payload["message"] = self._message_payload(message)
        loop = asyncio.get_running_loop()
        inter = FakeInteraction(
            id=iid,
            token=token,
            type=itype,
            data=data,
            user_id=user_id,
            created=loop.time(),
            channel_id=int(channel["id"]),
            message_id=message.id if message is not None else None,
            locale=locale,
        )
        self.interactions[iid] = inter
        self._by_token[token] = inter
        await self._dispatch("INTERACTION_CREATE", payload)
        inter.sent_at = asyncio.get_running_loop().time()
        self._notify()
        return inter

    async def post_user_message(
        self,
        content: str,
        *,
        user_id: int | None = None,
        channel_id: int | None = None,
        attachments: list[FakeFile] | None = None,
        reply_to: int | None = None,
    ) -> FakeMessage:
        """A user posts a message in a channel (MESSAGE_CREATE), e.g. for on_message handlers."""
        self._require_connected()
        uid = DEFAULT_USER_ID if user_id is None else user_id
        cid = self.channel_id if channel_id is None else channel_id
        ref = None
        if reply_to is not None:
            ref = {"type": 0, "message_id": str(reply_to), "channel_id": str(cid), "guild_id": str(GUILD_ID)}
        msg = self._store_message(
            channel_id=cid,
            author_id=uid,
            content=content,
            embeds=[],
            components=[],
            attachments=[self._store_file(f) for f in attachments or []],
            flags=0,
            message_reference=ref,
            allowed_mentions=None,
            msg_type=19 if ref else 0,
        )
        await self._message_event("MESSAGE_CREATE", msg)
        return msg

    # ---------------------------------------------------------------- messages

    def _store_file(self, file: FakeFile) -> FakeFile:
        stored = FakeFile(file.filename, file.data, file.content_type, self._ids.next(), file.description)
        self._cdn[stored.id] = stored
        return stored

    def _attachment_payload(self, f: FakeFile, channel_id: int) -> dict:
        path = f"attachments/{channel_id}/{f.id}/{quote(f.filename)}"
        payload: dict[str, Any] = {
            "id": str(f.id),
            "filename": f.filename,
            "size": len(f.data),
            "url": f"{self.base_url}/cdn/{path}",
            "proxy_url": f"{self.base_url}/media/{path}",
            "content_type": f.content_type,
            "flags": 0,
        }
        if f.description is not None:
            payload["description"] = f.description
        return payload

    def _store_message(
        self,
        *,
        channel_id: int,
        author_id: int,
        content: str,
        embeds: list[dict],
        components: list[dict],
        attachments: list[FakeFile],
        flags: int,
        message_reference: dict | None,
        allowed_mentions: dict | None,
        interaction: FakeInteraction | None = None,
        msg_type: int = 0,
        tts: bool = False,
        nonce: str | None = None,
    ) -> FakeMessage:
        loop = asyncio.get_running_loop()
        msg = FakeMessage(
            id=self._ids.next(),
            channel_id=channel_id,
            author_id=author_id,
            content=content,
            embeds=embeds,
            components=components,
            attachments=attachments,
            flags=flags,
            message_reference=message_reference,
            allowed_mentions=allowed_mentions,
            interaction_id=interaction.id if interaction else None,
            type=msg_type,
            tts=tts,
            nonce=nonce,
            created=loop.time(),
        )
        if interaction is not None:
            msg.webhook_id = APPLICATION_ID
            meta: dict[str, Any] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": copy.deepcopy(self.users[interaction.user_id]),
                "authorizing_integration_owners": {"0": str(GUILD_ID)},
            }
            if interaction.type == 2:
                meta["name"] = interaction.data.get("name")
                meta["command_type"] = 1
            if interaction.message_id:
                meta["interacted_message_id"] = str(interaction.message_id)
            if interaction.response_message_id and interaction.response_message_id != msg.id:
                meta["original_response_message_id"] = str(interaction.response_message_id)
            msg.interaction_metadata = meta
        self._snapshot(msg)
        self.messages[msg.id] = msg
        channel = self.channels.get(channel_id)
        if channel is not None and not msg.ephemeral:
            channel["last_message_id"] = str(msg.id)
        self._notify()
        return msg

    def _snapshot(self, msg: FakeMessage) -> None:
        msg.versions.append(
            {
                "content": msg.content,
                "embeds": copy.deepcopy(msg.embeds),
                "components": copy.deepcopy(msg.components),
                "attachments": [a.filename for a in msg.attachments],
                "flags": msg.flags,
                "time": asyncio.get_running_loop().time(),
            }
        )

    def _message_payload(self, msg: FakeMessage, *, gateway: bool = False, nested: bool = True) -> dict:
        channel = self.channels.get(msg.channel_id, {})
        guild_id = channel.get("guild_id")
        content = msg.content
        parse = (msg.allowed_mentions or {}).get("parse", ["everyone", "users", "roles"])
        mention_ids = [int(x) for x in re.findall(r"<@!?(\d+)>", content)]
        payload: dict[str, Any] = {
            "id": str(msg.id),
            "channel_id": str(msg.channel_id),
            "author": copy.deepcopy(self.users[msg.author_id]),
            "content": content,
            "timestamp": _snowflake_iso(msg.id),
            "edited_timestamp": msg.edited_timestamp,
            "tts": msg.tts,
            "mention_everyone": ("@everyone" in content or "@here" in content) and "everyone" in parse,
            "mentions": [copy.deepcopy(self.users[u]) for u in dict.fromkeys(mention_ids) if u in self.users],
            "mention_roles": [r for r in re.findall(r"<@&(\d+)>", content) if int(r) in self.roles],
            "attachments": [self._attachment_payload(a, msg.channel_id) for a in msg.attachments],
            "embeds": copy.deepcopy(msg.embeds),
            "components": copy.deepcopy(msg.components),
            "flags": msg.flags,
            "type": msg.type,
            "pinned": False,
            "reactions": [
                {"count": 1, "me": True, "emoji": {"id": None, "name": e}, "burst_colors": []}
                for e in dict.fromkeys(msg.reactions)
            ],
        }
        if guild_id:
            payload["guild_id"] = guild_id
        if msg.nonce is not None:
            payload["nonce"] = msg.nonce
        if msg.webhook_id is not None:
            payload["webhook_id"] = str(msg.webhook_id)
            payload["application_id"] = str(APPLICATION_ID)
        if msg.interaction_metadata is not None:
            payload["interaction_metadata"] = copy.deepcopy(msg.interaction_metadata)
        if msg.message_reference is not None:
            payload["message_reference"] = copy.deepcopy(msg.message_reference)
            ref_id = msg.message_reference.get("message_id")
            if nested and ref_id is not None:
                ref = self.messages.get(int(ref_id))
                payload["referenced_message"] = (
                    None if ref is None or ref.deleted else self._message_payload(ref, nested=False)
                )
        if gateway and guild_id and msg.author_id in self.members:
            member = self._member_payload(msg.author_id)
            member.pop("user")
            payload["member"] = member
        return payload

    async def _message_event(self, event: str, msg: FakeMessage) -> None:
        """MESSAGE_CREATE/UPDATE/DELETE to the bot, honouring its intents like Discord."""
        session = self._session
        if not self.dispatch_message_events or session is None or msg.ephemeral:
            return
        channel = self.channels.get(msg.channel_id, {})
        in_guild = bool(channel.get("guild_id"))
        if not session.intents & (I_GUILD_MESSAGES if in_guild else I_DIRECT_MESSAGES):
            return
        if event == "MESSAGE_DELETE":
            data: dict[str, Any] = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
            if in_guild:
                data["guild_id"] = channel["guild_id"]
        else:
            data = self._message_payload(msg, gateway=True)
            mentioned = str(BOT_USER_ID) in [m["id"] for m in data["mentions"]]
            privileged = bool(session.intents & I_MESSAGE_CONTENT)
            if msg.author_id != BOT_USER_ID and in_guild and not privileged and not mentioned:
                # Without the message content intent Discord blanks other users' message contents.
                data.update(content="", embeds=[], attachments=[], components=[])
        await self._dispatch(event, data, session)

    def _normalize_components(self, components: list[dict] | None) -> list[dict]:
        comps = copy.deepcopy(components or [])
        counter = itertools.count(1)
        for comp in _walk_components(comps):
            if comp.get("id") is None:
                # Discord numbers components when the sender did not.
                comp["id"] = next(counter)
            else:
                next(counter)
        return comps

    def _validate_message(self, payload: dict, errs: _ErrorCollector, prefix: list[str | int]) -> None:
        content = payload.get("content")
        if content is not None:
            errs.max_len([*prefix, "content"], str(content), 2000)
        embeds = payload.get("embeds") or []
        errs.max_len([*prefix, "embeds"], embeds, 10)
        total = 0
        for i, embed in enumerate(embeds[:10]):
            at = [*prefix, "embeds", i]
            for key, limit in (("title", 256), ("description", 4096)):
                value = embed.get(key) or ""
                total += len(value)
                errs.max_len([*at, key], value, limit)
            fields = embed.get("fields") or []
            errs.max_len([*at, "fields"], fields, 25)
            for j, fld in enumerate(fields):
                total += len(fld.get("name", "")) + len(fld.get("value", ""))
                errs.max_len([*at, "fields", j, "name"], fld.get("name", ""), 256)
                errs.max_len([*at, "fields", j, "value"], fld.get("value", ""), 1024)
            footer = (embed.get("footer") or {}).get("text") or ""
            author = (embed.get("author") or {}).get("name") or ""
            total += len(footer) + len(author)
            errs.max_len([*at, "footer", "text"], footer, 2048)
            errs.max_len([*at, "author", "name"], author, 256)
        if total > 6000:
            errs.add([*prefix, "embeds"], "BASE_TYPE_MAX_LENGTH", "Embed size exceeds maximum size of 6000")
        components = payload.get("components")
        if components:
            v2 = bool(int(payload.get("flags") or 0) & F_COMPONENTS_V2)
            self._validate_components(components, errs, [*prefix, "components"], v2)
            if v2 and (content or embeds):
                errs.add(
                    [*prefix, "content"],
                    "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                    "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2",
                )

    def _validate_components(
        self, components: list[dict], errs: _ErrorCollector, at: list[str | int], v2: bool
    ) -> None:
        if not v2:
            errs.max_len(at, components, 5)
        seen: set[str] = set()
        all_comps = _walk_components(components)
        if v2 and len(all_comps) > 40:
            errs.add(at, "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")

        def check(comp: dict, path: list[str | int]) -> None:
            ctype = comp.get("type")
            cid = comp.get("custom_id")
            if cid is not None:
                errs.max_len([*path, "custom_id"], cid, 100)
                if cid in seen:
                    errs.add(
                        [*path, "custom_id"],
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                seen.add(cid)
            if ctype == 2:
                errs.max_len([*path, "label"], comp.get("label") or "", 80)
                style = comp.get("style")
                if style == 5 and (not comp.get("url") or cid is not None):
                    errs.add(path, "BUTTON_COMPONENT_URL_REQUIRED", "A link button needs a url and no custom_id")
                elif style not in (5, 6) and cid is None:
                    errs.add(path, "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED", "A custom id is required")
            elif ctype in SELECT_TYPES:
                errs.max_len([*path, "placeholder"], comp.get("placeholder") or "", 150)
                options = comp.get("options") or []
                errs.max_len([*path, "options"], options, 25)
                for k, opt in enumerate(options):
                    errs.max_len([*path, "options", k, "label"], opt.get("label", ""), 100)
                    errs.max_len([*path, "options", k, "value"], opt.get("value", ""), 100)
            children = comp.get("components") or []
            if ctype == 1 and not v2:
                buttons = [c for c in children if c.get("type") == 2]
                selects = [c for c in children if c.get("type") in SELECT_TYPES]
                errs.max_len([*path, "components"], buttons, 5)
                if selects and len(children) > 1:
                    errs.add(
                        [*path, "components"],
                        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                        "The specified component exceeds the maximum width",
                    )
            for n, child in enumerate(children):
                check(child, [*path, "components", n])
            for key in ("component", "accessory"):
                if isinstance(comp.get(key), dict):
                    check(comp[key], [*path, key])

        for i, comp in enumerate(components):
            if not v2 and comp.get("type") != 1:
                errs.add([*at, i, "type"], "UNION_TYPE_CHOICES", "Value of field 'type' must be one of (1,).")
            check(comp, [*at, i])

    def _attachments_for_create(self, payload: dict, files: list[FakeFile]) -> list[FakeFile]:
        entries = payload.get("attachments")
        if not entries:
            return [self._store_file(f) for f in files]
        out: list[FakeFile] = []
        for entry in entries:
            idx = int(entry.get("id", -1))
            if 0 <= idx < len(files):
                f = files[idx]
                out.append(
                    self._store_file(
                        FakeFile(
                            entry.get("filename") or f.filename, f.data, f.content_type, 0, entry.get("description")
                        )
                    )
                )
        return out

    def _create_checked(
        self,
        *,
        channel_id: int,
        payload: dict,
        files: list[FakeFile],
        prefix: list[str | int],
        interaction: FakeInteraction | None = None,
        allowed_flags: int = F_SUPPRESS_EMBEDS | F_SUPPRESS_NOTIFICATIONS | F_COMPONENTS_V2,
        extra_flags: int = 0,
        msg_type: int = 0,
        allow_empty: bool = False,
    ) -> FakeMessage:
        errs = _ErrorCollector()
        self._validate_message(payload, errs, prefix)
        ref = payload.get("message_reference")
        referenced: FakeMessage | None = None
        if ref:
            ref_id = ref.get("message_id")
            referenced = self.messages.get(int(ref_id)) if ref_id is not None else None
            if (referenced is None or referenced.deleted) and ref.get("fail_if_not_exists", True):
                errs.add(
                    [*prefix, "message_reference"],
                    "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                    "Unknown message",
                )
        errs.raise_if_any()
        attachments = self._attachments_for_create(payload, files)
        content = payload.get("content") or ""
        embeds = copy.deepcopy(payload.get("embeds") or [])
        components = self._normalize_components(payload.get("components"))
        if not allow_empty and not (content or embeds or attachments or components or payload.get("sticker_ids")):
            raise _ApiError(400, 50006, "Cannot send an empty message")
        if ref and referenced is not None:
            ref = {
                "type": ref.get("type", 0),
                "message_id": str(referenced.id),
                "channel_id": str(referenced.channel_id),
                "guild_id": str(GUILD_ID),
            }
            if ref["type"] == 0:
                msg_type = 19
        elif ref:
            ref = None
        flags = (int(payload.get("flags") or 0) & allowed_flags) | extra_flags
        return self._store_message(
            channel_id=channel_id,
            author_id=BOT_USER_ID,
            content=content,
            embeds=embeds,
            components=components,
            attachments=attachments,
            flags=flags,
            message_reference=ref,
            allowed_mentions=copy.deepcopy(payload.get("allowed_mentions")),
            interaction=interaction,
            msg_type=msg_type,
            tts=bool(payload.get("tts")),
            nonce=payload.get("nonce"),
        )

    def _edit_checked(
        self, msg: FakeMessage, payload: dict, files: list[FakeFile], prefix: list[str | int]
    ) -> FakeMessage:
        errs = _ErrorCollector()
        # Components v2 is judged on the flags the message will have after the edit.
        check = {**payload, "flags": payload["flags"] if payload.get("flags") is not None else msg.flags}
        self._validate_message(check, errs, prefix)
        errs.raise_if_any()
        if "content" in payload:
            msg.content = payload["content"] or ""
        if "embeds" in payload:
            msg.embeds = copy.deepcopy(payload["embeds"] or [])
        if "components" in payload:
            msg.components = self._normalize_components(payload["components"])
        if "allowed_mentions" in payload:
            msg.allowed_mentions = copy.deepcopy(payload["allowed_mentions"])
        if payload.get("flags") is not None:
            editable = F_SUPPRESS_EMBEDS | F_COMPONENTS_V2
            msg.flags = (msg.flags & ~editable) | (int(payload["flags"]) & editable)
        if "attachments" in payload:
            # v10: the list is the complete set after the edit; known ids are kept, small ids are new files.
            keep_ids = set()
            new: list[FakeFile] = []
            for entry in payload["attachments"] or []:
                aid = int(entry.get("id", -1))
                if any(a.id == aid for a in msg.attachments):
                    keep_ids.add(aid)
                elif 0 <= aid < len(files):
                    f = files[aid]
                    name = entry.get("filename") or f.filename
                    new.append(self._store_file(FakeFile(name, f.data, f.content_type, 0, entry.get("description"))))
            msg.attachments = [a for a in msg.attachments if a.id in keep_ids] + new
        elif files:
            msg.attachments = msg.attachments + [self._store_file(f) for f in files]
        msg.flags &= ~F_LOADING  # the first edit of a deferred response replaces "thinking..."
        loop = asyncio.get_running_loop()
        msg.edit_times.append(loop.time())
        msg.edited_timestamp = _iso(time.time() * 1000)
        self._snapshot(msg)
        self._notify()
        return msg

    # ---------------------------------------------------------------- HTTP plumbing

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], _Handler, str]]:
        # kind: "bot" (needs Authorization: Bot), "none", "chmsg" (bot; shared per-channel message
        # create/edit bucket), "callback" (interaction callback), "webhook" (interaction token routes).
        s = r"(\d+)"
        t = r"([^/]+)"
        table: list[tuple[str, str, _Handler, str]] = [
            ("GET", r"/users/@me", self._get_me, "bot"),
            ("GET", rf"/users/{s}", self._get_user, "bot"),
            ("POST", r"/users/@me/channels", self._create_dm, "bot"),
            ("GET", r"/oauth2/applications/@me", self._get_application, "bot"),
            ("GET", r"/applications/@me", self._get_application, "bot"),
            ("GET", r"/gateway", self._get_gateway, "none"),
            ("GET", r"/gateway/bot", self._get_gateway_bot, "bot"),
            ("GET", rf"/applications/{s}/commands", self._get_commands, "bot"),
            ("PUT", rf"/applications/{s}/commands", self._put_commands, "bot"),
            ("GET", rf"/applications/{s}/guilds/{s}/commands", self._get_guild_commands, "bot"),
            ("PUT", rf"/applications/{s}/guilds/{s}/commands", self._put_guild_commands, "bot"),
            ("GET", rf"/guilds/{s}", self._get_guild, "bot"),
            ("GET", rf"/guilds/{s}/channels", self._get_guild_channels, "bot"),
            ("GET", rf"/guilds/{s}/roles", self._get_guild_roles, "bot"),
            ("GET", rf"/guilds/{s}/members/{s}", self._get_member, "bot"),
            ("GET", rf"/channels/{s}", self._get_channel, "bot"),
            ("POST", rf"/channels/{s}/typing", self._typing, "bot"),
            ("GET", rf"/channels/{s}/messages", self._history, "bot"),
            ("POST", rf"/channels/{s}/messages", self._post_message, "chmsg"),
            ("GET", rf"/channels/{s}/messages/{s}", self._get_message, "bot"),
            ("PATCH", rf"/channels/{s}/messages/{s}", self._patch_message, "chmsg"),
            ("DELETE", rf"/channels/{s}/messages/{s}", self._delete_message, "bot"),
            ("PUT", rf"/channels/{s}/messages/{s}/reactions/{t}/@me", self._add_reaction, "bot"),
            ("DELETE", rf"/channels/{s}/messages/{s}/reactions/{t}/@me", self._remove_reaction, "bot"),
            ("POST", rf"/interactions/{s}/{t}/callback", self._callback, "callback"),
            ("POST", rf"/webhooks/{s}/{t}", self._followup, "webhook"),
            ("GET", rf"/webhooks/{s}/{t}/messages/{t}", self._wh_get, "webhook"),
            ("PATCH", rf"/webhooks/{s}/{t}/messages/{t}", self._wh_patch, "webhook"),
            ("DELETE", rf"/webhooks/{s}/{t}/messages/{t}", self._wh_delete, "webhook"),
        ]
        return [(m, re.compile(p), h, kind) for m, p, h, kind in table]

    def _bucket_for(self, method: str, pattern: str, kind: str, params: tuple[str, ...]) -> _Bucket:
        if kind == "webhook":
            key: tuple = ("webhook", params[1])
            limit = GENEROUS_LIMIT
        elif kind == "callback":
            key = ("callback", params[0])
            limit = GENEROUS_LIMIT
        elif kind == "chmsg":
            # Creates and edits of messages share one bucket per channel.
            key = ("channel-messages", params[0])
            limit = self.channel_edit_limit or (10_000, 1.0)
        else:
            major = params[0] if pattern.startswith(("/channels/", "/guilds/")) and params else ""
            key = (method, pattern, major)
            limit = GENEROUS_LIMIT
        bucket = self._buckets.get(key)
        if bucket is None:
            name = key[0] if key[0] in ("webhook", "callback", "channel-messages") else f"{method} {pattern}"
            bucket_hash = hashlib.sha1(name.encode()).hexdigest()[:16]
            bucket = self._buckets[key] = _Bucket(limit[0], limit[1], bucket_hash)
        return bucket

    async def _read_body(self, request: web.Request) -> tuple[Any, list[FakeFile]]:
        files: list[FakeFile] = []
        if request.content_type.startswith("multipart/"):
            body: Any = None
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue  # nested multipart: Discord does not accept it either
                raw = await part.read()
                name = part.name or ""
                if name == "payload_json":
                    body = json.loads(raw.decode())
                elif name.startswith("files[") or part.filename:
                    filename = part.filename or name
                    # discord.py labels every file application/octet-stream; Discord sniffs the type.
                    guessed = mimetypes.guess_type(filename)[0]
                    ctype = guessed or part.headers.get("Content-Type") or "application/octet-stream"
                    files.append(FakeFile(filename, bytes(raw), ctype))
            return body, files
        raw_text = await request.text()
        if not raw_text:
            return None, files
        return json.loads(raw_text), files

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        loop = asyncio.get_running_loop()
        path = "/" + request.match_info["tail"]
        headers = {k: v for k, v in request.headers.items()}
        auth = headers.get("Authorization")
        if auth:
            headers["Authorization"] = "Bot <redacted>" if auth.startswith("Bot ") else "<redacted>"
        rec = RecordedRequest(
            method=request.method,
            path=path,
            query=dict(request.query),
            json=None,
            files=[],
            headers=headers,
            time=loop.time(),
        )
        self.requests.append(rec)
        bucket: _Bucket | None = None
        try:
            try:
                body, files = await self._read_body(request)
            except ValueError:
                raise _ApiError(400, 50109, "The request body contains invalid JSON.") from None
            rec.json, rec.files = body, files
            path_known = False
            for method, rx, handler, kind in self._routes:
                match = rx.fullmatch(path)
                if match is None:
                    continue
                path_known = True
                if method != request.method:
                    continue
                if kind in ("bot", "chmsg"):
                    if not auth or not auth.startswith("Bot ") or not auth[4:].strip():
                        raise _ApiError(401, 0, "401: Unauthorized")
                    self.bot_token = auth[4:]
                bucket = self._bucket_for(method, rx.pattern, kind, match.groups())
                retry_after = bucket.hit(loop.time())
                if retry_after is not None:
                    return self._too_many(rec, bucket, retry_after)
                response = await handler(_Incoming(request, rec, body, files), *match.groups())
                break
            else:
                if path_known:
                    raise _ApiError(405, 0, "405: Method Not Allowed")
                raise _ApiError(404, 0, "404: Not Found")
        except _ApiError as exc:
            err: dict[str, Any] = {"message": exc.message, "code": exc.code}
            if exc.errors:
                err["errors"] = exc.errors
            response = _json_response(err, exc.status)
            self.errors.append((rec, exc.status, exc.code))
        except Exception as exc:
            # A bug in the fake: answer 400 (a 5xx would make discord.py retry with sleeps) and keep it.
            _log.exception("fake discord failed on %s %s", request.method, path)
            self.internal_errors.append((rec, exc))
            response = _json_response({"message": f"fake-discord internal error: {exc!r}", "code": 0}, 400)
            self.errors.append((rec, 400, 0))
        if bucket is not None:
            response.headers.update(bucket.headers(loop.time()))
        rec.status = response.status
        self._notify()
        return response

    def _too_many(self, rec: RecordedRequest, bucket: _Bucket, retry_after: float) -> web.Response:
        retry_after = math.ceil(retry_after * 1000) / 1000
        headers = bucket.headers(asyncio.get_running_loop().time())
        headers.update(
            {
                "Retry-After": str(math.ceil(retry_after)),
                "X-RateLimit-Scope": "user",
                # Without Via discord.py assumes a Cloudflare ban and raises instead of retrying.
                "Via": "1.1 google",
            }
        )
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
        rec.status = 429
        self.ratelimited.append(rec)
        self._notify()
        return _json_response(body, 429, headers)

    async def _handle_cdn(self, request: web.Request) -> web.StreamResponse:
        loop = asyncio.get_running_loop()
        rec = RecordedRequest(request.method, request.path, dict(request.query), None, [], {}, loop.time())
        self.requests.append(rec)
        file = self._cdn.get(int(request.match_info["aid"])) if request.match_info["aid"].isdigit() else None
        if file is None:
            response = web.Response(status=404, text="Not Found")
        else:
            response = web.Response(body=file.data, headers={"Content-Type": file.content_type})
        rec.status = response.status
        self._notify()
        return response

    # ---------------------------------------------------------------- REST: login, app, commands

    def _bot_user(self) -> dict:
        return {**self.users[BOT_USER_ID], "verified": True, "mfa_enabled": False, "locale": "en-US"}

    async def _get_me(self, rq: _Incoming) -> web.Response:
        return _json_response(self._bot_user())

    async def _get_user(self, rq: _Incoming, user_id: str) -> web.Response:
        user = self.users.get(int(user_id))
        if user is None:
            raise _ApiError(404, 10013, "Unknown User")
        return _json_response(user)

    async def _create_dm(self, rq: _Incoming) -> web.Response:
        recipient = int((rq.body or {}).get("recipient_id", 0))
        if recipient not in self.users:
            raise _form_error({"recipient_id": {"_errors": [{"code": "USER_UNKNOWN", "message": "Unknown User"}]}})
        for ch in self.channels.values():
            if ch["type"] == 1 and ch["recipients"][0]["id"] == str(recipient):
                return _json_response(ch)
        cid = self._ids.next()
        ch = {
            "id": str(cid),
            "type": 1,
            "last_message_id": None,
            "flags": 0,
            "recipients": [copy.deepcopy(self.users[recipient])],
        }
        self.channels[cid] = ch
        return _json_response(ch)

    async def _get_application(self, rq: _Incoming) -> web.Response:
        return _json_response(
            {
                "id": str(APPLICATION_ID),
                "name": "fake-bot",
                "icon": None,
                "description": "A bot under test",
                "summary": "",
                "type": None,
                "hook": True,
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": self._application_flags(),
                "owner": copy.deepcopy(self.users[OWNER_USER_ID]),
                "team": None,
                "bot": self._bot_user(),
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "tags": [],
                "approximate_guild_count": 1,
                "integration_types_config": {"0": {}},
            }
        )

    async def _get_gateway(self, rq: _Incoming) -> web.Response:
        return _json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, rq: _Incoming) -> web.Response:
        return _json_response(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
            }
        )

    def _check_app(self, app_id: str) -> None:
        if int(app_id) != APPLICATION_ID:
            raise _ApiError(403, 50001, "Missing Access")

    async def _get_commands(self, rq: _Incoming, app_id: str) -> web.Response:
        self._check_app(app_id)
        return _json_response(self.commands)

    async def _put_commands(self, rq: _Incoming, app_id: str) -> web.Response:
        self._check_app(app_id)
        self.commands = self._register_commands(rq.body, None)
        return _json_response(self.commands)

    async def _get_guild_commands(self, rq: _Incoming, app_id: str, guild_id: str) -> web.Response:
        self._check_app(app_id)
        return _json_response(self.guild_commands.get(int(guild_id), []))

    async def _put_guild_commands(self, rq: _Incoming, app_id: str, guild_id: str) -> web.Response:
        self._check_app(app_id)
        if int(guild_id) != GUILD_ID:
            raise _ApiError(403, 50001, "Missing Access")
        self.guild_commands[GUILD_ID] = self._register_commands(rq.body, GUILD_ID)
        return _json_response(self.guild_commands[GUILD_ID])

    def _register_commands(self, body: Any, guild_id: int | None) -> list[dict]:
        if not isinstance(body, list):
            raise _form_error({"_errors": [{"code": "BASE_TYPE_ARRAY", "message": "Must be an array."}]})
        errs = _ErrorCollector()
        errs.max_len([], body, 100)
        names: set[tuple[str, int]] = set()
        name_rx = re.compile(r"^[-_'\w]{1,32}$")
        out = []
        for i, cmd in enumerate(body):
            ctype = cmd.get("type", 1)
            name = cmd.get("name", "")
            if (name, ctype) in names:
                errs.add([i, "name"], "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
            names.add((name, ctype))
            if ctype == 1:
                if not name_rx.match(name) or name != name.lower():
                    errs.add([i, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
                desc = cmd.get("description", "")
                if not 1 <= len(desc) <= 100:
                    errs.add([i, "description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
                self._validate_command_options(cmd.get("options") or [], errs, [i, "options"], name_rx)
            stored = copy.deepcopy(cmd)
            key = (guild_id, name, ctype)
            if key not in self._command_ids:
                self._command_ids[key] = self._ids.next()
            stored.update(
                {
                    "id": str(self._command_ids[key]),
                    "application_id": str(APPLICATION_ID),
                    "version": str(self._ids.next()),
                    "type": ctype,
                    "default_member_permissions": cmd.get("default_member_permissions"),
                    "nsfw": cmd.get("nsfw", False),
                }
            )
            if guild_id is not None:
                stored["guild_id"] = str(guild_id)
            out.append(stored)
        errs.raise_if_any()
        return out

    def _validate_command_options(
        self, options: list[dict], errs: _ErrorCollector, at: list[str | int], name_rx: re.Pattern[str]
    ) -> None:
        errs.max_len(at, options, 25)
        seen_optional = False
        for j, opt in enumerate(options):
            name = opt.get("name", "")
            if not name_rx.match(name) or name != name.lower():
                errs.add([*at, j, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            if not 1 <= len(opt.get("description", "")) <= 100:
                errs.add([*at, j, "description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            if opt.get("type") in (1, 2):
                self._validate_command_options(opt.get("options") or [], errs, [*at, j, "options"], name_rx)
                continue
            if opt.get("required"):
                if seen_optional:
                    errs.add(
                        [*at, j, "required"],
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
            else:
                seen_optional = True
            errs.max_len([*at, j, "choices"], opt.get("choices") or [], 25)

    # ---------------------------------------------------------------- REST: guild & channels

    def _channel(self, channel_id: str) -> dict:
        ch = self.channels.get(int(channel_id))
        if ch is None:
            raise _ApiError(404, 10003, "Unknown Channel")
        return ch

    async def _get_guild(self, rq: _Incoming, guild_id: str) -> web.Response:
        if int(guild_id) != GUILD_ID:
            raise _ApiError(404, 10004, "Unknown Guild")
        guild = self._guild_payload(full=False)
        guild["approximate_member_count"] = len(self.members)
        return _json_response(guild)

    async def _get_guild_channels(self, rq: _Incoming, guild_id: str) -> web.Response:
        if int(guild_id) != GUILD_ID:
            raise _ApiError(404, 10004, "Unknown Guild")
        return _json_response([c for c in self.channels.values() if c.get("guild_id") == str(GUILD_ID)])

    async def _get_guild_roles(self, rq: _Incoming, guild_id: str) -> web.Response:
        if int(guild_id) != GUILD_ID:
            raise _ApiError(404, 10004, "Unknown Guild")
        return _json_response(list(self.roles.values()))

    async def _get_member(self, rq: _Incoming, guild_id: str, user_id: str) -> web.Response:
        if int(guild_id) != GUILD_ID:
            raise _ApiError(404, 10004, "Unknown Guild")
        if int(user_id) not in self.members:
            raise _ApiError(404, 10007, "Unknown Member")
        return _json_response(self._member_payload(int(user_id)))

    async def _get_channel(self, rq: _Incoming, channel_id: str) -> web.Response:
        return _json_response(self._channel(channel_id))

    async def _typing(self, rq: _Incoming, channel_id: str) -> web.Response:
        self._channel(channel_id)
        return _empty_response()

    def _channel_message(self, channel_id: str, message_id: str) -> FakeMessage:
        self._channel(channel_id)
        msg = self.messages.get(int(message_id))
        # Ephemeral messages are invisible to the channel (bot token) routes.
        if msg is None or msg.deleted or msg.ephemeral or msg.channel_id != int(channel_id):
            raise _ApiError(404, 10008, "Unknown Message")
        return msg

    async def _history(self, rq: _Incoming, channel_id: str) -> web.Response:
        self._channel(channel_id)
        q = rq.request.query
        limit = max(1, min(int(q.get("limit", 50)), 100))
        msgs = self.channel_messages(int(channel_id))
        if "before" in q:
            msgs = [m for m in msgs if m.id < int(q["before"])]
        if "after" in q:
            msgs = [m for m in msgs if m.id > int(q["after"])]
            msgs = msgs[:limit]
        if "around" in q:
            around = int(q["around"])
            older = [m for m in msgs if m.id <= around][-(limit // 2 + 1) :]
            newer = [m for m in msgs if m.id > around][: limit - len(older)]
            msgs = older + newer
        msgs = list(reversed(msgs))[:limit]  # newest first, like Discord
        return _json_response([self._message_payload(m) for m in msgs])

    async def _post_message(self, rq: _Incoming, channel_id: str) -> web.Response:
        self._channel(channel_id)
        body = rq.body if isinstance(rq.body, dict) else {}
        msg = self._create_checked(channel_id=int(channel_id), payload=body, files=rq.files, prefix=[])
        await self._message_event("MESSAGE_CREATE", msg)
        return _json_response(self._message_payload(msg))

    async def _get_message(self, rq: _Incoming, channel_id: str, message_id: str) -> web.Response:
        return _json_response(self._message_payload(self._channel_message(channel_id, message_id)))

    async def _patch_message(self, rq: _Incoming, channel_id: str, message_id: str) -> web.Response:
        msg = self._channel_message(channel_id, message_id)
        if msg.author_id != BOT_USER_ID:
            raise _ApiError(403, 50005, "Cannot edit a message authored by another user")
        body = rq.body if isinstance(rq.body, dict) else {}
        self._edit_checked(msg, body, rq.files, [])
        await self._message_event("MESSAGE_UPDATE", msg)
        return _json_response(self._message_payload(msg))

    async def _delete_message(self, rq: _Incoming, channel_id: str, message_id: str) -> web.Response:
        msg = self._channel_message(channel_id, message_id)
        await self._delete(msg)
        return _empty_response()

    async def _delete(self, msg: FakeMessage) -> None:
        msg.deleted = True
        self._notify()
        await self._message_event("MESSAGE_DELETE", msg)

    async def _add_reaction(self, rq: _Incoming, channel_id: str, message_id: str, emoji: str) -> web.Response:
        msg = self._channel_message(channel_id, message_id)
        msg.reactions.append(unquote(emoji))
        self._notify()
        return _empty_response()

    async def _remove_reaction(self, rq: _Incoming, channel_id: str, message_id: str, emoji: str) -> web.Response:
        msg = self._channel_message(channel_id, message_id)
        with contextlib.suppress(ValueError):
            msg.reactions.remove(unquote(emoji))
        self._notify()
        return _empty_response()

    # ---------------------------------------------------------------- REST: interactions

    async def _callback(self, rq: _Incoming, interaction_id: str, token: str) -> web.Response:
        inter = self.interactions.get(int(interaction_id))
        if inter is None or inter.token != token:
            raise _ApiError(404, 10062, "Unknown interaction")
        try:
            return await self._callback_checked(rq, inter)
        except _ApiError as exc:
            inter.rejected.append((exc.status, exc.code))
            raise

    async def _callback_checked(self, rq: _Incoming, inter: FakeInteraction) -> web.Response:
        if inter.acked.is_set():
            raise _ApiError(400, 40060, "Interaction has already been acknowledged.")
        if asyncio.get_running_loop().time() - inter.created > self.ack_deadline:
            raise _ApiError(404, 10062, "Unknown interaction")
        body = rq.body if isinstance(rq.body, dict) else {}
        rtype = body.get("type")
        data = body.get("data") or {}
        message: FakeMessage | None = None
        created_type = 20 if inter.type == 2 else 0
        if rtype == 4:
            message = self._create_checked(
                channel_id=inter.channel_id,
                payload=data,
                files=rq.files,
                prefix=["data"],
                interaction=inter,
                allowed_flags=F_EPHEMERAL | F_SUPPRESS_EMBEDS | F_SUPPRESS_NOTIFICATIONS | F_COMPONENTS_V2,
                msg_type=created_type,
            )
            inter.response_message_id = message.id
        elif rtype == 5:
            message = self._create_checked(
                channel_id=inter.channel_id,
                payload={"flags": data.get("flags", 0)},
                files=[],
                prefix=["data"],
                interaction=inter,
                allowed_flags=F_EPHEMERAL,
                extra_flags=F_LOADING,
                msg_type=created_type,
                allow_empty=True,
            )
            inter.response_message_id = message.id
        elif rtype in (6, 7):
            source = self.messages.get(inter.message_id) if inter.message_id else None
            if source is None or source.deleted:
                raise _form_error(
                    {"type": {"_errors": [{"code": "INTERACTION_RESPONSE_TYPE_INVALID", "message": "Invalid type"}]}}
                )
            if rtype == 7:
                self._edit_checked(source, data, rq.files, ["data"])
                message = source
            inter.response_message_id = source.id
        elif rtype == 8 and inter.type == 4:
            pass
        elif rtype == 9 and inter.type in (2, 3):
            self._validate_modal(data)
            inter.modal = copy.deepcopy(data)
        else:
            raise _form_error(
                {"type": {"_errors": [{"code": "INTERACTION_RESPONSE_TYPE_INVALID", "message": "Invalid type"}]}}
            )
        inter.responses.append(copy.deepcopy(body))
        inter.response_type = rtype
        inter.acked_at = asyncio.get_running_loop().time()
        inter.acked.set()
        self._notify()
        if message is not None:
            await self._message_event("MESSAGE_UPDATE" if rtype == 7 else "MESSAGE_CREATE", message)
        if not _truthy(rq.request.query.get("with_response")):
            return _empty_response()
        info: dict[str, Any] = {"id": str(inter.id), "type": inter.type}
        if inter.response_message_id is not None and rtype in (4, 5, 6, 7):
            info["response_message_id"] = str(inter.response_message_id)
            info["response_message_loading"] = rtype == 5
            target = self.messages[inter.response_message_id]
            info["response_message_ephemeral"] = target.ephemeral
        resource: dict[str, Any] = {"type": rtype}
        if message is not None:
            resource["message"] = self._message_payload(message)
        return _json_response({"interaction": info, "resource": resource})

    def _validate_modal(self, data: dict) -> None:
        errs = _ErrorCollector()
        errs.max_len(["data", "title"], data.get("title") or "", 45)
        errs.max_len(["data", "custom_id"], data.get("custom_id") or "", 100)
        comps = data.get("components") or []
        if not 1 <= len(comps) <= 5:
            errs.add(["data", "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
        for i, top in enumerate(comps):
            inner = top.get("components") or ([top["component"]] if isinstance(top.get("component"), dict) else [])
            if top.get("type") == 18:
                errs.max_len(["data", "components", i, "label"], top.get("label") or "", 45)
            for j, comp in enumerate(inner):
                at: list[str | int] = ["data", "components", i, "components", j]
                errs.max_len([*at, "custom_id"], comp.get("custom_id") or "", 100)
                if comp.get("type") == 4:
                    errs.max_len([*at, "label"], comp.get("label") or "", 45)
                    errs.max_len([*at, "placeholder"], comp.get("placeholder") or "", 100)
                    errs.max_len([*at, "value"], comp.get("value") or "", 4000)
        errs.raise_if_any()

    def _webhook_interaction(self, app_id: str, token: str) -> FakeInteraction:
        if int(app_id) != APPLICATION_ID:
            raise _ApiError(404, 10015, "Unknown Webhook")
        inter = self._by_token.get(token)
        if inter is None or asyncio.get_running_loop().time() - inter.created > self.token_lifetime:
            raise _ApiError(401, 50027, "Invalid Webhook Token")
        return inter

    def _webhook_message(self, inter: FakeInteraction, message_id: str) -> FakeMessage:
        if message_id == "@original":
            mid = inter.response_message_id
        else:
            mid = int(message_id) if message_id.isdigit() else None
            if mid != inter.response_message_id and mid not in inter.followup_ids:
                mid = None
        msg = self.messages.get(mid) if mid is not None else None
        if msg is None or msg.deleted:
            raise _ApiError(404, 10008, "Unknown Message")
        return msg

    async def _followup(self, rq: _Incoming, app_id: str, token: str) -> web.Response:
        inter = self._webhook_interaction(app_id, token)
        if not inter.acked.is_set():
            raise _ApiError(404, 10015, "Unknown Webhook")
        body = rq.body if isinstance(rq.body, dict) else {}
        original = self.messages.get(inter.response_message_id) if inter.response_message_id else None
        if original is not None and original.loading and not original.deleted:
            # As on Discord: the first followup after a "thinking" defer fills in that message.
            self._edit_checked(original, body, rq.files, [])
            msg = original
            event = "MESSAGE_UPDATE"
        else:
            msg = self._create_checked(
                channel_id=inter.channel_id,
                payload=body,
                files=rq.files,
                prefix=[],
                interaction=inter,
                allowed_flags=F_EPHEMERAL | F_SUPPRESS_EMBEDS | F_SUPPRESS_NOTIFICATIONS | F_COMPONENTS_V2,
                msg_type=20 if inter.type == 2 else 0,
            )
            event = "MESSAGE_CREATE"
        inter.followup_ids.append(msg.id)
        self._notify()
        await self._message_event(event, msg)
        if not _truthy(rq.request.query.get("wait")):
            return _empty_response()
        return _json_response(self._message_payload(msg))

    async def _wh_get(self, rq: _Incoming, app_id: str, token: str, message_id: str) -> web.Response:
        inter = self._webhook_interaction(app_id, token)
        return _json_response(self._message_payload(self._webhook_message(inter, message_id)))

    async def _wh_patch(self, rq: _Incoming, app_id: str, token: str, message_id: str) -> web.Response:
        inter = self._webhook_interaction(app_id, token)
        msg = self._webhook_message(inter, message_id)
        body = rq.body if isinstance(rq.body, dict) else {}
        self._edit_checked(msg, body, rq.files, [])
        await self._message_event("MESSAGE_UPDATE", msg)
        return _json_response(self._message_payload(msg))

    async def _wh_delete(self, rq: _Incoming, app_id: str, token: str, message_id: str) -> web.Response:
        inter = self._webhook_interaction(app_id, token)
        msg = self._webhook_message(inter, message_id)
        await self._delete(msg)
        return _empty_response()
