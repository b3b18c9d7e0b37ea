"""What a bot that runs for a year must not accumulate: reservations of members long gone, a standing read
that grows with the member's history, kept result images, edits waiting for a picker."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
from PIL import Image

from bot.core import requests
from bot.core.accounts import Accounts
from bot.core.images import ImageFetcher
from bot.core.ledger import Ledger
from bot.core.models import ImagineRequest, JobAction, JobStatus, Requester, SubmitResult, TaskSnapshot
from bot.core.providers.acedata import AceDataProvider
from bot.core.quota import Defaults
from bot.core.standing import read as read_standing
from bot.core.storage.sqlite import SqliteStorage
from bot.simulator.server import Simulator
from tests.helpers import job_service, start_job

GUILD = 500
OPEN = Defaults(daily_credits=0, user_running=0, user_waiting=0, server_running=0)


def member(n: int) -> Requester:
    return Requester(user_id=1000 + n, guild_id=GUILD, channel_id=3)


async def test_reservations_of_many_members_leave_nothing_pending(ledger: Ledger) -> None:
    accounts = Accounts(ledger, OPEN)
    job = {"provider": "proxy", "action": JobAction.IMAGINE, "prompt": "p"}
    for n in range(30):
        who = member(n)
        if n % 3 == 0:  # reserved in memory first, as a slash command does, then written
            ticket = accounts.reserve(who, [], JobAction.IMAGINE, ["p"])
            await accounts.open_job(who, [], ticket=ticket, request=requests.encode(ImagineRequest("p")), **job)
        elif n % 3 == 1:  # reserved, then its message could not be posted
            await accounts.cancel(accounts.reserve(who, [], JobAction.IMAGINE, ["p"]))
        else:  # reserved and written in one go, as a button press does
            await accounts.open_job(who, [], request=requests.encode(ImagineRequest("p")), **job)
    assert dict(accounts._pending) == {}  # 30 members came and went: no key left behind for each


async def _vm_steps(ledger: Ledger, work: Callable[[], Awaitable[object]]) -> int:
    """SQLite virtual-machine steps `work` takes: what a query costs, independent of the machine's speed."""
    storage = ledger.storage
    assert isinstance(storage, SqliteStorage)
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    await storage._db.set_progress_handler(count, 10)
    try:
        await work()
    finally:
        await storage._db.set_progress_handler(None, 0)
    return steps[0]


async def _history(ledger: Ledger, who: Requester, jobs: int) -> None:
    """`jobs` finished jobs of `who`, each charged a daily credit on a day long past."""
    async with ledger.transaction() as db:
        for n in range(jobs):
            job_id = await db.insert(
                """INSERT INTO jobs (user_id, guild_id, channel_id, provider, action, prompt, status, created_at,
                                     updated_at) VALUES (?, ?, 3, 'proxy', 'imagine', 'p', ?, 0, 0)""",
                (who.user_id, GUILD, JobStatus.SUCCEEDED.value),
            )
            await db.execute(
                """INSERT INTO credit_entries (guild_id, user_id, job_id, kind, pool, amount, day, created_at)
                   VALUES (?, ?, ?, 'charge', 'daily', 1, ?, 0)""",
                (GUILD, who.user_id, job_id, f"2020-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}"),
            )


async def test_a_members_standing_costs_the_same_after_years_of_jobs(ledger: Ledger) -> None:
    new, veteran = member(1), member(2)
    await _history(ledger, veteran, 3000)

    async def standing_of(who: Requester) -> Callable[[], Awaitable[object]]:
        async def read() -> object:
            async with ledger.transaction() as db:
                return await read_standing(db, GUILD, who.user_id, "2026-12-08")

        return read

    first = await _vm_steps(ledger, await standing_of(new))
    later = await _vm_steps(ledger, await standing_of(veteran))
    assert later <= first * 2 + 20, (first, later)  # not one step per job or entry of the member's past


async def test_a_job_that_ended_while_its_submit_was_answered_closes_its_stream(
    ledger: Ledger, simulator: Simulator, http: httpx.AsyncClient
) -> None:
    provider = AceDataProvider(http, simulator.base_url, max_streams=1)
    service = job_service(ledger, provider)
    submit = provider.imagine

    async def imagine_then_ended(request: ImagineRequest) -> SubmitResult:
        result = await submit(request)  # accepted, its progress stream open
        job = (await ledger.jobs_with_status([JobStatus.SUBMITTING]))[0]
        await ledger.transition(job.id, JobStatus.FAILED, finished_at=0)  # meanwhile it ended (a timeout, a stop)
        return result

    provider.imagine = imagine_then_ended  # type: ignore[method-assign]
    job = await start_job(service, ImagineRequest("a lighthouse"), message_id=1)
    assert job.status is JobStatus.FAILED
    assert provider.open_streams == 0  # its connection and its stream slot are given back


async def test_a_checked_result_is_kept_only_until_its_message_takes_it() -> None:
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(picture, "PNG")
    asked: list[str] = []

    def serve(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, content=picture.getvalue())

    async with httpx.AsyncClient(transport=httpx.MockTransport(serve)) as client:
        fetcher = ImageFetcher(client)
        url = "https://cdn.example/result.png"
        await fetcher.result_image(url)  # the job service checks it
        assert await fetcher.take(url) == picture.getvalue()  # its message attaches it: no second download
        assert len(asked) == 1
        await fetcher.take(url)  # nothing of it stayed in memory: a later use downloads again
        assert len(asked) == 2


async def test_a_stream_whose_follower_is_cancelled_before_it_starts_is_closed() -> None:
    """A stream task cancelled before its first step never runs its own `finally`: the stream is closed anyway."""
    from bot.core.job_submits import _closed_if_cancelled

    closed = asyncio.Event()

    async def updates() -> AsyncIterator[TaskSnapshot]:
        try:
            yield TaskSnapshot(task_id="t", status=JobStatus.RUNNING)
        finally:
            closed.set()

    stream = updates()
    await anext(stream)  # open, as a stream is once its submit was answered

    async def consume() -> None:
        async for _ in stream:
            pass

    task = asyncio.create_task(consume())
    task.add_done_callback(lambda done: _closed_if_cancelled(done, stream))
    task.cancel()  # before its first step
    await asyncio.gather(task, return_exceptions=True)
    await asyncio.wait_for(closed.wait(), 1)
