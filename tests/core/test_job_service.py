"""The job service without Discord: submit, follow with one batched poll, time out, resume."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from bot.core.jobs import JobService
from bot.core.ledger import Ledger
from bot.core.models import ImagineRequest, JobAction, JobStatus
from bot.core.providers.proxy import ProxyProvider
from bot.core.requests import ActionRequest
from bot.core.text import Text
from bot.simulator.server import Simulator
from tests.helpers import TESTER, Recorder, job_service, record_job, start_job

BACKENDS = ("sqlite", "postgres")
ALICE = TESTER


async def make_service(ledger: Ledger, base: str, http: httpx.AsyncClient, **kw: float) -> tuple[JobService, Recorder]:
    service = job_service(
        ledger, ProxyProvider(http, base), poll_interval=kw.get("poll", 0.05), job_timeout=kw.get("timeout", 30)
    )
    recorder = Recorder()
    service.subscribe(recorder)
    await service.start()
    return service, recorder


async def test_imagine_then_upscale(ledger: Ledger, simulator: Simulator, http: httpx.AsyncClient) -> None:
    service, rec = await make_service(ledger, simulator.base_url, http)
    try:
        job = await start_job(service, ImagineRequest("a red fox"), message_id=10)
        assert job.status is JobStatus.QUEUED and job.upstream_task_id
        done = await rec.wait(job.id)
        assert done.status is JobStatus.SUCCEEDED and done.image_url and len(done.buttons) == 9
        progress = [u.progress for u in rec.updates if u.id == job.id and u.status is JobStatus.RUNNING]
        assert progress and progress == sorted(progress)

        child = await start_job(service, ActionRequest(done.id, 1), message_id=11, parent=done)
        upscaled = await rec.wait(child.id)
        assert upscaled.status is JobStatus.SUCCEEDED
        assert any(b.custom_id.startswith("MJ::JOB::upsample_v6_2x_subtle") for b in upscaled.buttons)
        stored = await ledger.get(child.id)
        assert stored is not None and stored.parent_id == job.id and stored.status is JobStatus.SUCCEEDED
    finally:
        await service.stop()


async def test_ten_jobs_in_flight_cost_one_request_per_poll(ledger: Ledger, http: httpx.AsyncClient) -> None:
    sim = Simulator(duration=1.0)
    await sim.start()
    service, rec = await make_service(ledger, sim.base_url, http, poll=0.1)
    try:
        jobs = []
        for i in range(10):
            jobs.append(await start_job(service, ImagineRequest(f"job {i}"), message_id=100 + i))
        for job in jobs:
            assert (await rec.wait(job.id)).status is JobStatus.SUCCEEDED
        assert sim.requests["list-by-condition"] == service.polls
        assert sim.requests["fetch"] == 0
        assert service.polls < 10 * 2  # far fewer than one request per job per poll
    finally:
        await service.stop()
        await sim.stop()


async def test_failures_end_jobs_with_a_reason(ledger: Ledger, simulator: Simulator, http: httpx.AsyncClient) -> None:
    service, rec = await make_service(ledger, simulator.base_url, http)
    try:
        banned = await start_job(service, ImagineRequest("nude statue"), message_id=1)
        assert banned.status is JobStatus.FAILED and banned.upstream_task_id is None
        assert "banned word: nude" in str(banned.error)

        failing = await start_job(service, ImagineRequest("sim:fail cat"), message_id=2)
        failed = await rec.wait(failing.id)
        assert failed.status is JobStatus.FAILED and "Simulated failure" in str(failed.error)

        unposted = await record_job(service, ImagineRequest("x"), message_id=3)
        unposted = await service.abandon(unposted, Text("job-not-posted"))
        assert unposted.status is JobStatus.FAILED and unposted.upstream_task_id is None
    finally:
        await service.stop()


async def test_timeout_fails_a_stalled_job(ledger: Ledger, simulator: Simulator, http: httpx.AsyncClient) -> None:
    service, rec = await make_service(ledger, simulator.base_url, http, timeout=0.5)
    try:
        job = await start_job(service, ImagineRequest("sim:stall owl"), message_id=1)
        failed = await rec.wait(job.id)
        assert failed.status is JobStatus.FAILED and "longer than" in str(failed.error)
        assert service.following == 0
    finally:
        await service.stop()


async def test_restart_resumes_jobs_in_flight(ledger_at: Path | str, http: httpx.AsyncClient) -> None:
    sim = Simulator(duration=1.0)
    await sim.start()
    path = ledger_at
    try:
        ledger = await Ledger.open(path)
        service, _ = await make_service(ledger, sim.base_url, http, poll=10)  # never polls before the "crash"
        job = await start_job(service, ImagineRequest("a tower"), message_id=1)
        lost = await record_job(service, ImagineRequest("never sent"), message_id=2)  # crash before submit
        await service.stop()
        await ledger.close()

        ledger = await Ledger.open(path)
        service, rec = await make_service(ledger, sim.base_url, http)
        done = await rec.wait(job.id)
        assert done.status is JobStatus.SUCCEEDED
        unsent = await rec.wait(lost.id)
        assert unsent.status is JobStatus.FAILED and "restarted" in str(unsent.error)
        await service.stop()
        await ledger.close()
    finally:
        await sim.stop()


async def test_undelivered_results_are_published_again_at_start(ledger_at: Path | str, http: httpx.AsyncClient) -> None:
    ledger = await Ledger.open(ledger_at)
    job = await ledger.create_job(ALICE, provider="proxy", action=JobAction.IMAGINE, prompt="x", message_id=4)
    await ledger.transition(job.id, JobStatus.SUCCEEDED, upstream_task_id="T", image_url="http://x/y.png")
    service, rec = await make_service(ledger, "http://127.0.0.1:9", http)
    try:
        assert [u.id for u in rec.updates] == [job.id]
        await service.mark_delivered(job.id)
        assert await ledger.undelivered() == []
    finally:
        await service.stop()
        await ledger.close()


async def test_poll_survives_an_api_outage(ledger: Ledger, http: httpx.AsyncClient) -> None:
    sim = Simulator(duration=0.8)
    await sim.start()
    service, rec = await make_service(ledger, sim.base_url, http, poll=0.05)
    job = await start_job(service, ImagineRequest("a boat"), message_id=1)
    port = sim.port
    await sim.stop()  # the API goes away for a while
    await asyncio.sleep(0.3)
    assert (await ledger.get(job.id)).status in (JobStatus.QUEUED, JobStatus.RUNNING)  # type: ignore[union-attr]
    restarted = Simulator(duration=0.8, port=port)
    restarted.tasks = sim.tasks
    await restarted.start()
    try:
        assert (await rec.wait(job.id)).status is JobStatus.SUCCEEDED
    finally:
        await service.stop()
        await restarted.stop()


async def test_remix_code_21_waits_for_the_users_prompt(ledger: Ledger, http: httpx.AsyncClient) -> None:
    sim = Simulator(duration=0.5, remix=True)
    await sim.start()
    service, rec = await make_service(ledger, sim.base_url, http)
    try:
        grid = await rec.wait((await start_job(service, ImagineRequest("a kite"), message_id=1)).id)
        v1 = await start_job(service, ActionRequest(grid.id, 5), message_id=2, parent=grid)
        assert v1.status is JobStatus.NEEDS_INPUT and sim.requests["modal"] == 0
        await asyncio.sleep(0.3)  # waiting for input is not polled and does not time out early
        assert (await ledger.get(v1.id)).status is JobStatus.NEEDS_INPUT  # type: ignore[union-attr]
        v1 = await service.confirm_input(v1, "a red kite")
        assert sim.requests["modal"] == 1
        done = await rec.wait(v1.id)
        assert done.status is JobStatus.SUCCEEDED and done.prompt == "a red kite"
        assert sim.tasks[v1.upstream_task_id].prompt == "a red kite"  # type: ignore[index]
    finally:
        await service.stop()
        await sim.stop()
