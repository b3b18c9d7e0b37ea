"""An httpx transport that times every image API request by endpoint and counts its failures.

Wraps the transport of the core's HTTP clients, so no provider needs to know about metrics. Only requests under
the API's base URL are measured (result downloads from other hosts are not the API's latency). A path segment
that is not a plain word (task ids, file names) becomes `{id}`, and past `MAX_ENDPOINTS` distinct paths the rest
count as `other`: the API chooses its result links, and a metric label per link would grow without end.
"""

from __future__ import annotations

import re
import time

import httpx

from bot.core import metrics

MAX_ENDPOINTS = 40  # the dialects use about 20
_WORD = re.compile(r"[a-z][a-z_-]{0,31}")


class MeteredTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, api_base: str = "") -> None:
        self._inner = inner
        self._endpoints: set[str] = set()
        self.api_base = api_base

    @property
    def api_base(self) -> str:
        return str(self._base) if self._base is not None else ""

    @api_base.setter
    def api_base(self, value: str) -> None:
        """Set once known (the built-in simulator's address comes after the client is made)."""
        self._base = httpx.URL(value) if value else None

    def endpoint(self, url: httpx.URL) -> str | None:
        base = self._base
        if base is None or (url.scheme, url.host, url.port) != (base.scheme, base.host, base.port):
            return None
        prefix = base.path.rstrip("/")
        if not url.path.startswith(prefix):
            return None
        parts = url.path[len(prefix) :].split("/")
        endpoint = "/".join(part if not part or _WORD.fullmatch(part) else "{id}" for part in parts) or "/"
        if endpoint not in self._endpoints:
            if len(self._endpoints) >= MAX_ENDPOINTS:
                return "other"
            self._endpoints.add(endpoint)
        return endpoint

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        endpoint = self.endpoint(request.url)
        if endpoint is None:
            return await self._inner.handle_async_request(request)
        started = time.monotonic()
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TransportError as exc:
            metrics.API_ERRORS.labels(endpoint, type(exc).__name__).inc()
            raise
        metrics.API_SECONDS.labels(endpoint).observe(time.monotonic() - started)
        if response.status_code >= 400:
            metrics.API_ERRORS.labels(endpoint, str(response.status_code)).inc()
        if response.status_code < 500 and response.status_code not in (401, 403):  # a refused key is no answer
            metrics.API.answered()
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
