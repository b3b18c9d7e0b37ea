"""`python -m bot` as a real process, configured only by environment variables, killed and restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord
from tests.helpers import API_KEY, ROOT, TOKEN, bot_env, bot_messages, labels, start_bot, wait_final

pytestmark = pytest.mark.e2e


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator(duration=2.0, api_key=API_KEY)
    await simulator.start()
    yield simulator
    await simulator.stop()


async def test_python_m_bot_survives_kill_and_completes_imagine_u1(sim: Simulator, tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        env = bot_env(
            fake,
            MJ_PROVIDER="proxy",
            MJ_API_BASE=sim.base_url + "/v1",  # a reseller-style prefix
            MJ_API_KEY=API_KEY,
            DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
            PROGRESS_EDIT_INTERVAL="0.4",
        )
        log = tmp_path / "bot.log"

        first = await start_bot(env, log)
        try:
            await fake.wait_ready(timeout=30)
            await fake.wait_for(lambda: bool(fake.commands), 10)
            grid_id = (await fake.invoke_slash("imagine", {"prompt": "a paper boat"})).response_message_id
            # Killed without warning once the job shows progress.
            await fake.wait_for(lambda: "%)" in fake.messages[grid_id].content, 15)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()

        second = await start_bot(env, log)
        try:
            grid = await wait_final(fake, grid_id, timeout=30)
            assert grid.attachments and labels(fake, grid_id)[:5] == ["U1", "U2", "U3", "U4", "🔄"]

            await fake.click(grid_id, fake.message_buttons(grid_id)[0]["custom_id"])
            await fake.wait_for(lambda: len(bot_messages(fake)) == 2, 10)
            upscale = await wait_final(fake, bot_messages(fake)[1].id, timeout=30)
            assert "Image #1" in upscale.content and upscale.attachments
            assert "Upscale (Subtle)" in labels(fake, upscale.id)
        finally:
            second.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(second.wait(), 20)
        assert code == 0, log.read_text()[-3000:]

    output = log.read_text()
    assert "resuming job 1" in output
    assert API_KEY not in output and TOKEN not in output
    assert "Traceback" not in output, output[-3000:]


async def test_defaults_need_only_a_token_and_simulate_serves_standalone(tmp_path: Path) -> None:
    """The README's run command: no API settings at all, so the built-in simulator is used."""
    async with FakeDiscord() as fake:
        proc = await start_bot(bot_env(fake, SIMULATOR_SPEED="8"), tmp_path / "bot.log")
        try:
            await fake.wait_ready(timeout=30)
            await fake.wait_for(lambda: bool(fake.commands), 10)
            msg_id = (await fake.invoke_slash("imagine", {"prompt": "a teapot"})).response_message_id
            grid = await wait_final(fake, msg_id, timeout=30)
            assert grid.attachments and len(labels(fake, msg_id)) == 11  # nine of the API, ✉️ and ⭐ of the bot
        finally:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), 20)
        assert (tmp_path / "data" / "bot.sqlite3").exists()  # the default DATABASE_PATH

    # `python -m bot simulate --port N` on its own, driven by the real client.
    import socket

    import httpx

    from bot.core.models import ImagineRequest
    from bot.core.providers.proxy import ProxyProvider

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sim = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "simulate",
        "--port",
        str(port),
        "--duration",
        "0.5",
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert sim.stdout is not None
        line = await asyncio.wait_for(sim.stdout.readline(), 20)
        assert f"127.0.0.1:{port}" in line.decode()
        async with httpx.AsyncClient() as http:
            provider = ProxyProvider(http, f"http://127.0.0.1:{port}")
            task = await provider.imagine(ImagineRequest("standalone"))
            await asyncio.sleep(0.7)
            snap = (await provider.fetch_many([task.task_id]))[task.task_id]
            assert snap.status.value == "succeeded" and len(snap.buttons) == 9
    finally:
        sim.terminate()
        await sim.wait()
