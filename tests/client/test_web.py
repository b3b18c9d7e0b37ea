"""The bot's one web server: routes mounted before start are served; after stop the port is closed."""

from __future__ import annotations

import httpx
import pytest
from aiohttp import web

from bot.client.web import WebServer


async def test_serves_mounted_routes_on_a_free_port_and_closes_it() -> None:
    server = WebServer("127.0.0.1", 0)

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    server.app.router.add_get("/hello", hello)
    port = await server.start()
    assert port > 0 and server.port == port
    try:
        async with httpx.AsyncClient() as http:
            answer = await http.get(f"http://127.0.0.1:{port}/hello")
            assert (answer.status_code, answer.text) == (200, "hello")
            assert (await http.get(f"http://127.0.0.1:{port}/nothing")).status_code == 404
    finally:
        await server.stop()
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{port}/hello")
