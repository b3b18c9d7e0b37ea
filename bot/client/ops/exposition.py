"""`/metrics` in Prometheus' text format: the core's counters (bot/core/metrics.py) and what this process's
bot knows (gateway latency and connection, jobs in flight, the queue, status polls, Discord's 429s).

Each process serves its own figures; a sharded deployment is scraped process by process.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterator

import aiohttp
import discord
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.client.ops.probes import CHECK_TIMEOUT, BotView, gateway_connected
from bot.core import lifecycle, metrics

log = logging.getLogger(__name__)


class DiscordRateLimits:
    """Counts Discord's 429 answers to the bot's REST calls (discord.py's `http_trace`), by their scope."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}
        self.trace = aiohttp.TraceConfig()
        self.trace.on_request_end.append(self._ended)

    async def _ended(self, session: object, context: object, params: aiohttp.TraceRequestEndParams) -> None:
        if params.response.status == 429:
            scope = params.response.headers.get("X-RateLimit-Scope", "unknown")
            scope = scope if scope in ("user", "global", "shared") else "unknown"
            self.seen[scope] = self.seen.get(scope, 0) + 1


class BotCollector(Collector):
    def __init__(self, bot: BotView, rate_limits: DiscordRateLimits) -> None:
        self._bot = bot
        self._rate_limits = rate_limits
        self.queue_depth = 0  # refreshed from the ledger before each scrape (collectors cannot await)

    def collect(self) -> Iterator[Metric]:
        bot, jobs = self._bot, self._bot.jobs
        latency = GaugeMetricFamily(
            "mjbot_gateway_latency_seconds", "Discord gateway heartbeat latency, by shard", labels=["shard"]
        )
        latencies = bot.latencies if isinstance(bot, discord.AutoShardedClient) else [(0, bot.latency)]
        for shard, seconds in latencies:
            if math.isfinite(seconds):
                latency.add_metric([str(shard)], seconds)
        yield latency
        yield GaugeMetricFamily(
            "mjbot_gateway_connected", "1 while every gateway connection is open", value=float(gateway_connected(bot))
        )
        yield GaugeMetricFamily("mjbot_jobs_in_flight", "Jobs the API is working on, followed", value=jobs.following)
        yield GaugeMetricFamily(
            "mjbot_queue_depth", "Jobs waiting in the bot's queue, of this process's servers", value=self.queue_depth
        )
        yield CounterMetricFamily(
            "mjbot_status_polls", "Batched status requests for the jobs in flight (one per poll)", value=jobs.polls
        )
        yield GaugeMetricFamily(
            "mjbot_poll_interval_seconds", "Seconds between status polls (MJ_POLL_INTERVAL)", value=jobs.poll_interval
        )
        limited = CounterMetricFamily(
            "mjbot_discord_rate_limited", "Discord REST answers 429 Too Many Requests, by scope", labels=["scope"]
        )
        for scope, count in sorted(self._rate_limits.seen.items()):
            limited.add_metric([scope], count)
        yield limited


class MetricsEndpoint:
    def __init__(self, bot: BotView, rate_limits: DiscordRateLimits) -> None:
        self._bot = bot
        self._collector = BotCollector(bot, rate_limits)
        self._registry = CollectorRegistry()
        self._registry.register(self._collector)
        ProcessCollector(registry=self._registry)  # memory, CPU, open files of this process

    async def serve(self, request: web.Request) -> web.Response:
        try:
            self._collector.queue_depth = await asyncio.wait_for(self._queue_depth(), CHECK_TIMEOUT)
        except Exception as exc:  # the ledger is down: the other figures still matter, the last depth stands
            log.warning("metrics: the queue depth could not be read (%s)", type(exc).__name__)
        body = generate_latest(metrics.REGISTRY) + generate_latest(self._registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _queue_depth(self) -> int:
        jobs = self._bot.jobs
        marks, values = lifecycle.marks(lifecycle.WAITING)
        rows = await jobs.ledger.storage.fetch_all(
            f"SELECT guild_id, COUNT(*) FROM jobs WHERE status IN ({marks}) GROUP BY guild_id", values
        )
        return sum(int(row[1]) for row in rows if jobs.shards.owns(row[0]))
