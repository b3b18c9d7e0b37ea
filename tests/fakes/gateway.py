"""The fake Discord's gateway: the websocket, identify/resume, heartbeats, dispatching events.

Shards: a client that IDENTIFYs with `shard: [i, n]` gets READY and GUILD_CREATE for the servers of shard
i only, and every later event of a server goes to the session of the shard that owns it, by Discord's
formula `(guild_id >> 22) % n` (events outside a server, DMs, to shard 0). Without `shard` one session
gets everything, as before.
"""

from __future__ import annotations

import contextlib
import copy
import json
import secrets
from collections.abc import Iterable
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.plumbing import _Conn, _Session
from tests.fakes.records import (
    APPLICATION_ID,
    BOT_USER_ID,
    CHANNEL_ID,
    GUILD_ID,
    HEARTBEAT_INTERVAL_MS,
    JOINED_AT,
    OWNER_USER_ID,
    P_ADMINISTRATOR,
)


def shard_of(guild_id: int | None, count: int) -> int:
    """Discord's rule, written here again so that the fake does not take the bot's word for it."""
    return 0 if guild_id is None else (guild_id >> 22) % count


class Gateway:
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
        guilds = self.guild_ids
        if "shard" in data:
            shard, count = (int(n) for n in data["shard"])
            if count != self.shard_count or not 0 <= shard < count:
                await conn.ws.close(code=4010, message=b"Invalid shard.")
                return
            self._shard_sessions[shard] = session
            guilds = [g for g in guilds if shard_of(g, count) == shard]
        ready: dict[str, Any] = {
            "v": 10,
            "user": {**self.users[BOT_USER_ID], "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g), "unavailable": True} for g in guilds],
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
        for guild_id in guilds:
            await self._dispatch("GUILD_CREATE", self._guild_payload(full=True, guild_id=guild_id), session)
        conn.ready = True
        self.identify_count += 1
        self._notify()

    async def _resume(self, conn: _Conn, data: dict) -> None:
        session = self._sessions.get(str(data.get("session_id")))
        current = session is self._session or session in self._shard_sessions.values()
        if session is None or self._invalidate_next_resume or not current:
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

    def _route(self, guild_id: int | str | None) -> _Session | None:
        """The session that gets a server's events: its shard's, or the only one."""
        if not self._shard_sessions:
            return self._session
        return self._shard_sessions.get(shard_of(int(guild_id) if guild_id else None, self.shard_count))

    async def wait_shards_ready(self, shards: Iterable[int] | None = None, timeout: float = 10) -> None:
        """These shards (default: all of `shard_count`) have IDENTIFY'd (or resumed) and were sent their servers."""
        wanted = list(range(self.shard_count) if shards is None else shards)

        def ready() -> bool:
            sessions = [self._shard_sessions.get(i) for i in wanted]
            return all(s is not None and s.conn is not None and s.conn.ready and not s.conn.ws.closed for s in sessions)

        await self.wait_for(ready, timeout)

    async def _dispatch(self, event: str, data: dict, session: _Session | None = None) -> None:
        session = session or self._route(data.get("guild_id"))
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

    def _guild_payload(self, *, full: bool, guild_id: int = GUILD_ID) -> dict:
        others = set(self.guild_ids) - {guild_id}  # another server's @everyone is not a role here
        guild: dict[str, Any] = {
            "id": str(guild_id),
            "name": self.guild_names.get(guild_id, "Fake Guild"),
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
            "roles": [r for rid, r in self.roles.items() if rid not in others],
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
                        if c.get("guild_id") == str(guild_id)
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
