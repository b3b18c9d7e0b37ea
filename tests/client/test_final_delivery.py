"""A job's final state reaches its message however long Discord is in trouble, within the job's timeout."""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.client.app import MJBot
from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord, RecordedRequest
from tests.helpers import running_bot, wait_final

pytestmark = pytest.mark.e2e
MODULE = "cogs.generation.job_messages"
Trouble = Callable[[RecordedRequest], int | None]
OUTAGE = 12  # failed final edits: far more than the four tries delivery once gave up after


def fast_backoff(monkeypatch: pytest.MonkeyPatch, cap: float) -> None:
    """The same backoff in a test's time, in the module the next bot loads: unloading the feature drops
    its modules (discord.py), so an earlier test's import may be a stale copy."""
    module = importlib.import_module(MODULE)
    monkeypatch.setattr(module, "FINAL_RETRY_FIRST", 0.05)
    monkeypatch.setattr(module, "FINAL_RETRY_CAP", cap)


def final_edits_refused(refused: list[RecordedRequest], limit: int | None = None) -> Trouble:
    """Discord refusing the final edits (the ones with the result's buttons), the first `limit` or all: the
    interaction token gone, then the channel down."""

    def trouble(request: RecordedRequest) -> int | None:
        final = request.method == "PATCH" and "mj:job:" in json.dumps(request.json)
        if not final or (limit is not None and len(refused) >= limit):
            return None
        refused.append(request)
        return 404 if request.path.startswith("/webhooks/") else 503

    return trouble


async def delivered(bot: MJBot) -> None:
    """Until the ledger marks the result delivered (the mark follows the edit): not sent again at a restart."""
    for _ in range(50):
        if not await bot.jobs.ledger.undelivered():
            return
        await asyncio.sleep(0.1)
    assert await bot.jobs.ledger.undelivered() == []


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


async def test_the_final_edit_outlasts_a_long_discord_outage(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_backoff(monkeypatch, cap=0.1)
    refused: list[RecordedRequest] = []
    fake.trouble = final_edits_refused(refused, OUTAGE)
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        invocation = await fake.invoke_slash("imagine", {"prompt": "a lighthouse"})
        message = await wait_final(fake, invocation.response_message_id or 0, timeout=20)
        assert len(refused) == OUTAGE and any(r.path.startswith("/channels/") for r in refused)
        assert message.attachments and "mj:job:" in str(message.components)
        await delivered(bot)


async def test_given_up_at_the_job_timeout_and_delivered_at_the_next_start(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_backoff(monkeypatch, cap=0.2)
    refused: list[RecordedRequest] = []
    fake.trouble = final_edits_refused(refused)
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
        await delivered(bot)
