"""The fake Discord's messages: create, edit, delete, attachments, components, validation."""

from __future__ import annotations

import asyncio
import copy
import itertools
import re
import time
from typing import Any
from urllib.parse import quote

from tests.fakes.plumbing import _ApiError, _ErrorCollector, _iso, _snowflake_iso, _walk_components
from tests.fakes.records import (
    APPLICATION_ID,
    BOT_USER_ID,
    F_COMPONENTS_V2,
    F_LOADING,
    F_SUPPRESS_EMBEDS,
    F_SUPPRESS_NOTIFICATIONS,
    GUILD_ID,
    I_DIRECT_MESSAGES,
    I_GUILD_MESSAGES,
    I_MESSAGE_CONTENT,
    SELECT_TYPES,
    FakeFile,
    FakeInteraction,
    FakeMessage,
)


class Messages:
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
        channel = self.channels.get(msg.channel_id, {})
        session = self._route(channel.get("guild_id"))
        if not self.dispatch_message_events or session is None or msg.ephemeral:
            return
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
