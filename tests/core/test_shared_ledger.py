"""Two processes on one ledger (two `Ledger`s: two pools, or two SQLite connections): charges, server-wide
limits, refunds and status moves stay exact when both act on the same member, server and job at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.accounts import Accounts, Refusal
from bot.core.ledger import Ledger
from bot.core.lifecycle import IllegalTransition
from bot.core.models import Job, JobAction, JobStatus, Requester
from bot.core.quota import Defaults

BACKENDS = ("postgres",)  # one SQLite file serves one process
GUILD = 900000000000000001  # a real snowflake's size: BIGINT on PostgreSQL
ALICE = Requester(user_id=800000000000000002, guild_id=GUILD, channel_id=3)


@pytest.fixture
async def two(ledger_at: Path | str) -> AsyncIterator[tuple[Ledger, Ledger]]:
    first = await Ledger.open(ledger_at)
    second = await Ledger.open(ledger_at)
    yield first, second
    await first.close()
    await second.close()


async def attempt(accounts: Accounts, who: Requester, i: int, *, from_memory: bool) -> Job | Refusal:
    """A command (decided from the process's memory, then confirmed in the ledger) or a button (decided in it)."""
    fields = {"provider": "fake", "action": JobAction.IMAGINE, "prompt": f"p{i}"}
    try:
        if from_memory:
            ticket = accounts.reserve(who, [], JobAction.IMAGINE, [f"p{i}"])
            await asyncio.sleep(0)
            return await accounts.open_job(who, [], ticket=ticket, **fields)
        return await accounts.open_job(who, [], **fields)
    except Refusal as refusal:
        return refusal


async def charges(ledger: Ledger) -> int:
    rows = await ledger.fetch_all("SELECT COALESCE(SUM(amount), 0) FROM credit_entries WHERE kind = 'charge'")
    return int(rows[0][0])


async def test_a_burst_of_30_over_two_processes_charges_exactly_13(two: tuple[Ledger, Ledger]) -> None:
    limits = Defaults(daily_credits=13, user_running=0, user_waiting=0, server_running=0)
    a, b = Accounts(two[0], limits), Accounts(two[1], limits)
    results = await asyncio.gather(*(attempt(a if i % 2 else b, ALICE, i, from_memory=i % 3 != 0) for i in range(30)))
    assert sum(isinstance(r, Job) for r in results) == 13
    assert all("used your 13 credits" in str(r.text) for r in results if isinstance(r, Refusal))
    assert await charges(two[0]) == 13
    balance, _ = await a.status(GUILD, ALICE.user_id, [])
    assert balance.daily_left == 0 and balance.daily_used == 13


async def test_the_server_limit_holds_across_processes(two: tuple[Ledger, Ledger]) -> None:
    limits = Defaults(daily_credits=0, user_running=0, user_waiting=0, server_running=4)
    a, b = Accounts(two[0], limits), Accounts(two[1], limits)
    members = [Requester(800000000000000100 + m, GUILD, 3) for m in range(6)]
    results = await asyncio.gather(
        *(attempt(a if i % 2 else b, members[i % 6], i, from_memory=i % 2 == 0) for i in range(24))
    )
    jobs = [r for r in results if isinstance(r, Job)]
    assert len(jobs) == 24  # none refused: beyond the server's 4 slots, they wait
    stored = [await two[0].get(j.id) for j in jobs]
    assert sum(j is not None and j.status is JobStatus.SUBMITTING for j in stored) == 4
    assert sum(j is not None and j.status is JobStatus.WAITING for j in stored) == 20

    for job in stored:  # every job's message is posted; the running ones end, freeing the server's 4 slots
        assert job is not None
        await two[0].update(job.id, message_id=job.id)
        if job.status is JobStatus.SUBMITTING:
            await two[0].transition(job.id, JobStatus.FAILED, error="x")
    started = await asyncio.gather(a.start_waiting(), b.start_waiting())  # both queues fill them at once
    assert sum(map(len, started)) == 4
    assert len(await two[1].jobs_with_status([JobStatus.SUBMITTING])) == 4
    assert len(await two[1].jobs_with_status([JobStatus.WAITING])) == 16


async def test_one_refund_and_one_ending_whichever_process_comes_first(two: tuple[Ledger, Ledger]) -> None:
    limits = Defaults(daily_credits=5, user_running=0)
    a, b = Accounts(two[0], limits), Accounts(two[1], limits)
    job = await a.open_job(ALICE, [], provider="fake", action=JobAction.IMAGINE, prompt="x")
    assert await charges(two[0]) == 1
    refunded = await asyncio.gather(a.refund(job), b.refund(job), a.refund(job), b.refund(job))
    assert sorted(refunded) == [False, False, False, True]
    rows = await two[0].fetch_all("SELECT COUNT(*) FROM credit_entries WHERE kind = 'refund'")
    assert rows[0][0] == 1

    other = await a.open_job(ALICE, [], provider="fake", action=JobAction.IMAGINE, prompt="y")
    await two[0].transition(other.id, JobStatus.RUNNING, upstream_task_id="T")
    outcomes = await asyncio.gather(
        two[0].transition(other.id, JobStatus.SUCCEEDED, image_url="https://x/1.png"),
        two[1].transition(other.id, JobStatus.FAILED, error="late", within=lambda db: b.refund_in(db, other)),
        return_exceptions=True,
    )
    assert sum(isinstance(o, IllegalTransition) for o in outcomes) == 1  # the second move finds the job ended
    final = await two[1].get(other.id)
    assert final is not None and final.refunded == (final.status is JobStatus.FAILED)


async def test_settings_changed_in_two_processes_at_once_keep_both_changes(two: tuple[Ledger, Ledger]) -> None:
    a, b = Accounts(two[0], Defaults()), Accounts(two[1], Defaults())
    await asyncio.gather(
        *((a if i % 2 else b).change_config(GUILD, lambda c, i=i: c.banned_words.append(f"w{i}")) for i in range(10))
    )
    stored = await Accounts(two[0], Defaults()).config(GUILD)
    assert sorted(stored.banned_words) == sorted(f"w{i}" for i in range(10))
