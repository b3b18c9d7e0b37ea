"""The job service: submit jobs, record them, follow them, tell listeners. No Discord in here.

One poller follows every job in flight with one batched request per interval. Every change of a
job is written to the ledger first and then published, so a restart resumes from the ledger alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core import crashpoints, lifecycle, requests
from bot.core.accounts import Accounts
from bot.core.buttons import JOB_ACTIONS, VIDEO_ACTIONS, ButtonFace, bot_video, bot_video_buttons, describe_button
from bot.core.errors import ErrorKind, MJError, ProviderError
from bot.core.images import ImageFetcher
from bot.core.ledger import Ledger
from bot.core.lifecycle import CANCELLABLE, MAKING, UNFINISHED, IllegalTransition
from bot.core.models import (
    BlendRequest,
    EditRequest,
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
from bot.core.providers.base import (
    SUBMIT_STATE,
    Provider,
    canceller,
    confirmer,
    editor,
    seeder,
    state_finder,
    takes_prompt,
    video_maker,
)
from bot.core.providers.pool import ProviderPool, not_taken
from bot.core.reasons import failure_message
from bot.core.redact import redact, redact_text
from bot.core.requests import ActionRequest, RegionRequest
from bot.core.shards import EVERY_SERVER, ShardSet
from bot.core.storage import Connection
from bot.core.text import Text

log = logging.getLogger(__name__)

Listener = Callable[[Job], Awaitable[None]]

# A task the API stops reporting is given up after this long (it was deleted or expired upstream).
LOST_AFTER = 120.0
PROMPTS_BACK = (JobAction.DESCRIBE, JobAction.SHORTEN)  # jobs whose result is prompts to pick, not an image
SINGLE_IMAGES = (JobAction.UPSCALE, JobAction.UPSCALE_HD)  # what Animate starts from
SUBMITS_AT_ONCE = 8
SEED_TIMEOUT = 5.0  # seconds a seed may take before ✉️ Send to me goes without it
DRAIN_CHECK = 0.05  # seconds between looks at the submits a graceful stop waits for


@dataclass
class _Followed:
    job: Job
    missing_since: float | None = None
    waiting_input: bool = False  # upstream waits for a modal: nothing to poll, the timeout still runs
    streaming: bool = False  # states arrive on a stream: not polled while it lasts
    stream: asyncio.Task[None] | None = None
    updates: AsyncIterator[TaskSnapshot] | None = None  # the stream `stream` consumes (and closes)


class JobService:
    def __init__(
        self,
        ledger: Ledger,
        provider: Provider,
        *,
        poll_interval: float = 3.0,
        job_timeout: float = 900.0,
        remix_timeout: float = 600.0,
        clock: Callable[[], float] = time.time,
        accounts: Accounts | None = None,
        images: ImageFetcher | None = None,
        shards: ShardSet = EVERY_SERVER,
        fallbacks: Sequence[Provider] = (),
        provider_cooldown: float = 300.0,
    ) -> None:
        self.ledger = ledger
        # Jobs of other shards' servers are left to the process running those shards (bot/core/shards.py).
        self.shards = shards
        self.accounts = accounts
        self.provider = provider  # the first: what the commands offer (capabilities) follows it
        self.pool = ProviderPool([provider, *fallbacks], provider_cooldown, clock)
        self.poll_interval = poll_interval
        self.job_timeout = job_timeout
        self.remix_timeout = remix_timeout
        self.images = images  # when given, a result counts as delivered only once its image downloads
        self._clock = clock
        self._listeners: list[Listener] = []
        self._following: dict[int, _Followed] = {}
        self._wake = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None
        self._starting: set[asyncio.Task[Job]] = set()  # queued jobs being submitted
        self._finishing: set[asyncio.Task[None]] = set()  # results whose image is being checked
        self._outage: _Outage | None = None
        self._scanning = False  # start() is sorting out the ledger: no queued job may start meanwhile
        # Paid submits in flight at once: a burst of hundreds waits here, cheaply, instead of in the HTTP
        # pool (whose bookkeeping grows with every waiter) and ahead of new interactions on the event loop.
        self._submits = asyncio.Semaphore(SUBMITS_AT_ONCE)
        self._paying = 0  # submits between their call and the ledger's record of the answer
        self._closing = False
        self.polls = 0  # batched status requests made, for benchmarks and tests

    # -- lifecycle -----------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def start(self) -> None:
        """Pick up every unfinished job from the ledger, then start following."""
        self._scanning = True
        if self.accounts is not None:
            await self.accounts.load()
        unconfirmed = [
            j
            for j in await self._mine(self.ledger.jobs_with_status([JobStatus.SUBMITTING]))
            if j.upstream_task_id is None
        ]
        await self._recover(unconfirmed)
        for job in await self._mine(self.ledger.jobs_with_status(UNFINISHED)):
            if job.status is JobStatus.MIRRORING:
                await self._settle_mirror(job)
            elif job.status is JobStatus.WAITING:
                if job.message_id is None:
                    # Stopped before its message was posted: nobody could see it wait.
                    await self._finish_failed(job, Text("job-restarted-before-start"))
            elif job.upstream_task_id is None:  # not found by `_recover`: it never reached the API
                await self._finish_failed(job, Text("job-restarted-before-submit"))
            else:
                if self._task_of(job) is None:
                    log.warning(
                        "job %s was sent to %s, which is not configured: it cannot be followed and is given up"
                        " after %.0f s", job.id, job.provider, LOST_AFTER,
                    )  # fmt: skip
                log.info("resuming job %s (upstream task %s)", job.id, job.upstream_task_id)
                self._follow(job, waiting_input=job.status is JobStatus.NEEDS_INPUT)
        for job in await self._mine(self.ledger.undelivered()):
            await self._publish(job)
        self._scanning = False
        self._poller = asyncio.create_task(self._poll_forever(), name="mj-poller")
        await self._fill_slots()

    async def _mine(self, query: Awaitable[list[Job]]) -> list[Job]:
        """The jobs of `query` whose server this process owns."""
        return self.shards.mine(await query, lambda job: job.guild_id)

    async def _recover(self, jobs: list[Job]) -> None:
        """Jobs submitted just before the bot died, found upstream by the `state` they were sent with."""
        if not jobs:
            return
        found: dict[str, TaskSnapshot] = {}
        unasked: set[str] = set()  # providers that offer no way to look, or did not answer
        for name in {j.provider for j in jobs}:  # each job at the API it was sent to
            finder = state_finder(self.pool.get(name))
            mine = [submit_state(self.ledger.instance, j.id) for j in jobs if j.provider == name]
            try:
                if finder is None:
                    unasked.add(name)
                else:
                    found.update(await finder.find_by_state(mine))
            except MJError as exc:
                unasked.add(name)
                log.warning("could not look up %d job(s) submitted before the restart: %s", len(mine), exc)
        for job in jobs:
            snapshot = found.get(submit_state(self.ledger.instance, job.id))
            if snapshot is None:
                if job.provider in unasked:
                    log.warning(
                        "job %s: submitted before the restart, and the API offers no way to find it; refunded"
                        " (it may have run upstream)",
                        job.id,
                    )
                    await self._finish_failed(job, Text("job-restarted-while-submitting"))
                continue
            log.info("job %s: found upstream as task %s after the restart", job.id, snapshot.task_id)
            status = JobStatus.NEEDS_INPUT if snapshot.status is JobStatus.NEEDS_INPUT else JobStatus.QUEUED
            fields: dict[str, Any] = {"input_since": self._clock()} if status is JobStatus.NEEDS_INPUT else {}
            await self.ledger.transition(
                job.id, status, upstream_task_id=snapshot.task_id, submitted_at=self._clock(), **fields
            )

    async def stop(self) -> None:
        for task in list(self._finishing):
            task.cancel()
        for followed in self._following.values():
            if followed.stream is not None:
                followed.stream.cancel()
        for starting in list(self._starting):
            starting.cancel()
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None

    async def drain(self, seconds: float) -> bool:
        """A graceful stop's first half: no new work (members are told the bot restarts), no queued job
        started, and every paid submit on its way waited for until the ledger holds its answer, for at most
        `seconds`. False if some were still on their way (the next start finds them upstream)."""
        self._closing = True
        if self.accounts is not None:
            self.accounts.closing = True
        try:
            async with asyncio.timeout(seconds):
                while True:  # a look at the ledger: a job written but not yet submitted is counted there
                    if not await self._unsettled_submits():
                        return True
                    await asyncio.sleep(DRAIN_CHECK)
        except TimeoutError:
            return False

    async def _unsettled_submits(self) -> int:
        """Paid submits not yet in the ledger: reserved jobs not yet written, jobs written and not yet
        submitted (or whose submit is on its way), and answers being recorded."""
        reserved = self.accounts.reserved if self.accounts is not None else 0
        mine = await self._mine(self.ledger.jobs_with_status([JobStatus.SUBMITTING]))
        return reserved + self._paying + sum(1 for job in mine if job.upstream_task_id is None)

    async def wait_started(self) -> None:
        """Until the queued jobs given a slot are submitted (at shutdown, and in tests)."""
        while self._starting:
            await asyncio.gather(*list(self._starting), return_exceptions=True)

    @property
    def following(self) -> int:
        return len(self._following)

    async def push(self, snapshot: TaskSnapshot) -> bool:
        """A state the API pushed (notifyHook / callback_url). False if no job in flight has that task."""
        for followed in list(self._following.values()):
            # Pushes come in the first provider's dialect: its tasks alone.
            if self._task_of(followed.job) == snapshot.task_id and self.provider_of(followed.job) is self.provider:
                await self._apply(followed, snapshot)
                return True
        return False

    # -- taking jobs on --------------------------------------------------------------------------
    async def begin(self, job: Job) -> Job:
        """Take a freshly opened job on: submit it, show its place in the queue, or show a shared result."""
        if job.status is JobStatus.MIRRORING:
            return await self._settle_mirror(job)
        if job.status is JobStatus.SUCCEEDED:  # a finished upscale shown again for free
            await self._publish(job)
            return job
        if job.status is JobStatus.WAITING:
            await self._fill_slots()
            fresh = await self.ledger.get(job.id) or job
            if fresh.status is JobStatus.WAITING:
                await self._publish_waiting(fresh)
            return fresh
        return await self._submit_stored(job)

    async def abandon(self, job: Job, message: Text) -> Job:
        """A job the bot could not carry on with before submitting it (its message could not be posted)."""
        return await self._finish_failed(job, message)

    async def _submit_stored(self, job: Job) -> Job:
        """Submit a charged job from its stored request. Any fault before the submit ends the job refunded:
        a job left SUBMITTING would hold the member's slot with nothing upstream."""
        try:
            stored = await self.ledger.request_of(job.id)
            if stored is None:
                return await self._finish_failed(job, Text("job-request-lost"))
            await self.ledger.update(job.id, request=None)  # reference images need not stay in the ledger
            request = requests.decode(stored)
            parent = (
                await self.ledger.get(request.parent_id) if isinstance(request, ActionRequest | RegionRequest) else None
            )
        except Exception:
            log.exception("job %s: its request could not be read before the submit", job.id)
            return await self._finish_failed(job, Text("job-submit-crashed"))
        if isinstance(request, ImagineRequest):
            return await self.submit_imagine(job, request)
        if isinstance(request, BlendRequest):
            return await self.submit_blend(job, request)
        if isinstance(request, requests.DescribeRequest):
            return await self.submit_describe(job, request.image)
        if isinstance(request, requests.ShortenRequest):
            return await self.submit_shorten(job, request)
        if isinstance(request, EditRequest):
            return await self.submit_edit(job, request)
        if parent is None:
            return await self._finish_failed(job, Text("job-parent-gone"))
        if isinstance(request, requests.RegionRequest):
            return await self.submit_vary_region(job, parent, request)
        return await self.submit_action(job, parent, request)

    async def _publish_waiting(self, job: Job) -> None:
        if self.accounts is not None:
            job.queue_position = await self.accounts.queue_position(job)
        await self._publish(job)

    async def _fill_slots(self) -> None:
        """Start waiting jobs that have a slot now, and tell the rest their new place."""
        if self.accounts is None or self._scanning or self._closing or not self.shards.ids:
            return  # closing: queued jobs start at the next start; no shards: an operator's command
        started = await self.accounts.start_waiting(self.shards.owns)
        for job in started:
            task = asyncio.create_task(self._submit_stored(job), name=f"start-{job.id}")
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)
        if started:
            for waiting in await self._mine(self.ledger.jobs_with_status([JobStatus.WAITING])):
                if waiting.message_id is not None:
                    await self._publish_waiting(waiting)

    async def _settle_mirror(self, job: Job) -> Job:
        """A job showing another's result: finish it like its source, or show that it waits for it."""
        source = await self.ledger.get(job.source_id) if job.source_id else None
        if source is None:
            return await self._finish_failed(job, Text("job-shared-upscale-gone"))
        if source.status is JobStatus.SUCCEEDED:
            try:
                job = await self.ledger.transition(
                    job.id,
                    JobStatus.SUCCEEDED,
                    upstream_task_id=source.upstream_task_id,
                    action_ref=source.action_ref,
                    progress=100,
                    image_url=source.image_url,
                    buttons=source.buttons,
                    finished_at=self._clock(),
                )
            except IllegalTransition:
                return await self.ledger.get(job.id) or job
            await self._publish(job)
            return job
        if source.status in (JobStatus.FAILED, JobStatus.CANCELLED):
            return await self._finish_failed(job, Text("job-shared-upscale-failed"))
        await self._publish(job)
        return job

    async def _settle_mirrors(self, source: Job) -> None:
        for mirror in await self.ledger.jobs_where("source_id = ? AND status = ?", (source.id, "mirroring")):
            await self._settle_mirror(mirror)

    def provider_of(self, job: Job) -> Provider:
        """The API that made `job` (or is making it): its status, buttons and cancel go there."""
        return self.pool.get(job.provider)

    # New jobs stand alone: one an API certainly did not take may go to the next healthy one (`_submit`).
    async def submit_imagine(self, job: Job, request: ImagineRequest) -> Job:
        return await self._submit(job, lambda: self.provider_of(job).imagine(request), movable=True)

    async def submit_blend(self, job: Job, request: BlendRequest) -> Job:
        return await self._submit(job, lambda: self.provider_of(job).blend(request), movable=True)

    async def submit_describe(self, job: Job, image: ReferenceImage) -> Job:
        return await self._submit(job, lambda: self.provider_of(job).describe(image), movable=True)

    async def submit_shorten(self, job: Job, request: requests.ShortenRequest) -> Job:
        shorten = lambda: self.provider_of(job).shorten(request.prompt, request.bot_type)  # noqa: E731
        return await self._submit(job, shorten, movable=True)

    async def submit_edit(self, job: Job, request: EditRequest) -> Job:
        edits = editor(self.provider_of(job))
        if edits is None:  # the flows refuse /edit first; a queued job meets a provider changed since
            return await self._finish_failed(job, Text("edit-unsupported"))
        return await self._submit(job, lambda: edits.edit(request))

    def takes_remix(self, parent: Job, index: int) -> bool:
        """Whether button `index` of `parent` can carry a Remix prompt to this API (asked before charging)."""
        found = self.button(parent, index)
        return found is not None and takes_prompt(self.provider_of(parent), found[0].custom_id)

    def button(self, parent: Job, index: int) -> tuple[UpstreamButton, ButtonFace] | None:
        """Button `index` of a finished job, if it is one this bot shows."""
        if parent.status is not JobStatus.SUCCEEDED or not 0 <= index < len(parent.buttons):
            return None
        face = describe_button(parent.buttons[index])
        return (parent.buttons[index], face) if face is not None else None

    async def submit_action(self, job: Job, parent: Job, request: ActionRequest) -> Job:
        """Press button `request.index` of `parent`; its upstream customId is sent verbatim.

        If the API then asks for input, `request.prompt` answers it at once (Custom Zoom, or a Remix prompt
        the member gave before the press); without one the job waits in NEEDS_INPUT for `confirm_input`
        (Remix set on the API's account).
        """
        found = self.button(parent, request.index)
        ref = parent.action_ref or parent.upstream_task_id
        if found is None or ref is None or found[1].action not in JOB_ACTIONS:
            return await self._finish_failed(job, Text("job-button-gone"))
        custom_id, prompt, mode = found[0].custom_id, request.prompt, request.mode
        if (made := bot_video(custom_id)) is not None:
            return await self._submit_video(job, parent, ref, *made, mode)
        remix = prompt if request.remix else None
        if remix is not None and not takes_prompt(self.provider_of(parent), custom_id):  # the flows refuse first
            return await self._finish_failed(job, Text("remix-not-here"))

        provider = self.provider_of(parent)  # only the API that made the parent knows its buttons

        async def press() -> SubmitResult:
            result = await provider.action(ref, custom_id, mode, remix_prompt=remix)
            if result.needs_input and prompt is not None and (confirm := confirmer(provider)) is not None:
                return await confirm.modal(result.task_id, prompt, mode)
            return result

        return await self._submit(job, press)

    async def _submit_video(self, job: Job, parent: Job, ref: str, extend: bool, motion: str, mode: str | None) -> Job:
        """The bot's own Animate / Extend: the dialect's video endpoint, from the parent's image or video."""
        maker, image_url = video_maker(self.provider_of(parent)), parent.image_url
        if maker is None or (not extend and not image_url):
            return await self._finish_failed(job, Text("job-button-gone"))
        if extend:
            return await self._submit(job, lambda: maker.extend(ref, parent.prompt, motion, mode))
        assert image_url is not None
        return await self._submit(job, lambda: maker.animate(image_url, parent.prompt, motion, mode))

    async def submit_vary_region(self, job: Job, parent: Job, request: RegionRequest) -> Job:
        found = self.button(parent, request.index)
        ref = parent.action_ref or parent.upstream_task_id
        if found is None or ref is None or found[1].action is not JobAction.VARY_REGION:
            return await self._finish_failed(job, Text("job-button-gone"))
        custom_id = found[0].custom_id
        return await self._submit(
            job,
            lambda: self.provider_of(parent).vary_region(
                ref, custom_id, request.prompt, request.mask_png, request.mode
            ),
        )

    async def confirm_input(self, job: Job, prompt: str) -> Job:
        """Answer a job waiting for input (Remix) with the prompt the member settled on.

        The prompt passes the server's rules first (`Refusal`); then it is a new submit, at the job's mode.
        """
        if job.status is not JobStatus.NEEDS_INPUT or job.upstream_task_id is None:
            return job
        if self.accounts is not None:
            await self.accounts.admit(Requester(job.user_id, job.guild_id, job.channel_id), [prompt])
        task_id, mode = job.upstream_task_id, job.mode
        try:
            job = await self.ledger.transition(job.id, JobStatus.SUBMITTING, prompt=prompt, input_since=None)
        except IllegalTransition:
            return await self.ledger.get(job.id) or job
        self._following.pop(job.id, None)
        confirm = confirmer(self.provider_of(job))
        if confirm is None:  # a job waits for input only on a dialect that confirms
            return await self._finish_failed(job, Text("job-button-gone"))
        return await self._submit(job, lambda: confirm.modal(task_id, prompt, mode))

    async def cancel(self, job: Job, refund_running: bool) -> Job:
        """Stop a job for its member. Queued in the bot or waiting for its Remix prompt: nothing runs upstream,
        refunded. Taken by the API: the API is asked to stop it where it can be, the bot stops following it,
        and it is refunded when `refund_running` (the server's `refund_cancelled`). A job being submitted or
        finished is left alone.
        """
        if job.status not in CANCELLABLE:
            return job
        upstream = job.status is not JobStatus.WAITING and job.upstream_task_id is not None
        # Queued in the bot or waiting for a Remix prompt, nothing was made upstream: refunded whatever the
        # server chose.
        refund = job.status not in MAKING or refund_running
        self._forget(job.id)
        cancel = canceller(self.provider_of(job))
        if upstream and cancel is not None and job.upstream_task_id is not None:
            try:
                await cancel.cancel(job.upstream_task_id)
                log.info("job %s: the API was asked to stop task %s", job.id, job.upstream_task_id)
            except MJError as exc:
                log.info("job %s: the API would not stop task %s (%s)", job.id, job.upstream_task_id, exc)
        note = Text("job-cancelled-refunded") if refund and job.cost else Text("job-cancelled")
        try:
            job = await self.ledger.transition(
                job.id, JobStatus.CANCELLED, error=note, finished_at=self._clock(),
                within=self._refund_of(job) if refund else None,
            )  # fmt: skip
        except IllegalTransition:
            return await self.ledger.get(job.id) or job  # it finished or was cancelled meanwhile
        log.info("job %s cancelled (%s)", job.id, "refunded" if job.refunded else "not refunded")
        await self._publish(job)
        await self._settle_mirrors(job)
        await self._fill_slots()
        return job

    async def seed(self, job: Job) -> str | None:
        """The seed of a finished job's image where the API tells it (free), else None: never an error for
        the member; why it went without is logged for the admin. Videos have none to ask for."""
        seeds = seeder(self.provider_of(job))
        ref = job.action_ref or job.upstream_task_id
        if seeds is None or ref is None or job.video_urls:
            return None
        try:
            found = await asyncio.wait_for(seeds.seed(ref), SEED_TIMEOUT)
        except TimeoutError:
            log.info("job %s: no seed, the API did not tell it within %.0f s", job.id, SEED_TIMEOUT)
            return None
        except MJError as exc:
            log.info("job %s: no seed, the API would not tell it (%s)", job.id, exc)
            return None
        if found is None:
            log.info("job %s: no seed, the API has none for %s", job.id, ref)
        return found

    async def bookmark(self, parent: Job, index: int) -> Text:
        """❤️: a favourite on the upstream account; no image, so no job."""
        found = self.button(parent, index)
        ref = parent.action_ref or parent.upstream_task_id
        if found is None or ref is None or found[1].action is not JobAction.BOOKMARK:
            return Text("job-button-gone")
        try:
            await self.provider_of(parent).action(ref, found[0].custom_id)
        except MJError as exc:
            return exc.text
        return Text("job-bookmarked")

    async def _submit(self, job: Job, call: Callable[[], Awaitable[SubmitResult]], *, movable: bool = False) -> Job:
        """A paid submit, counted until its answer is in the ledger: a graceful stop waits for it."""
        self._paying += 1
        try:
            return await self._send(job, call, movable)
        finally:
            self._paying -= 1

    async def _send(self, job: Job, call: Callable[[], Awaitable[SubmitResult]], movable: bool) -> Job:
        token = SUBMIT_STATE.set(submit_state(self.ledger.instance, job.id))
        try:
            while True:
                try:
                    async with self._submits:
                        result = await call()
                    self.pool.answered(self.provider_of(job).name)
                    break
                except MJError as exc:
                    if not await self._moved_on(job, exc, movable):
                        raise
            crashpoints.reached("submit.answered")
        except MJError as exc:
            log.warning("job %s: submit refused: %s", job.id, exc)
            return await self._finish_failed(job, exc.text, exc.kind)
        except Exception:
            log.exception("job %s: submit crashed", job.id)
            return await self._finish_failed(job, Text("job-submit-crashed"))
        finally:
            SUBMIT_STATE.reset(token)
        try:
            return await self._accepted(job, result)
        finally:
            if result.updates is not None and not self._streams_to(job.id, result.updates):
                await _close(result.updates)  # not followed: its connection and stream slot go back at once

    def _streams_to(self, job_id: int, updates: AsyncIterator[TaskSnapshot]) -> bool:
        followed = self._following.get(job_id)
        return followed is not None and followed.updates is updates

    async def _accepted(self, job: Job, result: SubmitResult) -> Job:
        """Record an accepted submit and follow it (on its stream, where there is one)."""
        updates = result.updates
        now = self._clock()
        if result.needs_input:
            # Nothing runs upstream until the prompt comes: REMIX_TIMEOUT counts, not JOB_TIMEOUT.
            fields: dict[str, Any] = {"input_since": now}
            status = JobStatus.NEEDS_INPUT
        else:
            fields, status = {"submitted_at": now}, JobStatus.QUEUED
        try:
            job = await self.ledger.transition(job.id, status, upstream_task_id=result.task_id, **fields)
        except IllegalTransition:
            log.error("job %s: accepted upstream as %s but no longer submitting", job.id, result.task_id)
            return await self.ledger.get(job.id) or job
        log.info("job %s accepted as upstream task %s (%s)", job.id, result.task_id, status)
        await self._publish(job)
        followed = self._follow(job, waiting_input=result.needs_input, streaming=updates is not None)
        if result.snapshot is not None:
            await self._apply(followed, result.snapshot)
        if updates is not None and job.id in self._following:
            followed.updates = updates
            followed.stream = asyncio.create_task(self._consume(followed, updates), name=f"stream-{job.id}")
        return await self.ledger.get(job.id) or job

    async def _moved_on(self, job: Job, exc: MJError, movable: bool) -> bool:
        """After a failed submit: the provider is skipped for a while if it is down, and a job it certainly did
        not take is given to the next healthy one (True; the ledger names it before the submit, so a restart
        looks for the job there). Never for a job the API may have taken: that submit cost money."""
        name = self.provider_of(job).name
        if not self.pool.failed(name, exc):
            return False
        log.warning("provider %s is skipped for %.0f s: %s", name, self.pool.cooldown, exc)
        after = self.pool.choose(after=name) if movable and not_taken(exc) else None
        if after is None:
            return False
        log.warning("job %s: %s did not take it; sent to %s instead", job.id, name, after.name)
        job.provider = after.name
        await self.ledger.update(job.id, provider=after.name)
        return True

    async def _consume(self, followed: _Followed, updates: AsyncIterator[TaskSnapshot]) -> None:
        """Apply a stream's states; if it ends before the job does, polling takes over."""
        try:
            async for snapshot in updates:
                await self._apply(followed, snapshot)
                if followed.job.id not in self._following:
                    return
        except MJError as exc:
            log.warning("job %s: stream failed: %s; following by polling", followed.job.id, exc)
        except Exception:
            log.exception("job %s: stream crashed; following by polling", followed.job.id)
        finally:
            await _close(updates)
        if followed.job.id in self._following:
            log.info("job %s: stream ended early; following by polling", followed.job.id)
            followed.streaming = False
            self._wake.set()

    # -- delivery bookkeeping --------------------------------------------------------------------
    async def mark_delivered(self, job_id: int, *, width: int | None = None, height: int | None = None) -> None:
        await self.ledger.update(job_id, delivered=True, image_width=width, image_height=height)

    async def set_message(self, job_id: int, message_id: int) -> Job:
        return await self.ledger.update(job_id, message_id=message_id)

    # -- following -----------------------------------------------------------------------------
    def _follow(self, job: Job, *, waiting_input: bool = False, streaming: bool = False) -> _Followed:
        followed = _Followed(job, waiting_input=waiting_input, streaming=streaming)
        self._following[job.id] = followed
        self._wake.set()
        return followed

    async def _poll_forever(self) -> None:
        while True:
            if not self._following:
                self._wake.clear()
                await self._wake.wait()
            try:
                await self.poll_once()
            except Exception:
                log.exception("poll failed")
            await asyncio.sleep(self._outage.delay(self.poll_interval) if self._outage else self.poll_interval)

    async def poll_once(self) -> None:
        """One batched status request for every job in flight, then timeouts."""
        if not self._following:
            return
        # A task id means something only to the provider that gave it: ids are asked of their own provider,
        # and a job of one no longer configured is never asked about (missing, so given up after LOST_AFTER).
        groups: dict[str, dict[str, _Followed]] = defaultdict(dict)  # provider → task id → job
        polled: list[tuple[_Followed, TaskSnapshot | None]] = []
        for f in self._following.values():
            if f.job.upstream_task_id and not f.streaming and not f.waiting_input:
                if (task_id := self._task_of(f.job)) is None:
                    polled.append((f, None))
                else:
                    groups[self.provider_of(f.job).name][task_id] = f
        for name, by_task in groups.items():
            snapshots = await self._statuses(name, list(by_task))
            if snapshots is not None:
                polled += [(f, snapshots.get(task_id)) for task_id, f in by_task.items()]
        now = self._clock()
        for followed, snapshot in polled:
            if snapshot is None:
                followed.missing_since = followed.missing_since or now
                if now - followed.missing_since >= LOST_AFTER:
                    await self._finish_failed(followed.job, Text("job-lost-upstream"))
                continue
            followed.missing_since = None
            await self._apply(followed, snapshot)
        for followed in list(self._following.values()):
            if followed.job.id in self._following:
                await self._time_out(followed.job, now)

    async def _statuses(self, name: str, task_ids: list[str]) -> dict[str, TaskSnapshot] | None:
        """One batched status request to one provider; None while it fails (ridden out with backoff)."""
        self.polls += 1
        try:
            snapshots = await self.pool.get(name).fetch_many(task_ids)
        except ProviderError as exc:
            # Outages are ridden out with backoff; the job timeout bounds how long. One line when it starts.
            if self._outage is None:
                log.warning("the image service %s is failing (%s); status checks back off until it answers", name, exc)
                self._outage = _Outage(self._clock())
            self._outage.failed(exc.retry_after)
            self.pool.failed(name, exc)  # no new jobs there meanwhile
            return None
        if self._outage is not None:
            log.warning("the image service %s answers again after %.0f s", name, self._clock() - self._outage.since)
            self._outage = None
        self.pool.answered(name)
        return snapshots

    async def _time_out(self, job: Job, now: float) -> None:
        """JOB_TIMEOUT from the accepted paid submit; REMIX_TIMEOUT while the job waits for a prompt."""
        if job.status is JobStatus.NEEDS_INPUT:
            since = job.input_since if job.input_since is not None else job.updated_at
            if now - since >= self.remix_timeout:
                await self._finish_failed(job, Text("job-remix-timeout", minutes=self.remix_timeout / 60))
            return
        since = job.submitted_at if job.submitted_at is not None else job.created_at
        if now - since >= self.job_timeout:
            await self._finish_failed(job, Text("job-timeout", minutes=self.job_timeout / 60))

    async def _apply(self, followed: _Followed, snap: TaskSnapshot) -> None:
        job = followed.job
        if job.id not in self._following:
            return  # already finished (a late stream line, a timeout)
        if snap.status is JobStatus.SUCCEEDED:
            await self._succeed(job, snap)
            return
        if snap.status is JobStatus.FAILED:
            kind, message = failure_message(snap.fail_reason, snap.fail_kind)
            log.info("job %s failed upstream (%s): %s", job.id, kind, snap.fail_reason)
            await self._finish_failed(job, message, kind)
            return
        progress = snap.progress if snap.progress is not None else job.progress
        preview = snap.image_url or job.preview_url
        status: JobStatus = snap.status
        if not lifecycle.allowed(job.status, status):
            status = job.status  # e.g. an API that reports "submitted" again after progress: keep what we know
        if (status, progress, preview) == (job.status, job.progress, job.preview_url):
            return
        fields: dict[str, Any] = {"progress": progress, "preview_url": preview}
        if status is JobStatus.NEEDS_INPUT and job.status is not JobStatus.NEEDS_INPUT:
            # MODAL seen by polling or push (new-api turns code 21 into 1): wait for the member's prompt.
            fields["input_since"] = self._clock()
            followed.waiting_input = True
        try:
            followed.job = await self.ledger.transition(job.id, status, **fields)
        except IllegalTransition:
            self._forget(job.id)  # finished meanwhile (a timeout, a cancel): stop following
            return
        if progress:
            crashpoints.reached("progress")
        await self._publish(followed.job)

    async def _succeed(self, job: Job, snap: TaskSnapshot) -> None:
        buttons = list(snap.buttons)
        if job.action in PROMPTS_BACK:
            if not snap.descriptions:
                await self._finish_failed(job, Text("job-no-prompts"))
                return
            # Our own buttons: 1️⃣-4️⃣ start an /imagine with that prompt.
            buttons = [UpstreamButton(f"describe::{n}") for n in range(1, len(snap.descriptions) + 1)]
        elif not snap.image_url:
            await self._finish_failed(job, Text("job-no-image"))
            return
        elif job.action in VIDEO_ACTIONS and not snap.video_urls:
            await self._finish_failed(job, Text("job-no-video"))
            return
        else:
            buttons += self._own_video_buttons(job, snap)
        self._forget(job.id)
        if self.images is not None and job.action not in PROMPTS_BACK and snap.image_url:
            # A result is delivered only as an image: checked (with retries) off the poll loop.
            task = asyncio.create_task(self._succeed_checked(job, snap, buttons), name=f"result-{job.id}")
            self._finishing.add(task)
            task.add_done_callback(self._finishing.discard)
            return
        await self._record_success(job, snap, buttons)

    def _own_video_buttons(self, job: Job, snap: TaskSnapshot) -> tuple[UpstreamButton, ...]:
        """Animate under an upscaled image, Extend under a video, where the dialect offers them as no button."""
        if video_maker(self.provider_of(job)) is None:
            return ()
        if snap.video_urls and job.action in (JobAction.VIDEO, JobAction.VIDEO_EXTEND):
            return bot_video_buttons(extend=True)
        if not snap.video_urls and job.action in SINGLE_IMAGES:
            return bot_video_buttons(extend=False)
        return ()

    async def _succeed_checked(self, job: Job, snap: TaskSnapshot, buttons: list[UpstreamButton]) -> None:
        assert self.images is not None and snap.image_url is not None
        try:
            await self.images.result_image(snap.image_url)
        except MJError as exc:
            log.warning("job %s: the result image could not be used: %s", job.id, exc)
            await self._finish_failed(job, Text("job-image-undownloadable"))
            return
        for url in snap.video_urls:  # the cover alone is no result: every video must be one
            try:
                await self.images.result_video(url)
            except MJError as exc:
                log.warning("job %s: a result video could not be used: %s", job.id, exc)
                await self._finish_failed(job, Text("job-video-undownloadable"))
                return
        await self._record_success(job, snap, buttons)

    async def _record_success(self, job: Job, snap: TaskSnapshot, buttons: list[UpstreamButton]) -> None:
        try:
            job = await self.ledger.transition(
                job.id,
                JobStatus.SUCCEEDED,
                progress=100,
                image_url=snap.image_url,
                preview_url=None,
                buttons=buttons,
                action_ref=snap.action_ref or snap.task_id,
                descriptions=[redact(d) for d in snap.descriptions] or _prompt_used(job, snap),
                video_urls=list(snap.video_urls),
                finished_at=self._clock(),
            )
        except IllegalTransition:
            return
        await self._publish(job)
        await self._settle_mirrors(job)
        await self._fill_slots()

    def _task_of(self, job: Job) -> str | None:
        """The job's upstream task id, if a configured provider gave it (jobs of old ledgers name none: the
        first's)."""
        return job.upstream_task_id if job.provider in self.pool.providers or not job.provider else None

    def _forget(self, job_id: int) -> None:
        followed = self._following.pop(job_id, None)
        if followed is not None and followed.stream is not None and followed.stream is not asyncio.current_task():
            followed.stream.cancel()

    async def _finish_failed(self, job: Job, message: Text, kind: ErrorKind | None = None) -> Job:
        """Fail a job once: refund it, count a moderation strike, tell listeners, free its slot."""
        self._forget(job.id)
        message = redact_text(message)
        try:
            job = await self.ledger.transition(
                job.id, JobStatus.FAILED, error=message, finished_at=self._clock(), within=self._refund_of(job)
            )
        except IllegalTransition:
            return await self.ledger.get(job.id) or job  # finished already: charged or refunded once
        crashpoints.reached("failed")
        if job.refunded:
            log.info("job %s: %d credit(s) refunded", job.id, job.cost)
        if self.accounts is not None and kind is ErrorKind.MODERATION and await self._own_words(job):
            strikes = await self.accounts.strike(job, f"moderation: {message}")
            log.info("job %s: moderation strike %d today for user %s", job.id, strikes, job.user_id)
        await self._publish(job)
        await self._settle_mirrors(job)
        await self._fill_slots()
        return job

    async def _own_words(self, job: Job) -> bool:
        """Whether the job's prompt is its member's own: a press on another member's image without a prompt
        of one's own is not theirs to be struck for."""
        parent = await self.ledger.get(job.parent_id) if job.parent_id is not None else None
        return parent is None or parent.user_id == job.user_id or parent.prompt != job.prompt

    def _refund_of(self, job: Job) -> Callable[[Connection], Awaitable[None]] | None:
        """The refund of a job, to run inside the transaction that ends it: a crash leaves both or neither."""
        accounts = self.accounts
        if accounts is None or not job.cost:
            return None

        async def refund(db: Connection) -> None:
            await accounts.refund_in(db, job)

        return refund

    async def _publish(self, job: Job) -> None:
        for listener in self._listeners:
            try:
                await listener(job)
            except Exception:
                log.exception("listener failed for job %s", job.id)


__all__ = ["ErrorKind", "JobService", "Listener"]


def submit_state(instance: str, job_id: int) -> str:
    """What a submit carries as `state`, to find the task again after a crash: the ledger and its job.

    The ledger's name keeps job 1 of a new ledger from matching job 1 of an old one on the same account."""
    return f"mjbot:{instance}:{job_id}"


class _Outage:
    """Status checks while the API fails: exponential backoff with jitter, or what Retry-After says."""

    CAP = 60.0

    def __init__(self, since: float) -> None:
        self.since = since
        self.failures = 0
        self.retry_after: float | None = None

    def failed(self, retry_after: float | None) -> None:
        self.failures += 1
        self.retry_after = retry_after

    def delay(self, interval: float) -> float:
        if self.retry_after is not None:
            return min(self.CAP, max(interval, self.retry_after))
        backoff = min(self.CAP, interval * 2 ** min(self.failures, 10))
        return backoff * random.uniform(0.5, 1.0)


def _prompt_used(job: Job, snap: TaskSnapshot) -> list[str]:
    """The prompt the API reports it used (a translation, promptEn), kept only where it says something new."""
    used = (snap.final_prompt or "").strip()
    # A blend's own prompt is a label the bot made, not the member's words: nothing to compare with.
    if job.action in (*PROMPTS_BACK, JobAction.BLEND) or not used or used == job.prompt.strip():
        return []
    return [redact(used)]


async def _close(updates: AsyncIterator[TaskSnapshot]) -> None:
    aclose = getattr(updates, "aclose", None)
    if aclose is not None:
        with contextlib.suppress(Exception):
            await aclose()
