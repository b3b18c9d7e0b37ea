"""Money and state at the edges, in the core: Cancel during Remix, U after Cancel, reservations out of every path,
who is judged for a banned word, illegal same-state moves, polling by (provider, task id), upstream reasons kept."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.core import lifecycle, requests
from bot.core.accounts import Refusal
from bot.core.jobs import JobService
from bot.core.ledger import Ledger
from bot.core.models import ImagineRequest, Job, JobAction, JobStatus, Requester
from bot.core.providers.proxy import ProxyProvider
from bot.core.quota import Defaults
from bot.core.reasons import failure_message, refusal_message
from bot.core.requests import ActionRequest
from bot.core.text import Text
from bot.i18n import render
from bot.simulator.server import Simulator
from tests.helpers import TESTER, Recorder, job_service, record_job, start_job

BACKENDS = ("sqlite", "postgres")
BOB = Requester(user_id=7, guild_id=TESTER.guild_id, channel_id=TESTER.channel_id)


async def net_charge(ledger: Ledger, job_id: int | None = None) -> int:
    where, params = ("WHERE job_id = ?", (job_id,)) if job_id is not None else ("", ())
    rows = await ledger.fetch_all(
        f"SELECT SUM(CASE kind WHEN 'charge' THEN amount ELSE -amount END) FROM credit_entries {where}", params
    )
    return int(rows[0][0] or 0)


@contextlib.asynccontextmanager
async def charged_service(
    ledger: Ledger, http: httpx.AsyncClient, **sim_options: bool | float
) -> AsyncIterator[tuple[JobService, Simulator, Recorder]]:
    """A started job service over the proxy simulator, members charged as by default."""
    sim = Simulator(**{"duration": 0.5, **sim_options})  # type: ignore[arg-type]
    await sim.start()
    service = job_service(ledger, ProxyProvider(http, sim.base_url), poll_interval=0.05)
    service.accounts.defaults = Defaults()  # type: ignore[union-attr]
    rec = Recorder()
    service.subscribe(rec)
    await service.start()
    try:
        yield service, sim, rec
    finally:
        await service.stop()
        await sim.stop()


async def grid_of(service: JobService, rec: Recorder, prompt: str = "a kite") -> Job:
    done = await rec.wait((await start_job(service, ImagineRequest(prompt), message_id=1)).id)
    assert done.status is JobStatus.SUCCEEDED
    return done


# -- 1. Cancel while the job waits for its Remix prompt ------------------------------------------------
async def test_cancel_while_waiting_for_the_remix_prompt_refunds(ledger: Ledger, http: httpx.AsyncClient) -> None:
    async with charged_service(ledger, http, remix=True) as (service, sim, rec):
        grid = await grid_of(service, rec)
        v1 = await start_job(service, ActionRequest(grid.id, 5), message_id=2, parent=grid)
        assert v1.status is JobStatus.NEEDS_INPUT and await net_charge(ledger, v1.id) == 1
        # Even where the server keeps the charge of cancelled running jobs: nothing ran upstream yet.
        cancelled = await service.cancel(v1, refund_running=False)
        assert cancelled.status is JobStatus.CANCELLED and cancelled.refunded
        assert await net_charge(ledger, v1.id) == 0 and "credits were given back" in str(cancelled.error)
        assert sim.requests["modal"] == 0


# -- 2. U after a cancelled U --------------------------------------------------------------------------
async def test_an_upscale_pressed_again_after_a_cancel_is_a_new_paid_job(
    ledger: Ledger, http: httpx.AsyncClient
) -> None:
    async with charged_service(ledger, http) as (service, sim, rec):
        grid = await grid_of(service, rec)
        u1 = await service.begin(await open_press(service, grid, 0))
        await service.cancel(u1, refund_running=True)
        again = await open_press(service, grid, 0)
        assert again.source_id is None and again.status is JobStatus.SUBMITTING and again.cost == 1
        done = await rec.wait((await service.begin(again)).id)
        assert done.status is JobStatus.SUCCEEDED and await net_charge(ledger, again.id) == 1
        assert sorted(t.action for t in sim.tasks.values()) == ["IMAGINE", "UPSCALE", "UPSCALE"]


async def open_press(service: JobService, parent: Job, index: int, who: Requester = TESTER) -> Job:
    """A press on `parent`'s button as the flows open it (single flight for upscales)."""
    assert service.accounts is not None
    face = service.button(parent, index)
    assert face is not None
    return await service.accounts.open_job(
        who,
        [],
        single_flight=face[1].action is JobAction.UPSCALE,
        request=requests.encode(ActionRequest(parent.id, index)),
        provider=service.provider.name,
        action=face[1].action,
        prompt=parent.prompt,
        message_id=9,
        parent_id=parent.id,
        parent_button=index,
    )


# -- 5. a banned word: the presser is judged by what they sent ----------------------------------------
async def test_a_press_is_not_judged_by_the_parents_prompt(ledger: Ledger, http: httpx.AsyncClient) -> None:
    async with charged_service(ledger, http) as (service, _, rec):
        assert service.accounts is not None
        grid = await grid_of(service, rec, "a fox in a henhouse")
        await service.accounts.change_config(2, lambda c: c.banned_words.append("henhouse"))  # banned since
        for index in (0, 5):  # U1 (single flight) and V1
            pressed = await open_press(service, grid, index, who=BOB)
            assert pressed.status is JobStatus.SUBMITTING
        assert await strikes(ledger, BOB.user_id) == 0
        with pytest.raises(Refusal):  # what Bob writes himself is judged
            await service.accounts.open_job(
                BOB, [], provider="proxy", action=JobAction.VARIATION, prompt="a henhouse", parent_id=grid.id,
                parent_button=5, texts=["a henhouse"],
            )  # fmt: skip
        assert await strikes(ledger, BOB.user_id) == 1


async def strikes(ledger: Ledger, user_id: int) -> int:
    rows = await ledger.fetch_all("SELECT COUNT(*) FROM strikes WHERE user_id = ?", (user_id,))
    return int(rows[0][0])


# -- 4. every path out of a reservation releases it ----------------------------------------------------
async def test_a_ledger_fault_while_opening_a_job_releases_its_reservation(
    ledger: Ledger, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with charged_service(ledger, http) as (service, _, _):
        accounts = service.accounts
        assert accounts is not None

        async def reset(*_: object, **__: object) -> int:
            raise ConnectionResetError("the database went away")

        with monkeypatch.context() as patch:
            patch.setattr(ledger, "insert_job", reset)
            with pytest.raises(ConnectionResetError):
                await record_job(service, ImagineRequest("a lost fox"), message_id=1)
        standing = accounts.mirror(2, TESTER.user_id)
        assert standing is not None and standing.running == 0 and not any(accounts._pending.values())
        assert await net_charge(ledger) == 0


# -- 6. no same-state moves that are not progress; polling by (provider, task id) --------------------
def test_staying_is_allowed_only_where_it_is_progress() -> None:
    for status in JobStatus:
        stays = lifecycle.allowed(status, status)
        assert stays == (status in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.NEEDS_INPUT)), status


async def test_a_double_remix_submit_submits_once(ledger: Ledger, http: httpx.AsyncClient) -> None:
    async with charged_service(ledger, http, remix=True) as (service, sim, rec):
        grid = await grid_of(service, rec)
        v1 = await start_job(service, ActionRequest(grid.id, 5), message_id=2, parent=grid)
        assert v1.status is JobStatus.NEEDS_INPUT
        await asyncio.gather(service.confirm_input(v1, "a red kite"), service.confirm_input(v1, "a blue kite"))
        assert sim.requests["modal"] == 1
        assert (await rec.wait(v1.id)).status is JobStatus.SUCCEEDED and await net_charge(ledger, v1.id) == 1


async def test_polling_tells_jobs_of_two_providers_with_one_task_id_apart(ledger: Ledger) -> None:
    mine = await ledger.create_job(TESTER, provider="proxy", action=JobAction.IMAGINE, prompt="mine", message_id=1)
    other = await ledger.create_job(TESTER, provider="acedata", action=JobAction.IMAGINE, prompt="other", message_id=2)
    for job in (mine, other):
        await ledger.transition(job.id, JobStatus.QUEUED, upstream_task_id="17", submitted_at=1e12)
    asked: list[list[str]] = []
    polled = asyncio.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)["ids"]
        asked.append(ids)
        polled.set()
        done = {"id": "17", "status": "SUCCESS", "progress": "100%", "imageUrl": "http://i.test/17.png", "buttons": []}
        return httpx.Response(200, json=[done])

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        service = JobService(ledger, ProxyProvider(client, "http://api.test"), poll_interval=60)
        await service.start()  # its poller asks at once
        try:
            await asyncio.wait_for(polled.wait(), 5)
            await asyncio.sleep(0.1)  # its answer applied
        finally:
            await service.stop()
    assert asked == [["17"]]
    assert (await ledger.get(mine.id)).status is JobStatus.SUCCEEDED  # type: ignore[union-attr]
    assert (await ledger.get(other.id)).status is JobStatus.QUEUED  # type: ignore[union-attr]  # not the proxy's


# -- 10. the upstream's reason stays in the member's message -----------------------------------------
@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_known_reasons_keep_the_upstreams_words(locale: str) -> None:
    for reason in ("Pending mod message", "Plan Cancelled", "任务失败，请重试", "无可用账号", "额度不足"):
        for _, message in (failure_message(reason), refusal_message(reason, Text("job-unknown"))):
            assert reason in render(message, locale), (reason, render(message, locale))
    _, standing = failure_message("Pending mod message")
    assert "subscription or standing" in render(standing, "en-US")


def test_a_reason_that_carries_a_secret_is_not_shown() -> None:
    _, message = failure_message("Plan Cancelled for key sk-live-0123456789abcdefSECRET")
    shown = render(message, "en-US")
    assert "sk-live" not in shown and "0123456789abcdef" not in shown and "subscription or standing" in shown
