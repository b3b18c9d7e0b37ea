"""What the benchmarks share: the simulator in a process of its own (as a real API is) and the bot's settings."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from tests.fakes.discord_server import FakeDiscord
from tests.helpers import bot_env

ROOT = Path(__file__).resolve().parents[1]


def unlimited_env(fake: FakeDiscord, base: str, folder: Path, poll: float, **extra: str) -> dict[str, str]:
    """The bot's environment for a benchmark: the proxy dialect at `base`, no credit or slot limits, quiet logs."""
    return bot_env(
        fake,
        MJ_PROVIDER="proxy",
        MJ_API_BASE=base,
        MJ_POLL_INTERVAL=str(poll),
        PROGRESS_EDIT_INTERVAL="2",
        DATABASE_PATH=str(folder / "bench.sqlite3"),
        QUOTA_DAILY_CREDITS="0",
        QUOTA_USER_RUNNING="0",
        QUOTA_USER_WAITING="0",
        QUOTA_SERVER_RUNNING="0",
        LOG_LEVEL="warning",
        **extra,
    )


def add_members(fake: FakeDiscord, count: int) -> list[int]:
    """`count` members of the fake Discord's server (at least one), their user ids."""
    members = [1_400_000_000_000_000_000 + i for i in range(max(1, count))]
    for m in members:
        fake.add_user(m, f"member{m % 10000}")
    return members


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def simulator_process(job_seconds: float) -> AsyncIterator[str]:
    """`mjbot simulate` on a free port, its jobs taking `job_seconds`; yields its base URL once it answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    quiet = asyncio.subprocess.DEVNULL
    sim = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "simulate", "--port", str(port), "--duration", str(job_seconds),
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=quiet, stderr=quiet,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(100):
                with contextlib.suppress(httpx.HTTPError):
                    await http.get(f"{base}/sim/stats")
                    break
                await asyncio.sleep(0.1)
        yield base
    finally:
        sim.send_signal(signal.SIGTERM)
        await sim.wait()
