"""Faults of the API and crashes: secrets stay hidden, results are images, outages back off, paid jobs are found."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest

from bot.core import requests
from bot.core.accounts import Accounts
from bot.core.jobs import JobService, submit_state
from bot.core.ledger import Ledger
from bot.core.models import ImagineRequest, Job, JobAction, JobStatus, Requester
from bot.core.providers.acedata import AceDataProvider
from bot.core.providers.base import SUBMIT_STATE, Provider
from bot.core.providers.proxy import ProxyProvider
from bot.core.quota import Defaults
from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord
from tests.helpers import (
    Recorder,
    bot_messages,
    button,
    job_service,
    labels,
    record_job,
    running_bot,
    start_job,
    wait_final,
)

ALICE = Requester(user_id=1, guild_id=2, channel_id=3)
KEY = "sk-live-0123456789abcdefSECRET"
SIMULATOR_DURATION = 0.5


async def test_an_error_body_that_echoes_the_key_shows_no_key(
    fake: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sim = Simulator(duration=SIMULATOR_DURATION, api_key=KEY)
    await sim.start()
    try:
        with caplog.at_level(logging.DEBUG):
            async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", MJ_API_KEY=KEY) as bot:
                job = await fake.invoke_slash("imagine", {"prompt": "sim:echo-key a cat"})
                failed = await wait_final(fake, job.response_message_id)  # type: ignore[arg-type]
                assert "❌" in failed.content and "invalid token" in failed.content
                stored = await bot.jobs.ledger.fetch_all("SELECT error FROM jobs")
        everything = " ".join([m.content for m in fake.messages.values()] + [str(r[0]) for r in stored] + [caplog.text])
        assert KEY not in everything and "0123456789abcdef" not in everything
        assert "[redacted]" in failed.content
    finally:
        await sim.stop()


@pytest.mark.parametrize("fault", ["missing", "html"])
async def test_a_result_that_is_not_an_image_is_refunded(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path, fault: str
) -> None:
    simulator.image_fault = fault
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        job = await fake.invoke_slash("imagine", {"prompt": "a lost image"})
        failed = await wait_final(fake, job.response_message_id, timeout=20)  # type: ignore[arg-type]
        assert "could not be downloaded" in failed.content and not failed.attachments
        assert not fake.message_buttons(failed.id)  # no buttons under a dead result
        moves = await bot.jobs.ledger.fetch_all("SELECT kind, amount FROM credit_entries ORDER BY id")
        assert [tuple(m) for m in moves] == [("charge", 1), ("refund", 1)]


async def test_the_open_source_proxy_gets_buttons_through_change(fake: FakeDiscord, tmp_path: Path) -> None:
    sim = Simulator(duration=SIMULATOR_DURATION, buttons=False)
    await sim.start()
    try:
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3"):
            grid_id = (await fake.invoke_slash("imagine", {"prompt": "a harbour"})).response_message_id
            await wait_final(fake, grid_id)  # type: ignore[arg-type]
            assert labels(fake, grid_id)[:9] == ["U1", "U2", "U3", "U4", "🔄", "V1", "V2", "V3", "V4"]  # type: ignore[arg-type]
            await fake.click(grid_id, button(fake, grid_id, "U3"))  # type: ignore[arg-type]
            await fake.click(grid_id, button(fake, grid_id, "V2"))  # type: ignore[arg-type]
            await fake.wait_for(lambda: len(bot_messages(fake)) == 3)
            for message in bot_messages(fake)[1:]:  # an upscale there has no buttons of its own
                await fake.wait_for(lambda m=message.id: bool(fake.messages[m].attachments), 15)
            variations = next(m for m in bot_messages(fake) if "Variations" in m.content)
            await fake.wait_for(lambda: labels(fake, variations.id)[:4] == ["U1", "U2", "U3", "U4"])
        assert sorted(t.action for t in sim.tasks.values()) == ["IMAGINE", "UPSCALE", "VARIATION"]
    finally:
        await sim.stop()


# -- the core ------------------------------------------------------------------------------------


async def charged(ledger: Ledger, provider: str, prompt: str, message_id: int) -> Job:
    """A job charged as members are (a real cost, real accounts), left SUBMITTING as by a kill during its submit."""
    accounts = Accounts(ledger, Defaults())
    return await accounts.open_job(
        ALICE, [], provider=provider, action=JobAction.IMAGINE, prompt=prompt, message_id=message_id,
        request=requests.encode(ImagineRequest(prompt)),
    )  # fmt: skip


async def moves(ledger: Ledger, job_id: int) -> list[tuple[str, int]]:
    rows = await ledger.fetch_all("SELECT kind, amount FROM credit_entries WHERE job_id = ? ORDER BY id", (job_id,))
    return [(r[0], r[1]) for r in rows]


def restarted(ledger: Ledger, provider: Provider) -> JobService:
    """The job service of the next start, with the accounts every production job goes through."""
    return JobService(ledger, provider, poll_interval=0.05, accounts=Accounts(ledger, Defaults()))


async def test_a_job_paid_just_before_a_crash_is_found_by_its_state(tmp_path: Path, http: httpx.AsyncClient) -> None:
    """Submitted, accepted upstream, and the bot died before writing the task id: found, followed, not refunded."""
    sim = Simulator(duration=0.4)
    await sim.start()
    ledger = await Ledger.open(tmp_path / "l.sqlite3")
    try:
        job = await charged(ledger, "proxy", "a fox", 1)
        lost = await charged(ledger, "proxy", "never", 2)
        provider = ProxyProvider(http, sim.base_url)
        SUBMIT_STATE.set(submit_state(ledger.instance, job.id))
        accepted = await provider.imagine(ImagineRequest("a fox"))  # the API took it; the ledger never heard
        SUBMIT_STATE.set(None)

        service = restarted(ledger, provider)
        rec = Recorder()
        service.subscribe(rec)
        await service.start()
        done = await rec.wait(job.id)
        assert done.status is JobStatus.SUCCEEDED and done.upstream_task_id == accepted.task_id
        never = await rec.wait(lost.id)
        assert never.status is JobStatus.FAILED and "before this job reached the image service" in str(never.error)
        assert len(sim.tasks) == 1  # nothing submitted twice
        assert await moves(ledger, job.id) == [("charge", 1)]  # made: paid once
        assert await moves(ledger, lost.id) == [("charge", 1), ("refund", 1)]  # never made: given back
        await service.stop()
    finally:
        await ledger.close()
        await sim.stop()


async def test_where_the_api_cannot_be_searched_the_refund_says_so(
    ledger: Ledger, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    job = await charged(ledger, "acedata", "x", 1)
    service = restarted(ledger, AceDataProvider(http, "http://127.0.0.1:9", api_key="k"))
    rec = Recorder()
    service.subscribe(rec)
    with caplog.at_level(logging.WARNING):
        await service.start()
    failed = await rec.wait(job.id)
    assert "cannot tell whether the image service took it" in str(failed.error)
    assert "offers no way to find it" in caplog.text
    assert failed.refunded and await moves(ledger, job.id) == [("charge", 1), ("refund", 1)]
    await service.stop()


async def test_a_proxy_server_without_a_task_list_refunds_and_says_so(
    ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    job = await charged(ledger, "proxy", "x", 1)
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.method} {request.url.path}")
        return httpx.Response(404)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        service = restarted(ledger, ProxyProvider(client, "http://api.example"))
        rec = Recorder()
        service.subscribe(rec)
        with caplog.at_level(logging.WARNING):
            await service.start()
        failed = await rec.wait(job.id)
        await service.stop()
    assert asked[0] == "GET /mj/task/list"
    assert "cannot tell whether the image service took it" in str(failed.error)
    assert "keeps no task list" in caplog.text and "offers no way to find it" in caplog.text
    assert failed.refunded and await moves(ledger, job.id) == [("charge", 1), ("refund", 1)]


async def test_polling_backs_off_during_an_outage_and_says_so_once(
    ledger: Ledger, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    sim = Simulator(duration=1.5)
    await sim.start()
    port = sim.port
    service = job_service(ledger, ProxyProvider(http, sim.base_url), poll_interval=0.05)
    rec = Recorder()
    service.subscribe(rec)
    await service.start()
    job = await start_job(service, ImagineRequest("a boat"), message_id=1)
    with caplog.at_level(logging.WARNING, logger="bot.core.jobs"):
        await sim.stop()  # the API goes away
        before = service.polls
        await asyncio.sleep(1.5)
        during = service.polls - before
        restarted = Simulator(duration=0.2, port=port)
        restarted.tasks = sim.tasks
        await restarted.start()
        try:
            assert (await rec.wait(job.id, timeout=15)).status is JobStatus.SUCCEEDED
        finally:
            await service.stop()
            await restarted.stop()
    assert during <= 6, during  # 30 at the normal cadence
    assert caplog.text.count("is failing") == 1 and caplog.text.count("answers again") == 1


async def test_fifty_acedata_jobs_use_at_most_eight_streams(ledger: Ledger, http: httpx.AsyncClient) -> None:
    """Beyond the stream limit jobs are polled; submits never wait behind the streams."""
    sim = Simulator(duration=1.0, api_key="k")
    await sim.start()
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=8)) as streams:
        provider = AceDataProvider(http, sim.base_url, api_key="k", max_streams=8, stream_client=streams)
        service = job_service(ledger, provider, poll_interval=0.1)
        rec = Recorder()
        service.subscribe(rec)
        await service.start()
        try:
            jobs = [await record_job(service, ImagineRequest(f"job {i}"), message_id=i + 1) for i in range(50)]
            started = asyncio.get_running_loop().time()
            await asyncio.gather(*(service.begin(j) for j in jobs))
            submitted_in = asyncio.get_running_loop().time() - started
            done = [await rec.wait(j.id, timeout=30) for j in jobs]
            assert all(j.status is JobStatus.SUCCEEDED for j in done)
            assert provider.peak_streams == 8 and provider.open_streams == 0
            assert submitted_in < 1.0  # 42 submits did not wait for the 8 streams' jobs to end
            assert service.polls >= 1
        finally:
            await service.stop()
            await sim.stop()
