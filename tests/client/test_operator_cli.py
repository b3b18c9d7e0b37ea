"""The operator's commands as they are run: `python -m bot doctor | ledger | imagine | action`."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord
from tests.helpers import API_KEY, TOKEN, bot_env

pytestmark = pytest.mark.e2e


async def mjbot(env: dict[str, str], *args: str, cwd: Path, timeout: float = 60) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode()


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator(duration=0.6, api_key=API_KEY)
    await simulator.start()
    yield simulator
    await simulator.stop()


async def test_doctor_passes_on_a_good_installation(sim: Simulator, tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        env = bot_env(fake, MJ_PROVIDER="proxy", MJ_API_BASE=sim.base_url, MJ_API_KEY=API_KEY,
                      DATABASE_PATH=str(tmp_path / "bot.sqlite3"))  # fmt: skip
        code, out = await mjbot(env, "doctor", cwd=tmp_path)
    assert code == 0, out
    for row in ("settings", "Discord token", "Discord application", "image API", "ledger"):
        assert row in out
    assert "FAIL" not in out and "all checks passed" in out
    assert "fake-bot" in out  # the bot's own name, from Discord
    assert API_KEY not in out and TOKEN not in out
    assert not (tmp_path / "bot.sqlite3").exists()  # the doctor changes nothing


async def test_doctor_names_what_failed(sim: Simulator, tmp_path: Path) -> None:
    async with FakeDiscord(accepted_token="another-token") as fake:
        env = bot_env(fake, MJ_PROVIDER="proxy", MJ_API_BASE=sim.base_url, MJ_API_KEY="sk-wrong-key-123456",
                      DATABASE_PATH=str(tmp_path / "bot.sqlite3"))  # fmt: skip
        code, out = await mjbot(env, "doctor", cwd=tmp_path)
    assert code == 1, out
    assert "failed: Discord token, image API" in out
    assert "sk-wrong-key-123456" not in out and TOKEN not in out


async def test_doctor_reports_a_bad_setting(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        env = bot_env(fake, MJ_POLL_INTERVAL="-1")
        code, out = await mjbot(env, "doctor", cwd=tmp_path)
    assert code == 1 and "MJ_POLL_INTERVAL" in out and "failed: settings" in out
