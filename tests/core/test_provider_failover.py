"""Failover in the job service: a job sent to the second API is followed, and found after a crash, there."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from bot.core.accounts import Accounts
from bot.core.jobs import JobService, submit_state
from bot.core.ledger import Ledger
from bot.core.models import ImagineRequest, JobStatus
from bot.core.providers.base import SUBMIT_STATE
from bot.core.providers.proxy import ProxyProvider
from bot.simulator.server import Simulator
from tests.helpers import NO_LIMITS, Recorder, record_job

BACKENDS = ("sqlite", "postgres")


async def _service(ledger: Ledger, http: httpx.AsyncClient, first: str, second: str) -> tuple[JobService, Recorder]:
    fallback = ProxyProvider(http, second)
    fallback.name = "fallback"
    service = JobService(
        ledger, ProxyProvider(http, first), accounts=Accounts(ledger, NO_LIMITS), poll_interval=0.05,
        fallbacks=[fallback], provider_cooldown=60,
    )  # fmt: skip
    recorder = Recorder()
    service.subscribe(recorder)
    await service.start()
    return service, recorder


async def test_a_job_moved_to_the_second_api_is_found_there_after_a_crash(
    ledger_at: str, http: httpx.AsyncClient
) -> None:
    a, b = Simulator(duration=0.5), Simulator(duration=0.5)
    await a.start()
    await b.start()
    try:
        await a.stop()  # the first API is down from the start
        ledger = await Ledger.open(ledger_at)
        service, recorder = await _service(ledger, http, a.base_url, b.base_url)
        moved = await service.begin(await record_job(service, ImagineRequest("a moved job"), message_id=1))
        assert moved.provider == "fallback" and (await recorder.wait(moved.id)).status is JobStatus.SUCCEEDED
        assert [t.prompt for t in b.tasks.values()] == ["a moved job"]

        # Killed after the second API took a job and before the ledger heard its task id (`submit.answered`).
        lost = await record_job(service, ImagineRequest("taken before the kill"), message_id=2)
        await ledger.update(lost.id, provider="fallback")
        token = SUBMIT_STATE.set(submit_state(ledger.instance, lost.id))
        try:
            await service.pool.get("fallback").imagine(ImagineRequest("taken before the kill"))
        finally:
            SUBMIT_STATE.reset(token)
        await service.stop()
        await ledger.close()

        ledger = await Ledger.open(ledger_at)
        service, recorder = await _service(ledger, http, a.base_url, b.base_url)
        found = await recorder.wait(lost.id)
        assert found.status is JobStatus.SUCCEEDED and found.provider == "fallback" and not found.refunded
        assert len(b.tasks) == 2 and not a.tasks  # looked for, and followed, at the API that took it
        await service.stop()
        await ledger.close()
    finally:
        await b.stop()


async def test_each_api_backs_off_on_its_own(
    ledger_at: str, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The first API down while the second answers: the first is asked with backoff (not every interval, not
    cleared by the second's answers), the second at its normal cadence, and each outage is said once."""
    a, b = Simulator(duration=30.0), Simulator(duration=0.8)
    await a.start()
    await b.start()
    ledger = await Ledger.open(ledger_at)
    service, recorder = await _service(ledger, http, a.base_url, b.base_url)
    asked = {"first": 0}
    first = service.pool.get(service.provider.name)
    fetch_many = first.fetch_many

    async def counted(task_ids: list[str]) -> object:
        asked["first"] += 1
        return await fetch_many(task_ids)

    first.fetch_many = counted  # type: ignore[method-assign]
    try:
        stuck = await service.begin(await record_job(service, ImagineRequest("on the first"), message_id=1))
        assert stuck.provider == first.name and stuck.upstream_task_id
        with caplog.at_level(logging.WARNING, logger="bot.core.jobs"):
            await a.stop()  # the first goes away with a job in flight
            await ledger.update(stuck.id, provider=first.name)
            service.pool.health[first.name].down_until = 0  # new jobs would still go there: force the second
            moved = await record_job(service, ImagineRequest("on the second"), message_id=2)
            await ledger.update(moved.id, provider="fallback")
            moved.provider = "fallback"
            before = asked["first"]
            done = await service.begin(moved)
            assert done.provider == "fallback"
            assert (await recorder.wait(done.id, timeout=10)).status is JobStatus.SUCCEEDED
            await asyncio.sleep(1.0)
            during = asked["first"] - before
        assert during <= 8, during  # ~40 at the normal cadence over the same time
        assert caplog.text.count("is failing") == 1 and "answers again" not in caplog.text
    finally:
        await service.stop()
        await ledger.close()
        await b.stop()
