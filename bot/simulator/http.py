"""What both dialects of the simulator need from a request."""

from __future__ import annotations

from typing import Any

from aiohttp import web


async def json_body(request: web.Request) -> dict[str, Any] | None:
    try:
        data = await request.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def route_name(path: str) -> str:
    """`/v1/mj/task/123/fetch` → `fetch`: request counts by endpoint, for tests and benchmarks."""
    if path.endswith("/fetch"):
        return "fetch"
    if path.endswith("/cancel"):
        return "cancel"
    if path.startswith("/midjourney/"):
        return path.strip("/")  # `midjourney/imagine`: kept apart from the proxy's `imagine`
    return path.rstrip("/").rsplit("/", 1)[-1]
