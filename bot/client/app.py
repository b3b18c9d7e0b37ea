"""The Discord client: wires the core to discord.py and runs it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import discord
import httpx
import yarl
from discord import app_commands
from discord.ext import commands

from bot.client.errors import answer_error
from bot.client.startup import StartupError, check_api, log_in
from bot.client.translator import CommandTranslator
from bot.core.accounts import Accounts
from bot.core.images import ImageFetcher
from bot.core.jobs import JobService
from bot.core.ledger import Ledger
from bot.core.models import TaskSnapshot
from bot.core.preferences import Preferences
from bot.core.providers.base import Provider
from bot.core.providers.proxy import ProxyProvider, parse_task
from bot.core.push import PushEndpoint, push_secret
from bot.core.redact import register_secret
from bot.core.storage import shown
from bot.settings import FALLBACK, Settings
from bot.simulator.server import Simulator

log = logging.getLogger(__name__)

EXTENSIONS = ("bot.client.generation", "bot.client.credits", "bot.client.preferences")  # the features, each a package
SIMULATOR_BASE_SECONDS = 8.0


class MJBot(commands.Bot):
    def __init__(self, settings: Settings, jobs: JobService, fetcher: ImageFetcher, **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,
        )
        self.settings = settings
        self.jobs = jobs
        self.fetcher = fetcher
        self.preferences = Preferences(jobs.ledger)
        self.tree.error(self._on_app_command_error)

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CommandTranslator())
        await self.preferences.load()  # /imagine reads them from memory, before it answers
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        # Resumes jobs left in flight by a previous run; their messages are edited through the channel.
        await self.jobs.start()
        if self.settings.discord_guild_id:
            guild = discord.Object(self.settings.discord_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()

    async def on_shard_ready(self, shard_id: int) -> None:
        log.info("shard %d of %s is ready", shard_id, self.shard_count)

    async def on_ready(self) -> None:
        log.info("connected as %s (%s) to %d server(s)", self.user, getattr(self.user, "id", "?"), len(self.guilds))

    async def close(self) -> None:
        await self.jobs.stop()
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
    settings: Settings, *, clock: Callable[[], float] = time.time
) -> AsyncIterator[tuple[JobService, ImageFetcher]]:
    """The core's resources, for as long as the bot runs: HTTP client, provider, ledger, job service."""
    timeout = httpx.Timeout(60.0, connect=10.0)
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=10)
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=True))
        base_url = settings.mj_api_base
        if settings.mj_provider == "simulator":
            simulator = Simulator(duration=SIMULATOR_BASE_SECONDS / settings.simulator_speed)
            base_url = await simulator.start()
            stack.push_async_callback(simulator.stop)
            log.info("no image API configured: using the built-in simulator at %s", base_url)
        hook_url = None
        secret = push_secret(settings.discord_token.get_secret_value())
        dialect = "acedata" if settings.mj_provider == "acedata" else "mj"
        if settings.webhook_public_url:
            hook_url = f"{settings.webhook_public_url.rstrip('/')}/{dialect}/{secret}"
        for value in settings.secrets:  # masked wherever an API echoes them, not only in logs
            register_secret(value)
        # AceData's streams hold a connection for a whole job: their own pool, never the shared one.
        streams = await stack.enter_async_context(
            httpx.AsyncClient(
                timeout=timeout, limits=httpx.Limits(max_connections=max(1, settings.acedata_max_streams))
            )
        )
        provider = build_provider(settings, http, base_url, hook_url, streams)
        fallbacks = [build_fallback(settings, http, streams)] if settings.mj_fallback_provider else []
        images = ImageFetcher(http)
        try:
            ledger = await Ledger.open(settings.database, pool_size=settings.database_pool_size)
        except (OSError, sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
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
            shards=settings.shards,
            fallbacks=fallbacks,
            provider_cooldown=settings.provider_cooldown,
        )
        stack.push_async_callback(jobs.stop)
        if settings.webhook_public_url:
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
                loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
        async with bot:
            token = settings.discord_token.get_secret_value()
            await log_in(bot, token, settings.discord_api_base, settings.startup_retry_seconds)
            await bot.connect()
