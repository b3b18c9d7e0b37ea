"""Shared fixtures: the fake Discord, a simulator on loopback, a ledger on a temporary file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.core.ledger import Ledger
from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord


@pytest.fixture
async def simulator(request: pytest.FixtureRequest) -> AsyncIterator[Simulator]:
    """The API simulator on loopback; a module sets `SIMULATOR_DURATION` for slower jobs."""
    sim = Simulator(duration=getattr(request.module, "SIMULATOR_DURATION", 0.6))
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
async def ledger(tmp_path: Path) -> AsyncIterator[Ledger]:
    led = await Ledger.open(tmp_path / "ledger.sqlite3")
    yield led
    await led.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """The fake Discord, its channel bucket roomier than Discord's: tests start many jobs in one channel.

    A module that needs Discord's own limits defines its own `fake`."""
    async with FakeDiscord(channel_edit_limit=(50, 1.0)) as server:
        yield server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that runs the bot against the fake Discord is `e2e`: by the `fake` fixture here, or by a
    module's own `pytestmark` where it starts the bot as a process."""
    for item in items:
        if "fake" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)
