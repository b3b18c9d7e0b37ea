"""The job service: submit jobs, record them, follow them, tell listeners. No Discord in here.

One poller follows every job in flight with one batched request per interval. Every change of a
job is written to the ledger first and then published, so a restart resumes from the ledger alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from bot.core import requests
from bot.core.errors import ErrorKind, MJError
from bot.core.job_following import Following
from bot.core.job_outcomes import Outcomes
from bot.core.job_state import DRAIN_CHECK, LOST_AFTER, SEED_TIMEOUT, Listener, submit_state
from bot.core.job_submits import Submits
from bot.core.lifecycle import CANCELLABLE, MAKING, UNFINISHED, IllegalTransition
from bot.core.models import BlendRequest, EditRequest, ImagineRequest, Job, JobAction, JobStatus, TaskSnapshot
from bot.core.providers.base import canceller, seeder, state_finder
from bot.core.requests import ActionRequest, RegionRequest
from bot.core.text import Text

log = logging.getLogger("bot.core.jobs")  # the job service logs as one, whichever part of it writes


class JobService(Submits, Following, Outcomes):
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

    async def mark_delivered(self, job_id: int, *, width: int | None = None, height: int | None = None) -> None:
        await self.ledger.update(job_id, delivered=True, image_width=width, image_height=height)

    async def set_message(self, job_id: int, message_id: int) -> Job:
        return await self.ledger.update(job_id, message_id=message_id)


__all__ = ["ErrorKind", "JobService", "Listener", "submit_state"]
