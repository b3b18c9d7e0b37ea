"""The ledger on both backends: migrations, WAL, rows that survive a reopen, atomic transactions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.ledger import Ledger
from bot.core.lifecycle import UNFINISHED
from bot.core.migrations import latest
from bot.core.models import JobAction, JobStatus, Requester, UpstreamButton
from bot.core.storage.sqlite import SqliteStorage
from bot.core.text import Text

BACKENDS = ("sqlite", "postgres")
ALICE = Requester(user_id=11, guild_id=22, channel_id=33)


async def test_schema_is_versioned_and_wal(ledger: Ledger, backend: str) -> None:
    assert ledger.storage.backend == backend
    assert await ledger.schema_version() == latest(ledger.storage.backend)
    if isinstance(ledger.storage, SqliteStorage):
        assert await ledger.storage.journal_mode() == "wal"


async def test_job_round_trip_survives_reopen(ledger_at: Path | str) -> None:
    path = ledger_at
    first = await Ledger.open(path)
    parent = await first.create_job(ALICE, provider="proxy", action=JobAction.IMAGINE, prompt="a fox", message_id=5)
    buttons = [UpstreamButton("MJ::JOB::upsample::1::h", "U1"), UpstreamButton("MJ::JOB::reroll::0::h::SOLO", "", "🔄")]
    await first.transition(
        parent.id, JobStatus.SUCCEEDED, upstream_task_id="T1", image_url="https://x/1.png", buttons=buttons
    )
    child = await first.create_job(
        ALICE,
        provider="proxy",
        action=JobAction.UPSCALE,
        prompt="a fox",
        title=Text("title-image", n=1),
        parent_id=parent.id,
        parent_button=0,
    )
    await first.close()

    again = await Ledger.open(path)
    try:
        stored = await again.get(parent.id)
        assert stored is not None
        assert (stored.user_id, stored.guild_id, stored.channel_id, stored.message_id) == (11, 22, 33, 5)
        assert stored.upstream_task_id == "T1" and stored.status is JobStatus.SUCCEEDED
        assert stored.buttons == buttons
        kid = await again.get(child.id)
        assert (
            kid is not None
            and kid.parent_id == parent.id
            and kid.parent_button == 0
            and kid.title == Text("title-image", n=1)
        )
        assert [j.id for j in await again.jobs_with_status(UNFINISHED)] == [child.id]
        assert await again.schema_version() == latest(again.storage.backend)  # no migration runs twice
    finally:
        await again.close()


async def test_undelivered_lists_finished_jobs_not_yet_shown(ledger: Ledger) -> None:
    job = await ledger.create_job(ALICE, provider="proxy", action=JobAction.IMAGINE, prompt="x", message_id=9)
    await ledger.transition(job.id, JobStatus.FAILED, error="boom")
    assert [j.id for j in await ledger.undelivered()] == [job.id]
    await ledger.update(job.id, delivered=True)
    assert await ledger.undelivered() == []


async def test_failed_transaction_leaves_nothing(ledger: Ledger) -> None:
    with pytest.raises(RuntimeError):
        async with ledger.transaction() as db:
            await db.execute(
                "INSERT INTO jobs (user_id, channel_id, provider, action, prompt, status, created_at, updated_at)"
                " VALUES (1, 1, 'p', 'imagine', 'x', 'queued', 0, 0)"
            )
            raise RuntimeError("crash mid-transaction")
    assert await ledger.jobs_with_status(UNFINISHED) == []


async def test_update_refuses_unknown_columns(ledger: Ledger) -> None:
    job = await ledger.create_job(ALICE, provider="proxy", action=JobAction.IMAGINE, prompt="x")
    with pytest.raises(ValueError):
        await ledger.update(job.id, user_id=5)


async def test_concurrent_writers_take_turns(ledger: Ledger) -> None:
    """Many coroutines on one connection: no nested transaction, no write lost."""
    import asyncio

    async def writer(i: int) -> None:
        job = await ledger.create_job(ALICE, provider="proxy", action=JobAction.IMAGINE, prompt=f"p{i}")
        await ledger.transition(job.id, JobStatus.RUNNING, progress=i)

    await asyncio.gather(*(writer(i) for i in range(40)))
    running = await ledger.jobs_with_status([JobStatus.RUNNING])
    assert sorted(j.progress for j in running) == list(range(40))
