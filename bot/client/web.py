"""The bot's own HTTP server (`OPS_HOST:OPS_PORT`, off unless `OPS_PORT` is set).

One server for everything a browser or a monitor asks of the process: the operator's probes and metrics and
the web gallery mount their routes on `app` while the features load (aiohttp freezes the router when the
server starts, at the end of `setup_hook`).
"""

from __future__ import annotations

import logging

from aiohttp import web

log = logging.getLogger(__name__)


class WebServer:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port  # 0: any free port; `start` returns the one bound
        self.app = web.Application(client_max_size=1024 * 1024)
        self._runner: web.AppRunner | None = None

    async def start(self) -> int:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        if server is not None and server.sockets:  # type: ignore[attr-defined]
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        log.info("web server listening on http://%s:%d", self.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
