"""Optional push: a small HTTP endpoint for the API's notifyHook / callback_url.

The URL carries a per-install secret derived from the bot token, so nothing needs storing and a
forged callback is refused. Polling stays on as the safety net: resellers drop hooks.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable

from aiohttp import web

from bot.core.jobs import JobService
from bot.core.models import TaskSnapshot

log = logging.getLogger(__name__)

Parser = Callable[[object], TaskSnapshot | None]


def push_secret(token: str) -> str:
    return hmac.new(token.encode(), b"mjbot push endpoint", hashlib.sha256).hexdigest()[:40]


class PushEndpoint:
    """POST {public_url}/{dialect}/{secret}: a task state for a job in flight."""

    def __init__(self, jobs: JobService, parser: Parser, *, secret: str, dialect: str) -> None:
        self._jobs = jobs
        self._parser = parser
        self._secret = secret
        self.dialect = dialect
        self._runner: web.AppRunner | None = None
        self.accepted = 0
        self.refused = 0

    def hook_url(self, public_url: str) -> str:
        return f"{public_url.rstrip('/')}/{self.dialect}/{self._secret}"

    def app(self) -> web.Application:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post(f"/{self.dialect}/{{secret}}", self.receive)
        return app

    async def start(self, host: str, port: int) -> int:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        bound: int = server.sockets[0].getsockname()[1] if server and server.sockets else port  # type: ignore[attr-defined]
        log.info("push endpoint listening on %s:%d", host, bound)
        return bound

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def receive(self, request: web.Request) -> web.Response:
        peer = request.remote or "?"
        if not hmac.compare_digest(request.match_info["secret"], self._secret):
            self.refused += 1
            log.warning("refused a push from %s: wrong secret", peer)
            return web.Response(status=403)
        try:
            body = await request.json()
        except ValueError:
            self.refused += 1
            log.warning("refused a push from %s: not JSON", peer)
            return web.Response(status=400)
        snapshot = self._parser(body)
        if snapshot is None:
            self.refused += 1
            log.warning("refused a push from %s: not a task", peer)
            return web.Response(status=400)
        if not await self._jobs.push(snapshot):
            self.refused += 1
            log.warning("refused a push from %s: task %s is not a job in flight", peer, snapshot.task_id)
            return web.Response(status=404)
        self.accepted += 1
        return web.Response(status=204)
