"""Random bursts of commands, presses, failures, resets and grants against the real job service.

Each step is checked: running and waiting never above the limits (per member and per server);
charges - refunds = cost of the jobs not failed; no balance above the allowance plus bonus; and a
burst accepts exactly what the same requests one at a time would have.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import requests
from bot.core.accounts import Accounts, Refusal
from bot.core.jobs import JobService
from bot.core.ledger import Ledger
from bot.core.lifecycle import RUNNING
from bot.core.models import (
    ImagineRequest,
    Job,
    JobAction,
    JobStatus,
    ReferenceImage,
    Requester,
    SubmitResult,
    TaskSnapshot,
    UpstreamButton,
)
from bot.core.providers.base import Capability
from bot.core.quota import Defaults, GuildConfig, local_day
from bot.core.standing import read as read_standing
from bot.devtools.pg import ThrowawayPostgres
from tests.pg import truncated

GUILD = 7
MEMBERS = (1, 2, 3)
LIMITS = Defaults(daily_credits=6, user_running=2, user_waiting=2, server_running=3)
GRID_BUTTONS = (UpstreamButton("MJ::JOB::upsample::1::h", "U1"), UpstreamButton("MJ::JOB::variation::1::h", "V1"))


@dataclass
class FakeApi:
    """An in-process upstream: tasks stay running until a step finishes or fails them."""

    tasks: dict[str, JobStatus] = field(default_factory=dict)
    submits: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    name: str = "fake"
    capabilities: frozenset[Capability] = frozenset()

    def _new(self) -> SubmitResult:
        self.submits += 1
        task_id = f"t{next(self._ids)}"
        self.tasks[task_id] = JobStatus.RUNNING
        return SubmitResult(task_id)

    async def imagine(self, request: ImagineRequest) -> SubmitResult:
        return self._new()

    async def blend(self, request: object) -> SubmitResult:
        return self._new()

    async def describe(self, image: ReferenceImage) -> SubmitResult:
        return self._new()

    async def action(self, parent_ref: str, custom_id: str, mode: str | None = None) -> SubmitResult:
        return self._new()

    async def modal(self, task_id: str, prompt: str, mode: str | None = None) -> SubmitResult:
        return SubmitResult(task_id)

    async def vary_region(
        self, parent_ref: str, custom_id: str, prompt: str, mask_png: bytes, mode: str | None = None
    ) -> SubmitResult:
        return self._new()

    async def fetch_many(self, task_ids: Sequence[str]) -> dict[str, TaskSnapshot]:
        out = {}
        for task_id in task_ids:
            status = self.tasks[task_id]
            if status is JobStatus.SUCCEEDED:
                out[task_id] = TaskSnapshot(task_id, status, 100, "https://x/i.png", GRID_BUTTONS)
            elif status is JobStatus.FAILED:
                out[task_id] = TaskSnapshot(task_id, status, fail_reason="upstream said no")
            else:
                out[task_id] = TaskSnapshot(task_id, status, 50)
        return out

    async def aclose(self) -> None:
        return None


class Model:
    """What one-at-a-time decisions give: the reference a concurrent burst must equal."""

    @staticmethod
    def accepted(n: int, credits_left: int, running: int, waiting: int, server_running: int) -> int:
        count = 0
        for _ in range(n):
            if credits_left < 1:
                break
            if running < LIMITS.user_running and server_running < LIMITS.server_running:
                running, server_running = running + 1, server_running + 1
            elif waiting < LIMITS.user_waiting:
                waiting += 1
            else:
                break
            credits_left -= 1
            count += 1
        return count


step = st.one_of(
    st.tuples(st.just("imagine"), st.sampled_from(MEMBERS), st.integers(1, 8)),
    st.tuples(st.just("mixed"), st.sampled_from(MEMBERS), st.integers(2, 8)),
    st.tuples(st.just("press"), st.sampled_from(MEMBERS), st.integers(1, 4)),
    st.tuples(st.just("finish"), st.integers(1, 4)),
    st.tuples(st.just("fail"), st.integers(1, 4)),
    st.tuples(st.just("reset"), st.sampled_from(MEMBERS)),
    st.tuples(st.just("grant"), st.sampled_from(MEMBERS), st.integers(1, 3)),
)


async def scenario(steps: list[tuple], where: str = ":memory:") -> None:
    ledger = await Ledger.open(where)
    api = FakeApi()
    accounts = Accounts(ledger, LIMITS)
    service = JobService(ledger, api, poll_interval=3600, accounts=accounts)  # type: ignore[arg-type]
    await service.start()
    granted = dict.fromkeys(MEMBERS, 0)
    messages = itertools.count(1000)
    try:
        for action, *args in steps:
            if action in ("imagine", "mixed"):
                user, n = args
                await imagine_burst(ledger, accounts, service, user, n, messages, mixed=action == "mixed")
            elif action == "press":
                user, n = args
                await press_burst(ledger, accounts, service, user, n, messages)
            elif action in ("finish", "fail"):
                running = [t for t, s in api.tasks.items() if s is JobStatus.RUNNING][: args[0]]
                for task_id in running:
                    api.tasks[task_id] = JobStatus.SUCCEEDED if action == "finish" else JobStatus.FAILED
                await service.poll_once()
            elif action == "reset":
                await accounts.reset_day(GUILD, args[0], actor_id=99)
            else:
                user, amount = args
                granted[user] += amount
                await accounts.grant(GUILD, user, amount, actor_id=99)
            await service.wait_started()
            await check(ledger, accounts, granted)
    finally:
        await service.stop()
        await ledger.close()


async def imagine_burst(
    ledger: Ledger,
    accounts: Accounts,
    service: JobService,
    user: int,
    n: int,
    messages: itertools.count[int],
    *,
    mixed: bool = False,
) -> None:
    """/imagine at once; `mixed`: every other one is a V1 press on the newest grid instead."""
    balance, _ = await accounts.status(GUILD, user, [])
    server = await server_running(ledger)
    expected = Model.accepted(n, (balance.daily_left or 0) + balance.bonus, balance.running, balance.waiting, server)
    who = Requester(user, GUILD, 1)
    grids = await ledger.jobs_where("action = 'imagine' AND status = 'succeeded'", (), "ORDER BY id DESC LIMIT 1")

    async def one(i: int) -> Job | Refusal:
        press = mixed and grids and i % 2
        fields: dict[str, object] = {"action": JobAction.IMAGINE, "request": requests.encode(ImagineRequest("p"))}
        if press:
            fields = {
                "action": JobAction.VARIATION,
                "parent_id": grids[0].id,
                "parent_button": 1,
                "request": requests.encode(requests.ActionRequest(grids[0].id, 1)),
            }
        try:
            if press:  # a button: acknowledged first, then decided in the ledger's transaction
                job = await accounts.open_job(who, [], provider="fake", prompt="p", **fields)
            else:  # a command: decided from memory before any I/O, then written
                ticket = accounts.reserve(who, [], JobAction.IMAGINE, ["p"])
                await asyncio.sleep(0)  # the public answer goes out meanwhile
                job = await accounts.open_job(who, [], ticket=ticket, provider="fake", prompt="p", **fields)
        except Refusal as refusal:
            return refusal
        job = await service.set_message(job.id, next(messages))
        return await service.begin(job)

    results = await asyncio.gather(*(one(i) for i in range(n)))
    assert sum(isinstance(r, Job) for r in results) == expected


async def press_burst(
    ledger: Ledger, accounts: Accounts, service: JobService, user: int, n: int, messages: itertools.count[int]
) -> None:
    """U1 presses on the newest finished grid: one paid upscale at most, the rest shown for free."""
    grids = await ledger.jobs_where("action = 'imagine' AND status = 'succeeded'", (), "ORDER BY id DESC LIMIT 1")
    if not grids:
        return
    grid = grids[0]
    paid_upscales = "parent_id = ? AND parent_button = 0 AND action = 'upscale' AND source_id IS NULL AND status != ?"
    before = await ledger.jobs_where(paid_upscales, (grid.id, "failed"))

    async def one() -> Job | Refusal:
        try:
            job = await accounts.open_job(
                Requester(user, GUILD, 1), [], single_flight=True, provider="fake", action=JobAction.UPSCALE,
                prompt="p", parent_id=grid.id, parent_button=0,
                request=requests.encode(requests.ActionRequest(grid.id, 0)),
            )  # fmt: skip
        except Refusal as refusal:
            return refusal
        job = await service.set_message(job.id, next(messages))
        return await service.begin(job)

    await asyncio.gather(*(one() for _ in range(n)))
    paid = await ledger.jobs_where(paid_upscales, (grid.id, "failed"))
    assert len(paid) <= max(1, len(before))  # never a second paid upscale of the same image


async def server_running(ledger: Ledger) -> int:
    statuses = [s.value for s in RUNNING]
    rows = await ledger.fetch_all(
        f"SELECT COUNT(*) FROM jobs WHERE guild_id = ? AND status IN ({','.join('?' * len(statuses))})",
        (GUILD, *statuses),
    )
    return int(rows[0][0])


async def check(ledger: Ledger, accounts: Accounts, granted: dict[int, int]) -> None:
    assert await server_running(ledger) <= LIMITS.server_running
    for user in MEMBERS:
        async with ledger.transaction() as db:  # the mirror that answers interactions equals the ledger
            on_record = await read_standing(db, GUILD, user, local_day(GuildConfig(), time.time()))
        mirrored = accounts.mirror(GUILD, user)
        if mirrored is not None:
            assert mirrored.on(on_record.day) == on_record, (mirrored, on_record)
        balance, limits = await accounts.status(GUILD, user, [])
        assert balance.running <= limits.running and balance.waiting <= limits.waiting
        assert balance.daily_left is not None and 0 <= balance.daily_left <= limits.daily
        assert 0 <= balance.bonus <= granted[user]
    moved = await ledger.fetch_all(
        "SELECT COALESCE(SUM(CASE WHEN kind='charge' THEN amount END), 0)"
        " - COALESCE(SUM(CASE WHEN kind='refund' THEN amount END), 0) FROM credit_entries"
    )
    owed = await ledger.fetch_all("SELECT COALESCE(SUM(cost), 0) FROM jobs WHERE status != 'failed'")
    assert moved[0][0] == owed[0][0]


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=10))
def test_random_bursts_keep_every_limit_and_every_credit(steps: list[tuple]) -> None:
    asyncio.run(scenario(steps))


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=10))
def test_random_bursts_on_postgres(postgres: ThrowawayPostgres, steps: list[tuple]) -> None:
    """The same rules on PostgreSQL, fewer examples (each one empties the database first)."""

    async def run() -> None:
        await scenario(steps, await truncated(postgres))

    asyncio.run(run())
