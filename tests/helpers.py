"""Test helpers: the real bot (discord.py, httpx, aiosqlite) in this process or as `python -m bot`
against the fake Discord and the simulator, reading what it shows, and what the job service publishes."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import discord
import yarl
from PIL import Image

from bot.client.app import MJBot, open_core, point_discord_at
from bot.core import requests
from bot.core.accounts import Accounts
from bot.core.jobs import JobService
from bot.core.ledger import Ledger
from bot.core.models import BlendRequest, ImagineRequest, Job, JobAction, Requester
from bot.core.providers.base import Provider
from bot.core.quota import Defaults
from bot.core.requests import ActionRequest, JobRequest, RegionRequest
from bot.settings import load_settings
from tests.fakes.discord_server import GUILD_ID, FakeDiscord, FakeFile, FakeInteraction, FakeMessage

TOKEN = "fake-bot-token-0123456789"
ROOT = Path(__file__).resolve().parents[1]
API_KEY = "sk-subprocess-secret-77"  # the simulator's key for bots run as a process


# Set by the `e2e_ledger` fixture for modules that run their bots on both backends: the PostgreSQL database
# the bots of the current test share instead of the SQLite file they are given (one test at a time per worker).
E2E_DATABASE_URL: str | None = None


@contextlib.asynccontextmanager
async def running_bot(
    fake: FakeDiscord, api_base: str, database: Path, clock: Callable[[], float] = time.time, **env: str
) -> AsyncIterator[MJBot]:
    """A started, ready bot whose settings come from environment-style strings, as in production."""
    if E2E_DATABASE_URL is not None:
        env.setdefault("DATABASE_URL", E2E_DATABASE_URL)
    settings = load_settings(
        {
            "DISCORD_TOKEN": TOKEN,
            "DISCORD_API_BASE": fake.api_base,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            "MJ_PROVIDER": "proxy",
            "MJ_API_BASE": api_base,
            "DATABASE_PATH": str(database),
            "MJ_POLL_INTERVAL": "0.1",
            "PROGRESS_EDIT_INTERVAL": "0.3",
            **env,
        }
    )
    saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    point_discord_at(settings)
    try:
        async with open_core(settings, clock=clock) as (jobs, fetcher):
            bot = MJBot(settings, jobs, fetcher, guild_ready_timeout=0.05)
            runner = asyncio.create_task(bot.start(settings.discord_token.get_secret_value()))
            try:
                await fake.wait_ready()
                await asyncio.wait_for(bot.wait_until_ready(), 10)
                yield bot
            finally:
                await bot.close()
                with contextlib.suppress(asyncio.CancelledError):
                    await runner
    finally:
        discord.http.Route.BASE = saved[0]
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = (
            saved[1] if saved[1] else yarl.URL("wss://gateway.discord.gg/")
        )


def guild_on_shard(shard: int, count: int, near: int = GUILD_ID) -> int:
    """A server id from `near` on that Discord puts on `shard` of `count` (`(id >> 22) % count`)."""
    return next(g for g in range(near, near + (count << 22), 1 << 22) if (g >> 22) % count == shard)


def bot_messages(fake: FakeDiscord) -> list[FakeMessage]:
    """Public messages the bot posted in the test channel, oldest first."""
    return [m for m in fake.channel_messages() if m.author_id == fake.bot_user_id]


def assert_no_pings(fake: FakeDiscord) -> None:
    """Every message the bot wrote (created or edited) allowed no mentions."""
    for request in fake.requests:
        body = request.json or {}
        data = body.get("data", body) if isinstance(body, dict) else {}
        if request.method in ("POST", "PATCH") and isinstance(data, dict) and "content" in data:
            assert data.get("allowed_mentions", {}).get("parse") == [], (request.method, request.path)


def labels(fake: FakeDiscord, message_id: int) -> list[str]:
    return [b.get("label") or (b.get("emoji") or {}).get("name", "") for b in fake.message_buttons(message_id)]


async def wait_final(fake: FakeDiscord, message_id: int, timeout: float = 15) -> FakeMessage:
    """Until the message shows a finished job: its buttons (no Cancel any more), or an error or cancel line."""

    def finished() -> bool:
        m = fake.messages.get(message_id)
        if m is None:
            return False
        ended = "❌" in m.content or "🚫" in m.content
        return ended or (bool(m.components) and "mj:cancel:" not in str(m.components))

    await fake.wait_for(finished, timeout)
    return fake.messages[message_id]


async def imagined(fake: FakeDiscord, prompt: str, user_id: int | None = None) -> int:
    """An /imagine by `user_id` (default: the test member), once its grid is finished; its message id."""
    message_id = (await fake.invoke_slash("imagine", {"prompt": prompt}, user_id=user_id)).response_message_id
    assert message_id is not None
    await wait_final(fake, message_id)
    return message_id


async def job_message_id(fake: FakeDiscord, invocation: FakeInteraction, timeout: float = 10) -> int:
    """The public message of a job started by a command.

    Without files the answer to the command is that message; with files the command is answered
    privately while the bytes are checked, and that answer links the job's message in the channel.
    """
    answer = invocation.response_message_id
    assert answer is not None
    if not fake.messages[answer].ephemeral:
        return answer
    await fake.wait_for(lambda: "/channels/" in fake.messages[answer].content, timeout)
    return int(fake.messages[answer].content.rsplit("/", 1)[1])


def png(color: str = "red", size: tuple[int, int] = (64, 48)) -> FakeFile:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return FakeFile(f"{color}.png", out.getvalue(), "image/png")


def button(fake: FakeDiscord, message_id: int, name: str) -> str:
    for b in fake.message_buttons(message_id):
        if name in (b.get("label"), (b.get("emoji") or {}).get("name")):
            return str(b["custom_id"])
    raise AssertionError(f"no button {name!r} on message {message_id}: {labels(fake, message_id)}")


async def grid_then_upscale(fake: FakeDiscord, prompt: str = "a glass whale") -> tuple[int, int]:
    grid_id = (await fake.invoke_slash("imagine", {"prompt": prompt})).response_message_id
    assert grid_id is not None
    await wait_final(fake, grid_id)
    await fake.click(grid_id, button(fake, grid_id, "U1"))
    await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
    upscale = await wait_final(fake, bot_messages(fake)[1].id)
    return grid_id, upscale.id


def free_port() -> int:
    """A port nothing listens on (bound for a moment, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_env(fake: FakeDiscord, **settings: str) -> dict[str, str]:
    """This process's environment without any bot setting, plus the fake Discord and `settings`."""
    prefixes = ("MJ_", "DISCORD_", "DATABASE_", "SIMULATOR_", "QUOTA_", "SHARD_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(
        PYTHONPATH=str(ROOT),
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        MJ_POLL_INTERVAL="0.2",
    )
    return env | settings


async def start_bot(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=log.parent, env=env, stdout=log.open("ab"), stderr=asyncio.subprocess.STDOUT
    )


class Recorder:
    """A job service listener that keeps every state published and tells when a job ended."""

    def __init__(self) -> None:
        self.updates: list[Job] = []
        self.finished: dict[int, asyncio.Event] = {}

    async def __call__(self, job: Job) -> None:
        self.updates.append(job)
        if job.status.finished:
            self.finished.setdefault(job.id, asyncio.Event()).set()

    async def wait(self, job_id: int, timeout: float = 10) -> Job:
        await asyncio.wait_for(self.finished.setdefault(job_id, asyncio.Event()).wait(), timeout)
        return [u for u in self.updates if u.id == job_id][-1]


# -- the job service on its production path, without Discord -----------------------------------------
TESTER = Requester(user_id=1, guild_id=2, channel_id=3)
NO_LIMITS = Defaults(daily_credits=0, user_running=0, user_waiting=0, server_running=0)


def job_service(ledger: Ledger, provider: Provider, **options: float) -> JobService:
    """A job service with the accounts every production job goes through (limits lifted)."""
    return JobService(ledger, provider, accounts=Accounts(ledger, NO_LIMITS), **options)  # type: ignore[arg-type]


async def record_job(
    service: JobService, request: JobRequest, *, message_id: int, parent: Job | None = None, who: Requester = TESTER
) -> Job:
    """Charged and recorded with its request, as the Discord flows record a job; not yet submitted."""
    assert service.accounts is not None
    if isinstance(request, ActionRequest | RegionRequest):
        assert parent is not None
        found = service.button(parent, request.index)
        assert found is not None, f"no button {request.index} on job {parent.id}"
        action, prompt, index = found[1].action, parent.prompt, request.index
    else:
        action = JobAction.BLEND if isinstance(request, BlendRequest) else JobAction.IMAGINE
        prompt, index = (request.prompt if isinstance(request, ImagineRequest) else "blend"), None
    return await service.accounts.open_job(
        who,
        [],
        request=requests.encode(request),
        provider=service.provider.name,
        action=action,
        prompt=prompt,
        message_id=message_id,
        parent_id=parent.id if parent else None,
        parent_button=index,
    )


async def start_job(
    service: JobService, request: JobRequest, *, message_id: int, parent: Job | None = None, who: Requester = TESTER
) -> Job:
    """Recorded and begun, as after a member's command or press."""
    return await service.begin(await record_job(service, request, message_id=message_id, parent=parent, who=who))
