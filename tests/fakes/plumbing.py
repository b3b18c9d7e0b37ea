"""Internals shared by the fake Discord's modules: errors, responses, sessions, snowflakes."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tests.fakes.records import DISCORD_EPOCH_MS, FakeFile, RecordedRequest

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
