"""Runs the real bot (discord.py, httpx, aiosqlite) against the fake Discord and the simulator."""

from __future__ import annotations

import asyncio
import contextlib
import io
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import discord
import yarl
from PIL import Image

from bot.client.app import MJBot, open_core, point_discord_at
from bot.settings import load_settings
from tests.fakes.discord_server import FakeDiscord, FakeFile, FakeInteraction, FakeMessage

TOKEN = "fake-bot-token-0123456789"


@contextlib.asynccontextmanager
async def running_bot(
    fake: FakeDiscord, api_base: str, database: Path, clock: Callable[[], float] = time.time, **env: str
) -> AsyncIterator[MJBot]:
    """A started, ready bot whose settings come from environment-style strings, as in production."""
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


def bot_messages(fake: FakeDiscord) -> list[FakeMessage]:
    """Public messages the bot posted in the test channel, oldest first."""
    return [m for m in fake.channel_messages() if m.author_id == fake.bot_user_id]


def labels(fake: FakeDiscord, message_id: int) -> list[str]:
    return [b.get("label") or (b.get("emoji") or {}).get("name", "") for b in fake.message_buttons(message_id)]


async def wait_final(fake: FakeDiscord, message_id: int, timeout: float = 15) -> FakeMessage:
    """Until the message shows a finished job: an attachment with buttons, or an error line."""

    def finished() -> bool:
        m = fake.messages.get(message_id)
        waiting_for_remix = m is not None and "Remix prompt" in str(m.components)
        return m is not None and ((bool(m.components) and not waiting_for_remix) or "❌" in m.content)

    await fake.wait_for(finished, timeout)
    return fake.messages[message_id]


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
