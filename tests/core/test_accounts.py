"""Credits and limits without Discord: charges with the job, refunds, the queue, tiers, the daily reset."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.core import requests
from bot.core.accounts import Accounts, Refusal
from bot.core.jobs import JobService
from bot.core.ledger import Ledger
from bot.core.models import ImagineRequest, Job, JobAction, JobStatus, Requester
from bot.core.providers.proxy import ProxyProvider
from bot.core.quota import Defaults, Tier
from bot.simulator.server import Simulator

BACKENDS = ("sqlite", "postgres")
GUILD = 500
ALICE = Requester(user_id=1, guild_id=GUILD, channel_id=3)


class Clock:
    def __init__(self, when: datetime) -> None:
        self.now = when.timestamp()

    def __call__(self) -> float:
        return self.now


async def open_imagine(accounts: Accounts, prompt: str, roles: list[int] | None = None, who: Requester = ALICE) -> Job:
    return await accounts.open_job(
        who, roles or [], provider="proxy", action=JobAction.IMAGINE, prompt=prompt,
        request=requests.encode(ImagineRequest(prompt)),
    )  # fmt: skip


async def ledger_sums(ledger: Ledger) -> tuple[int, int]:
    rows = await ledger.fetch_all(
        "SELECT COALESCE(SUM(CASE WHEN kind='charge' THEN amount END),0),"
        " COALESCE(SUM(CASE WHEN kind='refund' THEN amount END),0) FROM credit_entries"
    )
    return int(rows[0][0]), int(rows[0][1])


async def test_fifty_at_once_with_three_credits(ledger: Ledger) -> None:
    accounts = Accounts(ledger, Defaults(daily_credits=3, user_running=0, user_waiting=0, server_running=0))
    results = await asyncio.gather(*(open_imagine(accounts, f"p{i}") for i in range(50)), return_exceptions=True)
    charged = [r for r in results if isinstance(r, Job)]
    refused = [r for r in results if isinstance(r, Refusal)]
    assert len(charged) == 3 and len(refused) == 47
    assert all("used your 3 credits" in str(r.text) and "come back at 00:00 UTC" in str(r.text) for r in refused)
    assert await ledger_sums(ledger) == (3, 0)


async def test_daily_reset_at_midnight_in_the_servers_zone(ledger: Ledger) -> None:
    clock = Clock(datetime(2026, 11, 22, 15, 30, tzinfo=UTC))  # 23:30 in Shanghai
    accounts = Accounts(ledger, Defaults(daily_credits=2, user_running=0), clock)
    await accounts.change_config(GUILD, lambda c: setattr(c, "timezone", "Asia/Shanghai"))
    await open_imagine(accounts, "a")
    await open_imagine(accounts, "b")
    with pytest.raises(Refusal, match=r"00:00 Asia/Shanghai \(in 30 min\)"):
        await open_imagine(accounts, "c")
    clock.now += 31 * 60  # past midnight in Shanghai, still the 22nd in UTC
    assert (await open_imagine(accounts, "d")).cost == 1
    balance, _ = await accounts.status(GUILD, ALICE.user_id, [])
    assert balance.daily_left == 1 and balance.reset_at.hour == 0


async def test_bonus_credits_tiers_and_unlimited_roles(ledger: Ledger) -> None:
    accounts = Accounts(ledger, Defaults(daily_credits=1, user_running=2))
    await accounts.change_config(GUILD, lambda c: c.tiers.update({"77": Tier(daily=3, running=5)}))
    await accounts.change_config(GUILD, lambda c: c.unlimited_roles.append(99))
    await open_imagine(accounts, "a")
    with pytest.raises(Refusal):
        await open_imagine(accounts, "b")
    assert await accounts.grant(GUILD, ALICE.user_id, 2, actor_id=42, note="contest") == 2
    job = await open_imagine(accounts, "c")  # daily pool empty: paid from the bonus
    assert job.cost == 1
    assert (await accounts.status(GUILD, ALICE.user_id, []))[0].bonus == 1
    assert await accounts.revoke(GUILD, ALICE.user_id, 5, actor_id=42) == 0  # never below zero
    with pytest.raises(Refusal):
        await open_imagine(accounts, "d")
    await open_imagine(accounts, "e", roles=[77])  # the tier's 3 a day
    await open_imagine(accounts, "f", roles=[99])  # unlimited
    _, limits = await accounts.status(GUILD, ALICE.user_id, [77])
    assert (limits.daily, limits.running) == (3, 5)
    assert await accounts.reset_day(GUILD, ALICE.user_id, actor_id=42) == 3
    assert (await accounts.status(GUILD, ALICE.user_id, []))[0].daily_left == 1


async def test_blocked_users_and_channels_are_refused(ledger: Ledger) -> None:
    accounts = Accounts(ledger, Defaults())
    await accounts.change_config(GUILD, lambda c: c.allowed_channels.append(999))
    with pytest.raises(Refusal, match="only in <#999>"):
        await open_imagine(accounts, "x")
    await accounts.change_config(GUILD, lambda c: c.blocked.append(ALICE.user_id))
    with pytest.raises(Refusal, match="blocked"):
        await open_imagine(accounts, "x")
    assert await ledger_sums(ledger) == (0, 0)


async def make_service(
    ledger: Ledger, base: str, http: httpx.AsyncClient, accounts: Accounts, **kw: float
) -> JobService:
    service = JobService(
        ledger, ProxyProvider(http, base), poll_interval=0.05, job_timeout=kw.get("timeout", 30), accounts=accounts
    )
    await service.start()
    return service


async def wait_status(ledger: Ledger, job_id: int, *statuses: JobStatus) -> Job:
    for _ in range(400):
        job = await ledger.get(job_id)
        if job is not None and job.status in statuses:
            return job
        await asyncio.sleep(0.025)
    raise AssertionError(f"job {job_id} never reached {statuses}: {job}")


async def test_refunds_for_every_failure_and_the_invariant(ledger: Ledger, http: httpx.AsyncClient) -> None:
    sim = Simulator(duration=0.4)
    await sim.start()
    accounts = Accounts(ledger, Defaults(daily_credits=0, user_running=0))
    service = await make_service(ledger, sim.base_url, http, accounts, timeout=1.5)
    try:
        prompts = ["fine one", "nude statue", "sim:busy x", "sim:fail y", "sim:stall z", "fine two"]
        jobs = [await open_imagine(accounts, p) for p in prompts]
        for job in jobs:
            await service.begin(job)
        done = [await wait_status(ledger, j.id, JobStatus.SUCCEEDED, JobStatus.FAILED) for j in jobs]
        assert [j.status for j in done] == [JobStatus.SUCCEEDED] + [JobStatus.FAILED] * 4 + [JobStatus.SUCCEEDED]
        assert "longer than" in str(done[4].error)  # the timeout, refunded like the rest
        charges, refunds = await ledger_sums(ledger)
        accepted_and_not_failed = sum(j.cost for j in done if j.status is JobStatus.SUCCEEDED)
        assert charges - refunds == accepted_and_not_failed == 2
        assert all(j.refunded for j in done if j.status is JobStatus.FAILED)
    finally:
        await service.stop()
        await sim.stop()


async def test_queue_waits_for_a_slot_and_survives_a_restart(ledger_at: Path | str, http: httpx.AsyncClient) -> None:
    sim = Simulator(duration=0.5)
    await sim.start()
    path = ledger_at
    defaults = Defaults(daily_credits=0, user_running=1, user_waiting=2)
    try:
        ledger = await Ledger.open(path)
        accounts = Accounts(ledger, defaults)
        first = await open_imagine(accounts, "first")
        second = await open_imagine(accounts, "second")
        third = await open_imagine(accounts, "third")
        for n, job in enumerate((first, second, third)):
            await ledger.update(job.id, message_id=100 + n)  # posted: the queue starts only jobs with a message
        assert [first.status, second.status, third.status] == [
            JobStatus.SUBMITTING,
            JobStatus.WAITING,
            JobStatus.WAITING,
        ]
        assert (await accounts.queue_position(second), await accounts.queue_position(third)) == (1, 2)
        with pytest.raises(Refusal, match="1 jobs running and 2 waiting"):
            await open_imagine(accounts, "fourth")
        await ledger.close()  # the bot stops before anything was submitted

        ledger = await Ledger.open(path)
        accounts = Accounts(ledger, defaults)
        service = await make_service(ledger, sim.base_url, http, accounts)
        # `first` was never submitted: failed and refunded at start; then the queue moves on by itself.
        assert (await wait_status(ledger, first.id, JobStatus.FAILED)).refunded
        for job in (second, third):
            assert (await wait_status(ledger, job.id, JobStatus.SUCCEEDED)).status is JobStatus.SUCCEEDED
        finished = [await ledger.get(j.id) for j in (second, third)]
        ends = sorted(j.finished_at or 0 for j in finished if j)
        assert ends[1] - ends[0] >= 0.4  # one at a time: the running limit held
        await service.stop()
        await ledger.close()
    finally:
        await sim.stop()


async def test_csv_export_reads_back(ledger: Ledger) -> None:
    accounts = Accounts(ledger, Defaults())
    job = await open_imagine(accounts, "x")
    await accounts.refund(job)
    await accounts.grant(GUILD, 2, 5, actor_id=9, note="welcome, friend")
    rows = list(csv.DictReader(io.StringIO(await accounts.export_csv(GUILD))))
    assert [(r["kind"], r["pool"], r["amount"], r["user_id"]) for r in rows] == [
        ("charge", "daily", "1", "1"),
        ("refund", "daily", "1", "1"),
        ("grant", "bonus", "5", "2"),
    ]
    assert rows[0]["job_id"] == str(job.id) and rows[0]["action"] == "imagine" and rows[2]["note"] == "welcome, friend"
