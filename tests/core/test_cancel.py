"""Cancel, in the job service: queued in the bot never reaches the API; taken by the API, it is asked to
stop where it can be, no longer followed, and refunded as the server chose."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx

from bot.core.jobs import JobService
from bot.core.ledger import Ledger
from bot.core.models import ImagineRequest, JobStatus
from bot.core.providers.acedata import AceDataProvider
from bot.core.providers.proxy import ProxyProvider
from bot.core.quota import Defaults
from bot.simulator.server import Simulator
from tests.helpers import TESTER, job_service, start_job


async def net_charge(ledger: Ledger, job_id: int) -> int:
    rows = await ledger.fetch_all(
        "SELECT SUM(CASE kind WHEN 'charge' THEN amount ELSE -amount END) FROM credit_entries WHERE job_id = ?",
        (job_id,),
    )
    return int(rows[0][0] or 0)


@contextlib.asynccontextmanager
async def proxy_service(
    ledger: Ledger, http: httpx.AsyncClient, defaults: Defaults
) -> AsyncIterator[tuple[JobService, Simulator]]:
    """A started job service over the proxy dialect, with slow jobs and members charged as `defaults` say."""
    sim = Simulator(duration=5.0)
    await sim.start()
    service = job_service(ledger, ProxyProvider(http, sim.base_url), poll_interval=0.05)
    service.accounts.defaults = defaults  # type: ignore[union-attr]
    await service.start()
    try:
        yield service, sim
    finally:
        await service.stop()
        await sim.stop()


async def test_a_running_job_is_stopped_upstream_and_refunded(ledger: Ledger, http: httpx.AsyncClient) -> None:
    async with proxy_service(ledger, http, Defaults()) as (service, sim):  # charged, as members are
        job = await start_job(service, ImagineRequest("a slow river"), message_id=1)
        assert await net_charge(ledger, job.id) == 1
        cancelled = await service.cancel(job, refund_running=True)
        assert cancelled.status is JobStatus.CANCELLED and "credits were given back" in str(cancelled.error)
        assert sim.requests["cancel"] == 1 and sim.tasks[job.upstream_task_id or ""].cancelled
        assert service.following == 0 and await net_charge(ledger, job.id) == 0
        assert (await service.cancel(cancelled, refund_running=True)).status is JobStatus.CANCELLED  # once
        assert sim.requests["cancel"] == 1 and await net_charge(ledger, job.id) == 0


async def test_without_refunds_a_cancelled_running_job_stays_charged(ledger: Ledger, http: httpx.AsyncClient) -> None:
    async with proxy_service(ledger, http, Defaults()) as (service, _):
        job = await start_job(service, ImagineRequest("a slow river"), message_id=1)
        cancelled = await service.cancel(job, refund_running=False)
        assert str(cancelled.error) == "Cancelled." and await net_charge(ledger, job.id) == 1
        # Its message not yet told (no Discord here): a restart tells it, as for any finished job.
        assert [j.id for j in await ledger.undelivered()] == [job.id]


async def test_a_job_queued_in_the_bot_never_reaches_the_api(ledger: Ledger, http: httpx.AsyncClient) -> None:
    async with proxy_service(ledger, http, Defaults(user_running=1)) as (service, sim):
        first = await start_job(service, ImagineRequest("first"), message_id=1)
        queued = await start_job(service, ImagineRequest("second"), message_id=2)
        assert queued.status is JobStatus.WAITING
        cancelled = await service.cancel(queued, refund_running=False)  # never submitted: refunded anyway
        assert cancelled.status is JobStatus.CANCELLED and await net_charge(ledger, queued.id) == 0
        assert [t.prompt for t in sim.tasks.values()] == ["first"] and sim.requests["cancel"] == 0
        done = await service.cancel(first, refund_running=True)
        assert done.status is JobStatus.CANCELLED
        assert len(sim.tasks) == 1  # the freed slot starts nothing: the queued job is gone


async def test_acedata_jobs_are_only_no_longer_followed(ledger: Ledger, http: httpx.AsyncClient) -> None:
    sim = Simulator(duration=5.0, api_key="k")
    await sim.start()
    service = job_service(ledger, AceDataProvider(http, sim.base_url, api_key="k", max_streams=0), poll_interval=0.05)
    await service.start()
    try:
        job = await start_job(service, ImagineRequest("a slow river"), message_id=1, who=TESTER)
        cancelled = await service.cancel(job, refund_running=True)
        assert cancelled.status is JobStatus.CANCELLED and service.following == 0
        assert sim.requests["cancel"] == 0  # AceData offers no cancel
    finally:
        await service.stop()
        await sim.stop()
