"""The operator's endpoints on the bot's web server: `/health/live`, `/health/ready` and `/metrics`.

The probes answer from before the bot logs in to Discord (`WebServer.serve_early`), so a Discord outage at
start never gets the process killed by its liveness probe; once the features have loaded they move with
the rest of the routes to the full server.
"""

from __future__ import annotations

from aiohttp import web

from bot.client.ops.exposition import DiscordRateLimits, MetricsEndpoint
from bot.client.ops.probes import BotView, Probes


class Ops:
    def __init__(self, bot: BotView, rate_limits: DiscordRateLimits) -> None:
        self.probes = Probes(bot)
        self.metrics = MetricsEndpoint(bot, rate_limits)

    def mount(self, app: web.Application) -> None:
        app.router.add_get("/health/live", self.probes.live)
        app.router.add_get("/health/ready", self.probes.ready)
        app.router.add_get("/metrics", self.metrics.serve)

    def early_app(self) -> web.Application:
        """The probes and metrics alone, served until the full server starts."""
        app = web.Application()
        self.mount(app)
        return app


__all__ = ["DiscordRateLimits", "Ops"]
