"""A model-based test of the job life cycle (hypothesis RuleBasedStateMachine) over the real job service, accounts
and ledger, with an in-process API whose every answer the machine picks.

Rules: /imagine, every button kind (U, V, 🔄, Animate), single-flight presses at once, Cancel at every state (also
while the paid submit is on its way), the API's Remix step answered (twice at once) or abandoned, the API's
answers (accept, refuse, timeout, 5xx, a reset connection), tasks finishing or failing upstream, time passing, and
a crash at any step: the process dies (before the API got a submit, after it accepted one, or between steps), its
in-memory state is gone, and a new job service over the same ledger file resumes.

Invariants after every step: each job's charges - refunds = its cost unless it failed or was cancelled (then 0,
or its cost where the server keeps cancelled running jobs' charges); the members' in-memory mirror equals the
ledger and holds no reservation without a job; no job was submitted twice; every paid success is a task the API
accepted for that job. At the end every job reaches a terminal state.

Random in the normal run; `HYPOTHESIS_PROFILE=job-machine-repro` runs a fixed, derandomized set for reproduction.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from bot.core import requests
from bot.core.accounts import Accounts, Refusal
from bot.core.errors import ErrorKind, ProviderError
from bot.core.jobs import JobService
from bot.core.ledger import Ledger
from bot.core.lifecycle import FINISHED
from bot.core.models import ImagineRequest, Job, JobAction, JobStatus, Requester, SubmitResult, TaskSnapshot
from bot.core.models import UpstreamButton as Button
from bot.core.providers.base import SUBMIT_STATE, Capability
from bot.core.quota import Defaults, GuildConfig, local_day
from bot.core.requests import ActionRequest
from bot.core.standing import read as read_standing
from bot.core.text import Text

GUILD = 7
MEMBERS = (1, 2)
LIMITS = Defaults(daily_credits=30, user_running=2, user_waiting=2, server_running=3)
GRID = (
    Button("MJ::JOB::upsample::1::h", "U1"),
    Button("MJ::JOB::upsample::2::h", "U2"),
    Button("MJ::JOB::variation::1::h", "V1"),
    Button("MJ::JOB::reroll::0::h::SOLO", "", "🔄"),
)
ANSWERS = ("accept", "accept", "remix", "refuse", "timeout", "5xx", "reset", "crash-before", "crash-after")
JOB_TIMEOUT, REMIX_TIMEOUT = 900.0, 600.0
# The model's own rule: only while the API makes the image may a cancel keep its charge (if the server says so).
MAKING = (JobStatus.QUEUED, JobStatus.RUNNING)

settings.register_profile(
    "job-machine-repro", max_examples=40, stateful_step_count=25, derandomize=True, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
NORMAL = settings(max_examples=30, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Crash(BaseException):
    """The process dies here: nothing after it runs (no handler of the bot's catches a BaseException)."""


@dataclass
class Task:
    job_id: int
    kind: str  # image | video
    status: JobStatus = JobStatus.RUNNING
    confirms: int = 0  # Remix prompts received


@dataclass
class Api:
    """The upstream: tasks run until a rule finishes or fails them; each submit's answer is planned per job."""

    tasks: dict[str, Task] = field(default_factory=dict)
    plan: dict[int, str] = field(default_factory=dict)  # job id -> how the API answers its submit
    submits: Counter[int] = field(default_factory=Counter)  # submits that reached the API, per job
    hold: asyncio.Event | None = None  # set: submits wait for it (a submit on its way)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)  # a submit waits at `hold`
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    name: str = "fake"
    capabilities: frozenset[Capability] = frozenset(
        {Capability.MODAL, Capability.FIND_BY_STATE, Capability.CANCEL, Capability.VIDEO}
    )

    async def _submit(self, kind: str = "image") -> SubmitResult:
        state = SUBMIT_STATE.get()
        assert state is not None, "every paid submit names its job"
        job_id = int(state.rsplit(":", 1)[1])
        if self.hold is not None:
            self.arrived.set()
            await self.hold.wait()
        answer = self.plan.pop(job_id, "accept")
        if answer == "crash-before":
            self.crashed = True
            raise Crash
        if answer == "refuse":
            raise ProviderError(ErrorKind.REJECTED, Text("upstream-refused"))
        if answer == "timeout":
            raise ProviderError(ErrorKind.TIMEOUT, Text("upstream-no-answer-in-time"))
        if answer == "5xx":
            raise ProviderError(ErrorKind.UNAVAILABLE, Text("upstream-internal-error", status=502), status=502)
        if answer == "reset":
            raise ConnectionResetError("connection reset by peer")
        self.submits[job_id] += 1
        task_id = f"t{next(self._ids)}"
        remix = answer == "remix"
        self.tasks[task_id] = Task(job_id, kind, JobStatus.NEEDS_INPUT if remix else JobStatus.RUNNING)
        self.states[state] = task_id
        if answer == "crash-after":
            self.crashed = True
            raise Crash  # accepted upstream; the bot never heard
        return SubmitResult(task_id, needs_input=remix)

    states: dict[str, str] = field(default_factory=dict)  # submit state -> task id
    crashed: bool = False  # a submit killed the process (also one started in the background from the queue)

    async def imagine(self, request: ImagineRequest) -> SubmitResult:
        return await self._submit()

    async def action(
        self, parent_ref: str, custom_id: str, mode: str | None = None, *, remix_prompt: str | None = None
    ) -> SubmitResult:
        return await self._submit()

    async def animate(self, image_url: str, prompt: str, motion: str, mode: str | None = None) -> SubmitResult:
        return await self._submit("video")

    async def extend(self, video_ref: str, prompt: str, motion: str, mode: str | None = None) -> SubmitResult:
        return await self._submit("video")

    async def modal(self, task_id: str, prompt: str, mode: str | None = None) -> SubmitResult:
        task = self.tasks[task_id]
        task.confirms += 1
        task.status = JobStatus.RUNNING
        return SubmitResult(task_id)

    async def cancel(self, task_id: str) -> None:
        self.tasks[task_id].status = JobStatus.CANCELLED

    async def find_by_state(self, states: Sequence[str]) -> dict[str, TaskSnapshot]:
        found = {s: self.tasks[self.states[s]] for s in states if s in self.states}
        return {s: self._snapshot(self.states[s], t) for s, t in found.items()}

    async def fetch_many(self, task_ids: Sequence[str]) -> dict[str, TaskSnapshot]:
        return {t: self._snapshot(t, self.tasks[t]) for t in task_ids if t in self.tasks}

    @staticmethod
    def _snapshot(task_id: str, task: Task) -> TaskSnapshot:
        if task.status is JobStatus.SUCCEEDED:
            videos = ("https://x/v.mp4",) if task.kind == "video" else ()
            return TaskSnapshot(task_id, task.status, 100, "https://x/i.png", GRID, video_urls=videos)
        if task.status in (JobStatus.FAILED, JobStatus.CANCELLED):
            return TaskSnapshot(task_id, JobStatus.FAILED, fail_reason="upstream said no")
        return TaskSnapshot(task_id, task.status, 40)

    async def aclose(self) -> None:
        return None


class Bot:
    """One process: the ledger file opened, its accounts and job service started."""

    def __init__(self, path: Path, api: Api, clock: list[float]) -> None:
        self.path, self.api, self.clock = path, api, clock

    async def start(self) -> None:
        now = lambda: self.clock[0]  # noqa: E731
        self.ledger = await Ledger.open(self.path, now)
        self.accounts = Accounts(self.ledger, LIMITS, now)
        self.service = JobService(
            self.ledger, self.api, poll_interval=3600, job_timeout=JOB_TIMEOUT, remix_timeout=REMIX_TIMEOUT,
            clock=now, accounts=self.accounts,
        )  # type: ignore[arg-type]  # fmt: skip
        await self.service.start()

    async def die(self) -> None:
        """Everything in memory is gone; what the ledger committed stays."""
        await self.service.stop()
        await self.ledger.close()


class JobMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.folder = tempfile.TemporaryDirectory()
        self.clock = [time.time()]
        self.api = Api()
        self.bot = Bot(Path(self.folder.name) / "ledger.sqlite3", self.api, self.clock)
        self.messages = itertools.count(1000)
        self.kept: set[int] = set()  # cancelled while the API made them, the server keeping the charge
        self.refund_cancelled = True
        self.run(self.bot.start())

    def run(self, step: object) -> object:
        return self.loop.run_until_complete(step)  # type: ignore[arg-type]

    def act(self, step: object) -> None:
        """A step of the bot; a planned crash kills the process in it, and it restarts from the ledger."""
        try:
            self.run(step)
            self.run(self.bot.service.wait_started())
        except Crash:
            pass
        if self.api.crashed:
            event("a crash during a submit")
            self.restart()

    def restart(self) -> None:
        while True:
            self.api.crashed = False
            self.run(self.bot.die())
            self.run(self.bot.start())
            self.run(self.bot.service.wait_started())
            if not self.api.crashed:  # a queued job started at start-up may crash it again
                return

    def teardown(self) -> None:
        try:
            self.run(self.settle())
            jobs = self.run(self.bot.ledger.jobs_where("1 = 1", ()))
            assert all(j.status in FINISHED for j in jobs), [(j.id, j.status) for j in jobs]  # type: ignore[union-attr]
            self.check_money()
            self.run(self.bot.die())
        finally:
            self.loop.close()
            self.folder.cleanup()

    async def settle(self) -> None:
        """Every task upstream finishes, time passes: every job must end."""
        for _ in range(12):
            for task in self.api.tasks.values():
                if task.status is JobStatus.RUNNING:
                    task.status = JobStatus.SUCCEEDED
            self.clock[0] += REMIX_TIMEOUT + 1
            await self.bot.service.poll_once()
            await self.bot.service.wait_started()
            if self.api.crashed:
                self.api.crashed = False
                await self.bot.die()
                await self.bot.start()
                await self.bot.service.wait_started()
            if not await self.bot.ledger.jobs_with_status([s for s in JobStatus if s not in FINISHED]):
                return

    # -- helpers ---------------------------------------------------------------------------------
    def jobs(self, where: str = "1 = 1", params: tuple[object, ...] = ()) -> list[Job]:
        return self.run(self.bot.ledger.jobs_where(where, params, "ORDER BY id"))  # type: ignore[return-value]

    async def opened(self, job: Job, answer: str) -> Job:
        self.api.plan[job.id] = answer
        job = await self.bot.service.set_message(job.id, next(self.messages))
        return await self.bot.service.begin(job)

    async def start_imagine(self, user: int, answer: str) -> None:
        who = Requester(user, GUILD, 1)
        try:
            ticket = self.bot.accounts.reserve(who, [], JobAction.IMAGINE, ["a kite"])
            job = await self.bot.accounts.open_job(
                who, [], ticket=ticket, provider="fake", action=JobAction.IMAGINE, prompt="a kite",
                request=requests.encode(ImagineRequest("a kite")),
            )  # fmt: skip
        except Refusal:
            return
        await self.opened(job, answer)

    async def press_button(self, user: int, parent: Job, index: int, answer: str) -> Job | None:
        found = self.bot.service.button(parent, index)
        assert found is not None
        action = found[1].action
        try:
            job = await self.bot.accounts.open_job(
                Requester(user, GUILD, 1), [], single_flight=action is JobAction.UPSCALE, provider="fake",
                action=action, prompt=parent.prompt, parent_id=parent.id, parent_button=index,
                request=requests.encode(ActionRequest(parent.id, index)),
            )  # fmt: skip
        except Refusal:
            return None
        return await self.opened(job, answer)

    def finished_with(self, faces: set[JobAction]) -> list[tuple[Job, int]]:
        out = []
        for job in self.jobs("status = 'succeeded'"):
            for index in range(len(job.buttons)):
                found = self.bot.service.button(job, index)
                if found is not None and found[1].action in faces:
                    out.append((job, index))
        return out

    # -- rules -----------------------------------------------------------------------------------
    @initialize()
    def a_finished_grid(self) -> None:
        """A grid to press from the first step (an upscale of it, then, to animate)."""
        self.act(self.start_imagine(MEMBERS[0], "accept"))
        for task in self.api.tasks.values():
            task.status = JobStatus.SUCCEEDED
        self.act(self.bot.service.poll_once())

    @rule(user=st.sampled_from(MEMBERS), answer=st.sampled_from(ANSWERS))
    def imagine(self, user: int, answer: str) -> None:
        self.act(self.start_imagine(user, answer))

    @precondition(lambda self: bool(self.finished_with({JobAction.UPSCALE, JobAction.VARIATION, JobAction.REROLL})))
    @rule(
        user=st.sampled_from(MEMBERS),
        pick=st.integers(0, 50),
        answer=st.sampled_from(ANSWERS),
        video=st.booleans(),
    )
    def press(self, user: int, pick: int, answer: str, video: bool) -> None:
        faces = {JobAction.VIDEO} if video else {JobAction.UPSCALE, JobAction.VARIATION, JobAction.REROLL}
        choices = self.finished_with(faces) or self.finished_with({JobAction.UPSCALE, JobAction.VARIATION})
        parent, index = choices[pick % len(choices)]
        event(f"press {self.bot.service.button(parent, index)[1].action}")  # type: ignore[index]
        self.act(self.press_button(user, parent, index, answer))

    @precondition(lambda self: bool(self.finished_with({JobAction.UPSCALE})))
    @rule(users=st.lists(st.sampled_from(MEMBERS), min_size=2, max_size=4), pick=st.integers(0, 50))
    def upscale_at_once(self, users: list[int], pick: int) -> None:
        """Single flight: the same U pressed by several at once is one paid upscale; the others show it."""
        choices = self.finished_with({JobAction.UPSCALE})
        parent, index = choices[pick % len(choices)]

        async def presses() -> None:
            await asyncio.gather(*(self.press_button(u, parent, index, "accept") for u in users))

        before = self.paid_upscales(parent.id, index)
        event("upscale pressed at once")
        self.act(presses())
        assert self.paid_upscales(parent.id, index) <= max(before, 1)

    def paid_upscales(self, parent_id: int, index: int) -> int:
        where = "parent_id = ? AND parent_button = ? AND source_id IS NULL AND status NOT IN ('failed', 'cancelled')"
        return len(self.jobs(where, (parent_id, index)))

    @precondition(lambda self: bool(self.jobs("status NOT IN ('succeeded', 'failed', 'cancelled')")))
    @rule(pick=st.integers(0, 50))
    def cancel(self, pick: int) -> None:
        live = self.jobs("status NOT IN ('succeeded', 'failed', 'cancelled')")
        job = live[pick % len(live)]
        making = job.status in MAKING
        event(f"cancel while {job.status}")
        ended = self.run(self.bot.service.cancel(job, refund_running=self.refund_cancelled))
        self.run(self.bot.service.wait_started())
        if ended.status is JobStatus.CANCELLED and making and not self.refund_cancelled:  # type: ignore[union-attr]
            self.kept.add(job.id)

    @precondition(lambda self: bool(self.finished_with({JobAction.VARIATION})))
    @rule(pick=st.integers(0, 50))
    def cancel_while_submitting(self, pick: int) -> None:
        """Cancel pressed while the paid submit is on its way: too late, the answer is recorded."""
        choices = self.finished_with({JobAction.VARIATION})
        parent, index = choices[pick % len(choices)]

        async def race() -> None:
            self.api.hold, self.api.arrived = asyncio.Event(), asyncio.Event()
            pressing = asyncio.create_task(self.press_button(MEMBERS[0], parent, index, "accept"))
            arrived = asyncio.create_task(self.api.arrived.wait())
            await asyncio.wait({pressing, arrived}, return_when=asyncio.FIRST_COMPLETED)  # on its way, or refused
            arrived.cancel()
            for job in await self.bot.ledger.jobs_with_status([JobStatus.SUBMITTING]):
                assert (await self.bot.service.cancel(job, refund_running=True)).status is JobStatus.SUBMITTING
            event(f"cancel while submitting: {pressing.done()}")
            self.api.hold.set()
            self.api.hold = None
            await pressing

        self.act(race())

    @precondition(lambda self: bool(self.jobs("status = 'needs_input'")))
    @rule(pick=st.integers(0, 50), twice=st.booleans())
    def remix_prompt(self, pick: int, twice: bool) -> None:
        """The member's Remix prompt; `twice`: the dialog submitted twice at once (one submit only)."""
        waiting = self.jobs("status = 'needs_input'")
        job = waiting[pick % len(waiting)]

        async def confirm() -> None:
            await asyncio.gather(*(self.bot.service.confirm_input(job, "a red kite") for _ in range(1 + twice)))

        event(f"remix prompt sent {1 + twice} time(s)")
        self.act(confirm())
        assert self.api.tasks[job.upstream_task_id or ""].confirms <= 1

    @precondition(lambda self: bool(self.api.tasks))
    @rule(pick=st.integers(0, 50), outcome=st.sampled_from([JobStatus.SUCCEEDED, JobStatus.FAILED]))
    def upstream_ends(self, pick: int, outcome: JobStatus) -> None:
        running = [t for t in self.api.tasks.values() if t.status is JobStatus.RUNNING]
        if running:
            running[pick % len(running)].status = outcome
        self.act(self.bot.service.poll_once())

    @rule(seconds=st.sampled_from([30.0, REMIX_TIMEOUT + 1, JOB_TIMEOUT + 1]))
    def time_passes(self, seconds: float) -> None:
        """Abandoned Remix prompts and stalled jobs time out, refunded."""
        self.clock[0] += seconds
        self.act(self.bot.service.poll_once())

    @rule()
    def crash(self) -> None:
        """kill -9 between steps: the next process resumes from the ledger alone."""
        self.restart()

    @rule()
    def server_flips_refund_cancelled(self) -> None:
        self.refund_cancelled = not self.refund_cancelled

    # -- invariants ------------------------------------------------------------------------------
    @invariant()
    def money_is_exact(self) -> None:
        self.check_money()

    def check_money(self) -> None:
        net = dict(
            self.run(  # type: ignore[arg-type]
                self.bot.ledger.fetch_all(
                    "SELECT job_id, SUM(CASE kind WHEN 'charge' THEN amount ELSE -amount END) FROM credit_entries"
                    " GROUP BY job_id"
                )
            )
        )
        for job in self.jobs():
            ended_unpaid = job.status in (JobStatus.FAILED, JobStatus.CANCELLED) and job.id not in self.kept
            assert net.get(job.id, 0) == (0 if ended_unpaid else job.cost), (job.id, job.status, net.get(job.id))
            assert self.api.submits[job.id] <= 1, f"job {job.id} submitted twice"
            if job.status is JobStatus.SUCCEEDED and job.cost and job.source_id is None:
                task = self.api.tasks.get(job.upstream_task_id or "")
                assert task is not None and task.job_id == job.id, f"job {job.id} paid with no task of its own"

    @invariant()
    def no_reservation_without_a_job(self) -> None:
        accounts = self.bot.accounts
        assert not any(accounts._pending.values()), accounts._pending
        for user in MEMBERS:
            mirrored = accounts.mirror(GUILD, user)
            if mirrored is None:
                continue

            async def on_record(user: int = user) -> object:
                async with self.bot.ledger.transaction() as db:
                    return await read_standing(db, GUILD, user, local_day(GuildConfig(), self.clock[0]))

            recorded = self.run(on_record())
            assert mirrored.on(recorded.day) == recorded, (user, mirrored, recorded)  # type: ignore[attr-defined]


REPRO = os.environ.get("HYPOTHESIS_PROFILE") == "job-machine-repro"
JobMachine.TestCase.settings = settings.get_profile("job-machine-repro") if REPRO else NORMAL
TestJobLifeCycle = JobMachine.TestCase
