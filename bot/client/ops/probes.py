"""Liveness and readiness.

Live: the event loop answers (nothing else: Discord being down must not get the process restarted).
Ready: the gateway is connected, the ledger answers a query, and the image API answered within
`API_FRESH` seconds (when the bot has had nothing to ask it lately, a free status request for a task that
does not exist, at most one at a time). 200 or 503, with each check's verdict as JSON.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

import discord
from aiohttp import web

from bot.client.startup import probe_api
from bot.core import metrics
from bot.core.jobs import JobService

log = logging.getLogger(__name__)

API_FRESH = 120.0  # seconds an answer of the image API keeps the bot ready
CHECK_TIMEOUT = 5.0  # a ledger or API that takes longer counts as not answering


class BotView(Protocol):
    """What the ops endpoints read from the bot."""

    jobs: JobService

    def is_ready(self) -> bool: ...

    def is_closed(self) -> bool: ...

    @property
    def latency(self) -> float: ...


def gateway_connected(bot: BotView) -> bool:
    """Every gateway connection of this process is open (after READY; not while reconnecting)."""
    if not bot.is_ready() or bot.is_closed():
        return False
    if isinstance(bot, discord.AutoShardedClient):
        return bool(bot.shards) and not any(shard.is_closed() for shard in bot.shards.values())
    ws = getattr(bot, "ws", None)
    return ws is not None and bool(ws.open)


class Probes:
    def __init__(self, bot: BotView) -> None:
        self._bot = bot
        self._probing = asyncio.Lock()
        self._said: dict[str, str] | None = None  # the last verdict logged: a line per change, not per probe

    async def live(self, request: web.Request) -> web.Response:
        return web.json_response({"live": True})

    async def ready(self, request: web.Request) -> web.Response:
        checks = {
            "gateway": "connected" if gateway_connected(self._bot) else "not connected",
            "ledger": await self._ledger(),
            "api": await self._api(),
        }
        ok = checks == {"gateway": "connected", "ledger": "answers", "api": "answers"}
        if checks != self._said and (self._said is not None or not ok):
            log.info("%s: %s", "ready" if ok else "not ready", ", ".join(f"{k} {v}" for k, v in checks.items()))
        self._said = checks
        return web.json_response({"ready": ok, "checks": checks}, status=200 if ok else 503)

    async def _ledger(self) -> str:
        try:
            await asyncio.wait_for(self._bot.jobs.ledger.storage.fetch_one("SELECT 1"), CHECK_TIMEOUT)
        except Exception as exc:  # whatever the driver raises, the answer is "no"
            return f"does not answer ({type(exc).__name__})"
        return "answers"

    async def _api(self) -> str:
        if metrics.API.answered_within(API_FRESH):
            return "answers"
        async with self._probing:  # concurrent probes share one request
            if not metrics.API.answered_within(API_FRESH):
                try:
                    problem = await asyncio.wait_for(probe_api(self._bot.jobs.provider), CHECK_TIMEOUT)
                except TimeoutError:
                    return f"no answer within {CHECK_TIMEOUT:.0f} s"
                if problem is not None and not metrics.API.answered_within(API_FRESH):
                    return f"does not answer: {problem}"
        return "answers"
