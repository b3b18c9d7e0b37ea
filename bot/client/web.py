"""The bot's own HTTP server (`OPS_HOST:OPS_PORT`, off unless `OPS_PORT` is set).

One server for everything a browser or a monitor asks of the process: the operator's probes and metrics and
the web gallery mount their routes on `app` while the features load (aiohttp freezes the router when the
server starts, at the end of `setup_hook`). Routes that must answer before that (the probes) can be served
earlier by `serve_early`, on the same socket, which `start` then takes over without a moment closed.
"""

from __future__ import annotations

import asyncio
import logging
import socket

from aiohttp import web

log = logging.getLogger(__name__)

HANDOVER_SECONDS = 0.5  # the early server's last connections are answered before it closes


class WebServer:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port  # 0: any free port; `start` returns the one bound
        self.app = web.Application(client_max_size=1024 * 1024)
        self._runner: web.AppRunner | None = None
        self._early: web.AppRunner | None = None
        self._socket: socket.socket | None = None  # bound by `serve_early`, kept for `start`
        self._early_socket: socket.socket | None = None  # the early server's own descriptor of it
        self._retiring: asyncio.Task[None] | None = None  # the early server, closing after the hand-over

    async def serve_early(self, app: web.Application) -> int:
        """Serve `app` alone on the port until `start`, which hands the same listening socket to `self.app`."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._socket = socket.create_server((self.host, self.port), family=family)  # OSError: in use
        self._early = web.AppRunner(app, access_log=None)
        await self._early.setup()
        # Its own descriptor of the socket: closing it at the hand-over leaves the socket (and its queue) open.
        self._early_socket = self._socket.dup()
        await web.SockSite(self._early, self._early_socket).start()
        self.port = int(self._socket.getsockname()[1])
        log.info("web server listening on http://%s:%d (probes only until the features have loaded)", self.host,
                 self.port)  # fmt: skip
        return self.port

    async def start(self) -> int:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        if self._socket is not None:  # both accept on the socket now; the early one goes
            await web.SockSite(self._runner, self._socket).start()
            if self._early is not None and self._early_socket is not None:
                # It stops accepting now; it closes once what it accepted is attached and answered (closing
                # a server while it accepts drops that connection unanswered).
                asyncio.get_running_loop().remove_reader(self._early_socket.fileno())
                self._retiring = asyncio.create_task(self._retire(self._early))
                self._early = self._early_socket = None
        else:
            site = web.TCPSite(self._runner, self.host, self.port)
            await site.start()
            server = site._server
            if server is not None and server.sockets:  # type: ignore[attr-defined]
                self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        log.info("web server listening on http://%s:%d", self.host, self.port)
        return self.port

    async def _retire(self, early: web.AppRunner) -> None:
        await asyncio.sleep(HANDOVER_SECONDS)
        await early.cleanup()

    async def stop(self) -> None:
        if self._retiring is not None:
            await self._retiring
            self._retiring = None
        for runner in (self._early, self._runner):
            if runner is not None:
                await runner.cleanup()
        self._runner = self._early = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
