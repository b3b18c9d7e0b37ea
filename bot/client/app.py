"""The Discord client: wires the core to discord.py and runs it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import discord
import httpx
import yarl
from discord import app_commands
from discord.ext import commands

from bot.client.errors import answer_error
from bot.client.ops import DiscordRateLimits, Ops
from bot.client.replies import reply
from bot.client.startup import StartupError, check_api, log_in
from bot.client.translator import CommandTranslator
from bot.client.web import WebServer
from bot.core import logcontext, url_policy
from bot.core.accounts import Accounts
from bot.core.images import ImageFetcher
from bot.core.jobs import JobService
from bot.core.ledger import Ledger
from bot.core.metered_http import MeteredTransport
from bot.core.models import TaskSnapshot
from bot.core.preferences import Preferences
from bot.core.providers.base import Provider
from bot.core.providers.proxy import ProxyProvider, parse_task
from bot.core.push import PushEndpoint, push_secret
from bot.core.redact import register_secret
from bot.core.shards import NO_SERVER
from bot.core.storage import shown, storage_errors
from bot.core.text import Text
from bot.settings import FALLBACK, Settings
from bot.simulator.server import Simulator

log = logging.getLogger(__name__)

FEATURE_PACKAGE = "cogs"  # each feature is the extension `cogs.<name>`, loaded by name: bot/ imports no cog
ITEM_PREFIX = "mj:"  # every persistent item's custom_id starts so
SIMULATOR_BASE_SECONDS = 8.0
# A graceful stop (SIGTERM/SIGINT) waits this long at most for paid submits on their way; with the final
# edits in flight (`JobMessages.close`) and the closing of connections it stays within 10 s.
DRAIN_SECONDS = 5.0


class ContextTree(app_commands.CommandTree):
    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        logcontext.bind(interaction.guild_id, interaction.user.id)  # named in this interaction's JSON log lines
        return True


class MJBot(commands.Bot):
    def __init__(self, settings: Settings, jobs: JobService, fetcher: ImageFetcher, **options: Any) -> None:
        rate_limits = DiscordRateLimits()
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            http_trace=rate_limits.trace,
            tree_cls=ContextTree,
            max_messages=None,  # the bot reads no message events: a cache of 1,000 messages would be ~5 MB for nothing
            **options,
        )
        self.settings = settings
        self.jobs = jobs
        self.fetcher = fetcher
        self.preferences = Preferences(jobs.ledger)
        self.web = WebServer(settings.ops_host, settings.ops_port) if settings.ops_port is not None else None
        self._item_patterns: dict[type, re.Pattern[str]] = {}  # every DynamicItem the loaded features handle
        self.ops = Ops(self, rate_limits)
        self._serving = False
        self.tree.error(self._on_app_command_error)
        self._stopping: asyncio.Task[None] | None = None

    async def login(self, token: str) -> None:
        if self.web is not None and not self._serving:  # the probes answer while Discord does not
            try:
                await self.web.serve_early(self.ops.early_app())
            except OSError as exc:
                where = f"OPS_HOST={self.settings.ops_host} OPS_PORT={self.settings.ops_port}"
                raise StartupError(f"the web server cannot listen on {where} ({exc.strerror or exc})") from None
            self._serving = True
        await super().login(token)

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CommandTranslator())
        await self.preferences.load()  # /imagine reads them from memory, before it answers
        if self.web is not None:
            self.ops.mount(self.web.app)
        for feature in self.settings.features:
            await self.load_extension(f"{FEATURE_PACKAGE}.{feature}")
        if self.web is not None:  # after the features, which mount their routes on it
            await self.web.start()
        # Resumes jobs left in flight by a previous run; their messages are edited through the channel.
        await self.jobs.start()
        if self.settings.discord_guild_id:
            guild = discord.Object(self.settings.discord_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()

    def feature_on(self, feature: str) -> bool:
        return f"{FEATURE_PACKAGE}.{feature}" in self.extensions

    def add_dynamic_items(self, *items: type[discord.ui.DynamicItem[Any]]) -> None:
        super().add_dynamic_items(*items)
        self._item_patterns.update((item, item.__discord_ui_compiled_template__) for item in items)

    def remove_dynamic_items(self, *items: type[discord.ui.DynamicItem[Any]]) -> None:
        super().remove_dynamic_items(*items)
        for item in items:
            self._item_patterns.pop(item, None)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A button or menu of a feature that is not loaded (turned off) is answered, not left to fail."""
        if interaction.type is not discord.InteractionType.component:
            return
        custom_id = str(dict(interaction.data or {}).get("custom_id", ""))
        if not custom_id.startswith(ITEM_PREFIX) or interaction.response.is_done():
            return
        if any(pattern.fullmatch(custom_id) for pattern in self._item_patterns.values()):
            return
        log.info("a press of %s, whose feature is not loaded, was answered as turned off", custom_id)
        await reply(interaction, Text("feature-off"))

    async def on_shard_ready(self, shard_id: int) -> None:
        log.info("shard %d of %s is ready", shard_id, self.shard_count)

    async def on_ready(self) -> None:
        log.info("connected as %s (%s) to %d server(s)", self.user, getattr(self.user, "id", "?"), len(self.guilds))

    def stop_gracefully(self) -> None:
        """SIGTERM/SIGINT: take no new work, let every paid submit reach the ledger, then close (once)."""
        if self._stopping is None:
            self._stopping = asyncio.create_task(self._stop_gracefully(), name="graceful-stop")

    async def _stop_gracefully(self) -> None:
        began = time.monotonic()
        log.info("stopping: no new jobs; paid submits on their way get up to %.0f s", DRAIN_SECONDS)
        if not await self.jobs.drain(DRAIN_SECONDS):
            log.warning("stopping with paid submits still on their way: the next start finds them upstream")
        await self.close()
        log.info("stopped in %.1f s; unfinished jobs resume at the next start", time.monotonic() - began)

    async def close(self) -> None:
        await self.jobs.stop()
        # discord.py leaves the wait for the servers running, which then dispatches `ready` into the closed
        # client (a traceback when the bot is stopped within seconds of starting).
        ready = getattr(self._connection, "_ready_task", None)
        if ready is not None:
            ready.cancel()
        if self.web is not None:
            await self.web.stop()
        await super().close()  # unloads the features, which stop their work

    async def _on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CheckFailure) and interaction.response.is_done():
            return  # the check already told the member why
        cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        await answer_error(interaction, cause, f"command /{interaction.command and interaction.command.qualified_name}")


class ShardedMJBot(MJBot, commands.AutoShardedBot):
    """The same bot on shards `SHARD_IDS` of `SHARD_COUNT` (one gateway connection each)."""


def build_bot(settings: Settings, jobs: JobService, fetcher: ImageFetcher, **options: Any) -> MJBot:
    """The bot as the settings ask: unsharded as always, or the shards this process runs."""
    if settings.shard_count is None:
        return MJBot(settings, jobs, fetcher, **options)
    shards = settings.shards
    log.info("running shard(s) %s", shards.tag)
    return ShardedMJBot(settings, jobs, fetcher, shard_count=shards.count, shard_ids=sorted(shards.ids), **options)


def point_discord_at(settings: Settings) -> None:
    """discord.py reads both URLs from class attributes; Discord-compatible servers and tests set them."""
    discord.http.Route.BASE = settings.discord_api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


@contextlib.asynccontextmanager
async def open_core(
    settings: Settings, *, clock: Callable[[], float] = time.time, operator: bool = False
) -> AsyncIterator[tuple[JobService, ImageFetcher]]:
    """The core's resources, for as long as the bot runs: HTTP client, provider, ledger, job service.

    `operator`: for a command that runs one job of its own beside a running bot (`mjbot imagine`): it
    owns no server's jobs (never starts the bot's queue) and takes no pushes (the bot's endpoint does)."""
    timeout = httpx.Timeout(60.0, connect=10.0)
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=10)
    async with contextlib.AsyncExitStack() as stack:
        base_url = settings.mj_api_base
        if settings.mj_provider == "simulator":
            simulator = Simulator(duration=SIMULATOR_BASE_SECONDS / settings.simulator_speed)
            base_url = await simulator.start()
            stack.push_async_callback(simulator.stop)
            log.info("no image API configured: using the built-in simulator at %s", base_url)

        # The API's calls carry its key (and are metered: latency and errors); the links it gives are fetched
        # by a client that never has it.
        def metered_api(base: str, pool: httpx.Limits) -> httpx.AsyncClient:
            return url_policy.api_client(base, timeout, pool, lambda inner: MeteredTransport(inner, base))

        http = await stack.enter_async_context(metered_api(base_url, limits))
        fallback_base = settings.mj_fallback_api_base if settings.mj_fallback_provider else ""
        policy = await url_policy.AddressPolicy.for_api(base_url, fallback_base)
        downloads = await stack.enter_async_context(url_policy.download_client(policy, timeout, limits))
        hook_url = None
        secret = push_secret(settings.discord_token.get_secret_value())
        dialect = "acedata" if settings.mj_provider == "acedata" else "mj"
        public_url = None if operator else settings.webhook_public_url
        if public_url:
            hook_url = f"{public_url.rstrip('/')}/{dialect}/{secret}"
        for value in settings.secrets:  # masked wherever an API echoes them, not only in logs
            register_secret(value)
        # AceData's streams hold a connection for a whole job: their own pool, never the shared one.
        stream_limits = httpx.Limits(max_connections=max(1, settings.acedata_max_streams))
        streams = await stack.enter_async_context(metered_api(base_url, stream_limits))
        provider = build_provider(settings, http, base_url, hook_url, streams)
        fallbacks = []
        if settings.mj_fallback_provider:  # its calls carry its own key: a client kept on its own origin
            fallback_http = await stack.enter_async_context(metered_api(fallback_base, limits))
            # AceData's streams: a pool of their own
            fallback_streams = await stack.enter_async_context(metered_api(fallback_base, stream_limits))
            fallbacks.append(build_fallback(settings, fallback_http, fallback_streams))
        images = ImageFetcher(downloads)
        try:
            ledger = await Ledger.open(settings.database, pool_size=settings.database_pool_size)
        except Exception as exc:
            if not isinstance(exc, (OSError, *storage_errors())):  # asyncpg's, only once Ledger.open imported it
                raise
            setting = "DATABASE_URL" if settings.database_url is not None else "DATABASE_PATH"
            raise StartupError(f"cannot open the ledger at {setting}={shown(settings.database)} ({exc})") from None
        stack.push_async_callback(ledger.close)
        log.info("ledger: %s (%s)", shown(settings.database), ledger.storage.backend)
        jobs = JobService(
            ledger,
            provider,
            poll_interval=settings.mj_poll_interval,
            job_timeout=settings.job_timeout,
            remix_timeout=settings.remix_timeout,
            accounts=Accounts(ledger, settings.quota_defaults, clock),
            images=images,
            shards=NO_SERVER if operator else settings.shards,
            fallbacks=fallbacks,
            provider_cooldown=settings.provider_cooldown,
        )
        stack.push_async_callback(jobs.stop)
        if public_url:
            endpoint = PushEndpoint(jobs, push_parser(settings.mj_provider), secret=secret, dialect=dialect)
            await endpoint.start(settings.webhook_host, settings.webhook_port)
            stack.push_async_callback(endpoint.stop)
        yield jobs, images


def push_parser(provider: str) -> Callable[[object], TaskSnapshot | None]:
    if provider == "acedata":
        from bot.core.providers.acedata import parse_callback

        return parse_callback
    return parse_task


def build_provider(
    settings: Settings,
    http: httpx.AsyncClient,
    base_url: str,
    hook_url: str | None,
    streams: httpx.AsyncClient | None = None,
    *,
    dialect: str | None = None,
    api_key: str | None = None,
    auth_style: str | None = None,
) -> Provider:
    """The image API the settings name; `dialect`, `api_key` and `auth_style` given: the second one's."""
    key = settings.mj_api_key.get_secret_value() if api_key is None else api_key
    if (dialect or settings.mj_provider) == "acedata":
        from bot.core.providers.acedata import AceDataProvider

        return AceDataProvider(
            http,
            base_url,
            api_key=key,
            callback_url=hook_url,
            mode=settings.mj_mode,
            max_streams=settings.acedata_max_streams,
            stream_client=streams,
        )
    return ProxyProvider(
        http,
        base_url,
        api_key=key,
        auth_style=auth_style or settings.mj_auth_header,
        notify_hook=hook_url,
        mode_in_path=settings.mj_mode_in_path,
        edits=settings.mj_edits,
    )


def build_fallback(settings: Settings, http: httpx.AsyncClient, streams: httpx.AsyncClient) -> Provider:
    """The second API (MJ_FALLBACK_*), named `fallback` in the ledger; it is polled, never pushed to (the push
    endpoint speaks the first one's dialect)."""
    provider = build_provider(
        settings,
        http,
        settings.mj_fallback_api_base,
        None,
        streams,
        dialect=settings.mj_fallback_provider,
        api_key=settings.mj_fallback_api_key.get_secret_value(),
        auth_style=settings.mj_fallback_auth_header,
    )
    provider.name = FALLBACK
    return provider


async def run_bot(settings: Settings) -> None:
    """Run until stopped. Raises `StartupError` (one line, no traceback) when the bot cannot start."""
    point_discord_at(settings)
    async with open_core(settings) as (jobs, fetcher):
        await check_api(jobs.provider, settings.mj_api_base or "the built-in simulator")
        bot = build_bot(settings, jobs, fetcher)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, bot.stop_gracefully)
        async with bot:
            token = settings.discord_token.get_secret_value()
            await log_in(bot, token, settings.discord_api_base, settings.startup_retry_seconds)
            if not bot.is_closed():  # else stopped while it was still trying to reach Discord
                await bot.connect()
