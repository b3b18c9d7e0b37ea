"""Shared fixtures: the fake Discord, a simulator on loopback, a ledger on a temporary file or on a throwaway
PostgreSQL (a module sets `BACKENDS = ("sqlite", "postgres")` to run each of its tests on both)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from bot.core.ledger import Ledger
from bot.devtools.pg import ThrowawayPostgres
from bot.simulator.server import Simulator
from tests import helpers
from tests.fakes.discord_server import FakeDiscord
from tests.pg import start_postgres, truncated


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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    backends = getattr(metafunc.module, "BACKENDS", None)
    if backends and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", backends)


@pytest.fixture
def backend() -> str:
    """The ledger's database; "sqlite" unless the module lists `BACKENDS`."""
    return "sqlite"


@pytest.fixture(scope="session")
def postgres() -> Iterator[ThrowawayPostgres]:
    """One PostgreSQL for the session, started at the first test that needs it; a test fails if it cannot."""
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture
async def e2e_ledger(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """For e2e modules with `BACKENDS` (used with `pytest.mark.usefixtures("e2e_ledger")`): on "postgres" every
    bot the test starts shares an emptied PostgreSQL database instead of its SQLite file."""
    if backend == "postgres":
        helpers.E2E_DATABASE_URL = await truncated(request.getfixturevalue("postgres"))
    try:
        yield backend
    finally:
        helpers.E2E_DATABASE_URL = None


@pytest.fixture
async def ledger_at(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Where this test's ledger lives: a new SQLite file, or an emptied PostgreSQL database (its URL)."""
    if backend == "sqlite":
        return tmp_path / "ledger.sqlite3"
    return await truncated(request.getfixturevalue("postgres"))


@pytest.fixture
async def ledger(ledger_at: Path | str) -> AsyncIterator[Ledger]:
    led = await Ledger.open(ledger_at)
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
