"""The fake Discord's REST plumbing (routing, auth, rate-limit buckets) and its app, command and guild routes."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import json
import math
import mimetypes
import re
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from tests.fakes.limits import _Bucket
from tests.fakes.plumbing import (
    _ApiError,
    _empty_response,
    _ErrorCollector,
    _form_error,
    _Handler,
    _Incoming,
    _json_response,
)
from tests.fakes.records import (
    APPLICATION_ID,
    BOT_USER_ID,
    GENEROUS_LIMIT,
    GUILD_ID,
    OWNER_USER_ID,
    FakeFile,
    FakeMessage,
    RecordedRequest,
    _log,
)


class Rest:
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
        for fault in self.reset_next:
            if fault[0] == request.method and re.fullmatch(fault[1], path):
                self.reset_next.remove(fault)
                if request.transport is not None:
                    request.transport.close()
                rec.status = 0
                self._notify()
                return web.Response(status=500)
        bucket: _Bucket | None = None
        try:
            try:
                body, files = await self._read_body(request)
            except ValueError:
                raise _ApiError(400, 50109, "The request body contains invalid JSON.") from None
            rec.json, rec.files = body, files
            if self.trouble is not None and (status := self.trouble(rec)) is not None:
                raise _ApiError(status, 0, f"{status}: Discord is having trouble")
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
                    if self.accepted_token is not None and auth[4:] != self.accepted_token:
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
                "shards": self.shard_count,
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
        channel = self._channel(channel_id)
        if channel.get("type") == 1 and int(channel["recipients"][0]["id"]) in self.dms_closed:
            raise _ApiError(403, 50007, "Cannot send messages to this user")
        body = rq.body if isinstance(rq.body, dict) else {}
        if body.get("enforce_nonce") and body.get("nonce"):  # Discord: the message made with it, not another
            for made in self.channel_messages(int(channel_id)):
                if made.nonce == str(body["nonce"]) and made.author_id == BOT_USER_ID:
                    return _json_response(self._message_payload(made))
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
