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
- Shards: `FakeDiscord(shard_count=n)` and `add_guild()` for servers on other shards; clients IDENTIFY
  with `shard: [i, n]` and each gets its own servers' events (gateway.py); `wait_shards_ready()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

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

from tests.fakes.gateway import Gateway
from tests.fakes.interactions import Interactions
from tests.fakes.limits import _Bucket
from tests.fakes.messages import Messages
from tests.fakes.plumbing import _Conn, _Session, _Snowflakes, _walk_components
from tests.fakes.records import (
    API_PREFIX,
    APPLICATION_ID,
    BOT_PERMISSIONS,
    BOT_ROLE_ID,
    BOT_USER_ID,
    CHANNEL_ID,
    DEFAULT_USER_ID,
    EVERYONE_PERMISSIONS,
    GUILD_ID,
    JOINED_AT,
    OWNER_USER_ID,
    FakeFile,
    FakeInteraction,
    FakeMessage,
    RecordedRequest,
)
from tests.fakes.rest import Rest


class FakeDiscord(Gateway, Interactions, Messages, Rest):
    """Fake Discord REST API + gateway on 127.0.0.1; one instance per test."""

    def __init__(
        self,
        *,
        token_lifetime: float = 900.0,
        ack_deadline: float = 3.0,
        channel_edit_limit: tuple[int, float] | None = (5, 5.0),
        accepted_token: str | None = None,
        shard_count: int = 1,
    ) -> None:
        self.shard_count = shard_count  # what GET /gateway/bot advises, and what IDENTIFY must say
        self.token_lifetime = token_lifetime
        self.accepted_token = accepted_token  # when set, any other bot token gets 401, as a reset token does
        self.dms_closed: set[int] = set()  # users who accept no direct message from the bot (50007)
        self.ack_deadline = ack_deadline
        self.channel_edit_limit = channel_edit_limit
        self.dispatch_message_events = True  # MESSAGE_CREATE/UPDATE/DELETE over the gateway, as Discord does
        # (method, path pattern): the next matching request's connection is closed unanswered (a reset).
        self.reset_next: list[tuple[str, str]] = []
        # Discord in trouble: a request it returns a status for is answered with that status (and no effect).
        self.trouble: Callable[[RecordedRequest], int | None] | None = None

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
        self._session: _Session | None = None  # the latest IDENTIFY
        self._shard_sessions: dict[int, _Session] = {}  # by shard id, when clients IDENTIFY as shards
        self.guild_ids: list[int] = [GUILD_ID]
        self.guild_names: dict[int, str] = {}
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
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)  # started again: the same port (an outage)
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

    def add_guild(self, guild_id: int, name: str, channel_id: int) -> dict:
        """Another server (every user is a member of it too) with one text channel, returned; call before
        the bot connects."""
        self.guild_ids.append(guild_id)
        self.guild_names[guild_id] = name
        self.roles[guild_id] = self._role(guild_id, "@everyone", EVERYONE_PERMISSIONS, 0)
        channel = self._text_channel(channel_id, "general", 0, guild_id)
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

    def _text_channel(self, channel_id: int, name: str, position: int, guild_id: int = GUILD_ID) -> dict:
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(guild_id),
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
