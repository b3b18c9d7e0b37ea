"""A graceful stop in the job service: no new work, no queued start, every paid submit on its way recorded."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.core.accounts import RESTARTING, Accounts, Refusal
from bot.core.jobs import JobService
from bot.core.ledger import Ledger
from bot.core.models import ImagineRequest, Job, JobAction, JobStatus, SubmitResult
from bot.core.providers.proxy import ProxyProvider
from bot.core.quota import Defaults
from bot.simulator.server import Simulator
from tests.helpers import TESTER, record_job

BACKENDS = ("sqlite", "postgres")
ONE_AT_A_TIME = Defaults(daily_credits=0, user_running=1, user_waiting=3, server_running=0)


class HeldProxy(ProxyProvider):
    """The real proxy client, whose submits wait until the test lets them go."""

    def __init__(self, http: httpx.AsyncClient, base: str) -> None:
        super().__init__(http, base)
        self.release = asyncio.Event()

    async def imagine(self, request: ImagineRequest) -> SubmitResult:
        await self.release.wait()
        return await super().imagine(request)


def service_for(ledger: Ledger, provider: ProxyProvider) -> JobService:
    return JobService(ledger, provider, accounts=Accounts(ledger, ONE_AT_A_TIME), poll_interval=0.05)


@contextlib.asynccontextmanager
async def held_submit(
    ledger: Ledger, simulator: Simulator, http: httpx.AsyncClient
) -> AsyncIterator[tuple[JobService, HeldProxy, Job]]:
    """A started service with one recorded job whose paid submit is on its way, held by the API."""
    provider = HeldProxy(http, simulator.base_url)
    service = service_for(ledger, provider)
    await service.start()
    job = await record_job(service, ImagineRequest("a lighthouse"), message_id=10)
    submitting = asyncio.create_task(service.begin(job))
    try:
        yield service, provider, job
    finally:
        submitting.cancel()
        await service.stop()


async def test_the_stop_waits_for_the_paid_submit_on_its_way(
    ledger: Ledger, simulator: Simulator, http: httpx.AsyncClient
) -> None:
    async with held_submit(ledger, simulator, http) as (service, provider, job):
        draining = asyncio.create_task(service.drain(5))
        await asyncio.sleep(0.3)
        assert not draining.done()  # the answer is not in the ledger yet
        assert service.accounts is not None
        with pytest.raises(Refusal) as refused:  # meanwhile new work is refused, before anything is charged
            service.accounts.reserve(TESTER, [], JobAction.IMAGINE, ["another"])
        assert refused.value.text == RESTARTING
        provider.release.set()
        assert await asyncio.wait_for(draining, 5) is True
        stored = await ledger.get(job.id)
        assert stored is not None and stored.upstream_task_id and stored.status is JobStatus.QUEUED


async def test_a_submit_the_api_holds_longer_is_left_to_the_next_start(
    ledger: Ledger, simulator: Simulator, http: httpx.AsyncClient
) -> None:
    async with held_submit(ledger, simulator, http) as (service, _, job):
        assert await service.drain(0.3) is False
    stored = await ledger.get(job.id)
    assert stored is not None and stored.status is JobStatus.SUBMITTING  # found upstream, or not, at the start


async def test_no_queued_job_starts_while_stopping(
    ledger: Ledger, simulator: Simulator, http: httpx.AsyncClient
) -> None:
    provider = HeldProxy(http, simulator.base_url)
    provider.release.set()
    service = service_for(ledger, provider)
    await service.start()
    try:
        first = await service.begin(await record_job(service, ImagineRequest("first"), message_id=10))
        queued = await service.begin(await record_job(service, ImagineRequest("second"), message_id=11))
        assert queued.status is JobStatus.WAITING
        assert await service.drain(5) is True
        for _ in range(100):  # the first finishes at the API and frees its slot
            done = await ledger.get(first.id)
            if done is not None and done.status.finished:
                break
            await asyncio.sleep(0.05)
        assert done is not None and done.status is JobStatus.SUCCEEDED
        await asyncio.sleep(0.2)
        still = await ledger.get(queued.id)
        assert still is not None and still.status is JobStatus.WAITING and still.upstream_task_id is None
    finally:
        await service.stop()
