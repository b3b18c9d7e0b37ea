"""A job's final state reaches its message however long Discord is in trouble, within the job's timeout."""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord, RecordedRequest
from tests.helpers import running_bot, wait_final

pytestmark = pytest.mark.e2e
MODULE = "bot.client.generation.job_messages"
OUTAGE = 12  # failed final edits: far more than the four tries delivery once gave up after


def fast_backoff(monkeypatch: pytest.MonkeyPatch, cap: float) -> None:
    """The same backoff in a test's time, in the module the next bot loads: unloading the feature drops
    its modules (discord.py), so an earlier test's import may be a stale copy."""
    module = importlib.import_module(MODULE)
    monkeypatch.setattr(module, "FINAL_RETRY_FIRST", 0.05)
    monkeypatch.setattr(module, "FINAL_RETRY_CAP", cap)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


async def test_the_final_edit_outlasts_a_long_discord_outage(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_backoff(monkeypatch, cap=0.1)
    refused: list[str] = []

    def trouble(request: RecordedRequest) -> int | None:
        final = request.method == "PATCH" and "mj:job:" in json.dumps(request.json)  # the result's buttons
        if not final or len(refused) >= OUTAGE:
            return None
        refused.append(request.path)
        return 404 if request.path.startswith("/webhooks/") else 503  # the token gone, then the channel down

    fake.trouble = trouble
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        invocation = await fake.invoke_slash("imagine", {"prompt": "a lighthouse"})
        message = await wait_final(fake, invocation.response_message_id or 0, timeout=20)
        assert len(refused) == OUTAGE and any(p.startswith("/channels/") for p in refused)
        assert message.attachments and "mj:job:" in str(message.components)
        for _ in range(50):  # the mark follows the edit
            if not await bot.jobs.ledger.undelivered():
                break
            await asyncio.sleep(0.1)
        assert await bot.jobs.ledger.undelivered() == []  # recorded as delivered: not sent again at a restart


async def test_given_up_at_the_job_timeout_and_delivered_at_the_next_start(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_backoff(monkeypatch, cap=0.2)
    refused: list[float] = []

    def down(request: RecordedRequest) -> int | None:
        if request.method == "PATCH" and "mj:job:" in json.dumps(request.json):
            refused.append(request.time)
            return 404 if request.path.startswith("/webhooks/") else 503
        return None

    fake.trouble = down
    database = tmp_path / "db.sqlite3"
    async with running_bot(fake, simulator.base_url, database, JOB_TIMEOUT="2") as bot:
        invocation = await fake.invoke_slash("imagine", {"prompt": "a lighthouse"})
        await fake.wait_for(lambda: len(refused) >= 3, 10)
        job = (await bot.jobs.ledger.jobs_where("message_id = ?", (invocation.response_message_id,)))[0]
        await asyncio.sleep(2.5)  # past the job's timeout: delivery has given up, the job is still a success
        tries = len(refused)
        await asyncio.sleep(0.5)
        assert len(refused) == tries and tries >= 5  # given up, after many tries, not after four
        assert [j.id for j in await bot.jobs.ledger.undelivered()] == [job.id]
    fake.trouble = None
    async with running_bot(fake, simulator.base_url, database, JOB_TIMEOUT="2") as bot:
        message = await wait_final(fake, invocation.response_message_id or 0, timeout=10)
        assert message.attachments and "mj:job:" in str(message.components)
        for _ in range(50):
            if not await bot.jobs.ledger.undelivered():
                break
            await asyncio.sleep(0.1)
        assert await bot.jobs.ledger.undelivered() == []
