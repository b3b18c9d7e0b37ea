"""An API on a public address that hands out links into the bot's own host (SSRF): the real bot against the
fake Discord. The API is the simulator reached through an HTTP proxy (as an operator's egress proxy would
be), which rewrites every link in its answers to a server on this host that records what it is asked."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord
from tests.helpers import running_bot, wait_final

PUBLIC_API = "http://93.184.215.14"  # a public address: nothing is sent there, the proxy answers for it


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


@contextlib.asynccontextmanager
async def hostile_api(simulator: Simulator, asked: list[str]) -> AsyncIterator[str]:
    """(the proxy's URL): calls for PUBLIC_API go to the simulator; its links come back pointing at a local
    server that notes every request for them in `asked`."""
    session = aiohttp.ClientSession()

    async def local(request: web.Request) -> web.Response:
        asked.append(request.path_qs)
        return web.Response(status=404)

    local_runner, local_url = await serve(_catch_all(local))

    async def forward(request: web.Request) -> web.Response:
        if not str(request.url).startswith(PUBLIC_API):  # a link fetched through the proxy
            asked.append(request.path_qs)
            return web.Response(status=404)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        async with session.request(
            request.method, simulator.base_url + request.path_qs, headers=headers, data=await request.read()
        ) as answer:
            body = (await answer.read()).replace(simulator.base_url.encode(), local_url.encode())
            return web.Response(status=answer.status, body=body, content_type=answer.content_type)

    proxy_runner, proxy_url = await serve(_catch_all(forward))
    try:
        yield proxy_url
    finally:
        await proxy_runner.cleanup()
        await local_runner.cleanup()
        await session.close()


def _catch_all(handler: web.Handler) -> web.Application:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


async def test_links_into_the_host_from_a_public_api_are_never_fetched(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    async with hostile_api(simulator, asked) as proxy:
        for name in ("HTTP_PROXY", "http_proxy"):
            monkeypatch.setenv(name, proxy)
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        async with running_bot(fake, PUBLIC_API, tmp_path / "db.sqlite3", PROGRESS_EDIT_INTERVAL="0.1") as bot:
            message_id = (await fake.invoke_slash("imagine", {"prompt": "a lighthouse"})).response_message_id or 0
            final = await wait_final(fake, message_id)
            job = await bot.jobs.ledger.get(1)
    assert [t.prompt for t in simulator.tasks.values()] == ["a lighthouse"]  # the API itself was reached
    assert asked == []  # neither the previews nor the result: nothing on this host was asked for
    assert job is not None and job.status.value == "failed" and job.refunded
    assert "could not be downloaded" in final.content and not final.attachments
