"""A local image API for running the bot with no API key, in both dialects the bot speaks.

Tasks move through SUBMITTED and IN_PROGRESS with rising percentages and then SUCCESS, with real PNG
images and Midjourney's button customIds. State is computed from the time since submit, so the server
needs no background work. Prompts can steer it, which demos and tests use:
  - a word from BANNED_WORDS → code 24 at submit;
  - `sim:busy` → code 23 (queue full); `sim:fail` → the task fails midway; `sim:stall` → never finishes;
  `sim:hold` → the submit is accepted but answered only after HOLD_SECONDS; `sim:video-fail` → a video fails.
One app serves both dialects over one `TaskBook` (tasks.py): midjourney-proxy (proxy.py) and AceData
Cloud (acedata.py, `/midjourney/*`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from aiohttp import web

from bot.simulator.acedata import AceDataDialect
from bot.simulator.http import route_name
from bot.simulator.images import preview_png
from bot.simulator.proxy import ProxyDialect
from bot.simulator.tasks import SimTask, TaskBook
from bot.simulator.videos import stand_in_mp4

__all__ = ["SimTask", "Simulator", "serve_forever"]


class Simulator(TaskBook):
    """The fake API: `await start()` serves both dialects on 127.0.0.1; `base_url` is what the bot needs."""

    def __init__(
        self,
        *,
        duration: float = 6.0,
        api_key: str = "",
        host: str = "127.0.0.1",
        port: int = 0,
        remix: bool = False,
        modal_code: int = 21,
        buttons: bool = True,
        video: bool = True,
        edits: bool = True,
        seed: bool = True,
    ):
        super().__init__(
            duration=duration,
            api_key=api_key,
            remix=remix,
            modal_code=modal_code,
            buttons=buttons,
            video=video,
            edits=edits,
            seed=seed,
        )
        self.host, self.port = host, port
        self.requests: Counter[str] = Counter()
        self.proxy = ProxyDialect(self)
        self.acedata = AceDataDialect(self)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- lifecycle -----------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._auth])
        self.proxy.register(app)
        self.acedata.register(app)
        app.router.add_get("/mj/image/{id}/{name}", self.image)
        app.router.add_get("/mj/video/{id}/{name}", self.video_file)
        app.router.add_get("/sim/stats", self.stats)
        return app

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.base_url = f"http://{self.host}:{self.port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests[route_name(request.path)] += 1
        if request.path.startswith("/midjourney/"):
            return await handler(request)  # AceData routes refuse keys in their own dialect
        if self.api_key and not request.path.startswith(("/mj/image/", "/mj/video/")):
            given = request.headers.get("mj-api-secret") or request.headers.get("Authorization") or ""
            if given.removeprefix("Bearer ").strip() != self.api_key:
                return web.Response(status=401)
        return await handler(request)

    async def stats(self, request: web.Request) -> web.Response:
        """How often each endpoint was asked (for benchmarks that run the simulator as its own process)."""
        return web.json_response(dict(self.requests))

    async def image(self, request: web.Request) -> web.Response:
        task = self.tasks.get(request.match_info["id"])
        name = request.match_info["name"]
        if task is None or name not in ("final.png", "preview.png"):
            return web.Response(status=404)
        if name == "final.png" and self.image_fault == "missing":
            return web.Response(status=404)
        if name == "final.png" and self.image_fault == "html":
            return web.Response(text="<html><title>Gateway</title>Image expired</html>", content_type="text/html")
        final = await self.final_image(task)
        if name == "final.png":
            return web.Response(body=final, content_type="image/png")
        progress = int(request.query.get("p", "50"))
        data = await asyncio.to_thread(preview_png, final, progress)
        return web.Response(body=data, content_type="image/png")

    async def video_file(self, request: web.Request) -> web.Response:
        """`/mj/video/{task}/{n}.mp4`: the n-th video of a finished video task."""
        task = self.tasks.get(request.match_info["id"])
        name = request.match_info["name"]
        number = name.removesuffix(".mp4")
        if task is None or not number.isdigit() or not 1 <= int(number) <= task.videos:
            return web.Response(status=404)
        if self.video_fault == "html":
            return web.Response(text="<html><title>Gateway</title>Video expired</html>", content_type="text/html")
        return web.Response(body=stand_in_mp4(task.image_hash, int(number)), content_type="video/mp4")


async def serve_forever(port: int, duration: float, api_key: str = "", host: str = "127.0.0.1") -> None:
    sim = Simulator(duration=duration, api_key=api_key, host=host, port=port)
    url = await sim.start()
    print(f"Midjourney API simulator (midjourney-proxy dialect) listening on {url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sim.stop()
