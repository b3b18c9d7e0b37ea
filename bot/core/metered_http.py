"""An httpx transport that times every image API request by endpoint and counts its failures.

Wraps the transport of the core's HTTP clients, so no provider needs to know about metrics. Only requests under
the API's base URL are measured (result downloads from other hosts are not the API's latency); path segments
that carry a digit (task ids, file names) become `{id}`, so the endpoints stay a short, fixed list.
"""

from __future__ import annotations

import time

import httpx

from bot.core import metrics


class MeteredTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, api_base: str = "") -> None:
        self._inner = inner
        self.api_base = api_base  # set once known (the built-in simulator's address comes after the client)

    def endpoint(self, url: httpx.URL) -> str | None:
        base = httpx.URL(self.api_base) if self.api_base else None
        if base is None or (url.scheme, url.host, url.port) != (base.scheme, base.host, base.port):
            return None
        prefix = base.path.rstrip("/")
        if not url.path.startswith(prefix):
            return None
        parts = url.path[len(prefix) :].split("/")
        return "/".join("{id}" if any(c.isdigit() for c in part) else part for part in parts) or "/"

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
