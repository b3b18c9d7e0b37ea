"""The fake Discord's interactions: the test side (commands, clicks, selects, dialogs) and the REST side."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import secrets
from typing import Any

from aiohttp import web

from tests.fakes.plumbing import (
    _ApiError,
    _empty_response,
    _ErrorCollector,
    _form_error,
    _Incoming,
    _json_response,
    _truthy,
    _walk_components,
)
from tests.fakes.records import (
    APPLICATION_ID,
    ATTACHMENT_SIZE_LIMIT,
    BOT_PERMISSIONS,
    CHANNEL_ID,
    DEFAULT_USER_ID,
    F_COMPONENTS_V2,
    F_EPHEMERAL,
    F_LOADING,
    F_SUPPRESS_EMBEDS,
    F_SUPPRESS_NOTIFICATIONS,
    GUILD_ID,
    P_ADMINISTRATOR,
    SELECT_TYPES,
    FakeFile,
    FakeInteraction,
    FakeMessage,
)


class Interactions:
    # ---------------------------------------------------------------- interactions (test side)

    def _require_connected(self, channel_id: int | None = None) -> None:
        """A bot is connected: the one, or with shards the one whose shard gets this channel's server."""
        guild = self.channels.get(channel_id or CHANNEL_ID, {}).get("guild_id")
        s = self._route(guild)
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
        channel_id: int | None = None,
    ) -> FakeInteraction:
        """Dispatches an APPLICATION_COMMAND interaction, as a user running /name would (in `channel_id`,
        by default the test channel; a channel of another server sends it from that server).

        subcommand: "sub" or "group sub". Raises AssertionError for what Discord's client would not
        let a user send: an unregistered command, unknown/missing options, a value not in choices,
        or lacking the command's default_member_permissions.
        """
        self._require_connected(channel_id)
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
        where = CHANNEL_ID if channel_id is None else channel_id
        inter = await self._dispatch_interaction(2, data, uid, locale, where, member_permissions)
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
        self._require_connected(channel_id)
        if user_id not in self.users:
            raise AssertionError(f"unknown user {user_id}; add it with fake.add_user()")
        iid = self._ids.next()
        token = f"fake-itoken.{iid}.{secrets.token_urlsafe(24)}"
        channel = self.channels.get(channel_id) or self.channels[CHANNEL_ID]
        guild = str(channel.get("guild_id") or GUILD_ID)
        perms = self._member_permissions(user_id) if member_permissions is None else member_permissions
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(APPLICATION_ID),
            "type": itype,
            "data": data,
            "guild_id": guild,
            "guild": {"id": guild, "locale": "en-US", "features": []},
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
            "authorizing_integration_owners": {"0": guild},
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
        self._require_connected(channel_id)
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
