"""The job service: submit jobs, record them, follow them, tell listeners. No Discord in here.

One poller follows every job in flight with one batched request per interval. Every change of a
job is written to the ledger first and then published, so a restart resumes from the ledger alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.buttons import ONE_CLICK_ACTIONS, describe_button
from bot.core.errors import ErrorKind, InvalidInput, MJError, ProviderError
from bot.core.ledger import UNFINISHED, Ledger
from bot.core.models import (
    ImagineRequest,
    Job,
    JobAction,
    JobStatus,
    Requester,
    SubmitResult,
    TaskSnapshot,
)
from bot.core.providers.base import Provider
from bot.core.providers.proxy import failure_message

log = logging.getLogger(__name__)

Listener = Callable[[Job], Awaitable[None]]

# A task the API stops reporting is given up after this long (it was deleted or expired upstream).
LOST_AFTER = 120.0


@dataclass
class _Followed:
    job: Job
    missing_since: float | None = None


class JobService:
    def __init__(
        self,
        ledger: Ledger,
        provider: Provider,
        *,
        poll_interval: float = 3.0,
        job_timeout: float = 900.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ledger = ledger
        self.provider = provider
        self.poll_interval = poll_interval
        self.job_timeout = job_timeout
        self._clock = clock
        self._listeners: list[Listener] = []
        self._following: dict[int, _Followed] = {}
        self._wake = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None
        self.polls = 0  # batched status requests made, for benchmarks and tests

    # -- lifecycle -----------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def start(self) -> None:
        """Pick up every unfinished job from the ledger, then start following."""
        for job in await self.ledger.jobs_with_status(UNFINISHED):
            if job.upstream_task_id is None:
                # Stopped between writing the row and hearing back from the API: nothing to follow.
                await self._finish_failed(
                    job,
                    "The bot restarted before the image service confirmed this job. Please try again.",
                )
            else:
                log.info("resuming job %s (upstream task %s)", job.id, job.upstream_task_id)
                self._follow(job)
        for job in await self.ledger.undelivered():
            await self._publish(job)
        self._poller = asyncio.create_task(self._poll_forever(), name="mj-poller")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None

    @property
    def following(self) -> int:
        return len(self._following)

    # -- creating jobs ---------------------------------------------------------------------------
    async def create(
        self,
        requester: Requester,
        action: JobAction,
        prompt: str,
        *,
        title: str = "",
        message_id: int | None = None,
        parent: Job | None = None,
        parent_button: int | None = None,
    ) -> Job:
        return await self.ledger.create_job(
            requester,
            provider=self.provider.name,
            action=action,
            prompt=prompt,
            title=title,
            message_id=message_id,
            parent_id=parent.id if parent else None,
            parent_button=parent_button,
        )

    async def refuse(self, job: Job, error: InvalidInput) -> Job:
        """Input refused before anything was paid."""
        log.info("job %s refused before submit: %s", job.id, error.user_message)
        return await self._finish_failed(job, error.user_message)

    async def submit_imagine(self, job: Job, request: ImagineRequest) -> Job:
        return await self._submit(job, lambda: self.provider.imagine(request))

    async def submit_action(self, job: Job, parent: Job, button_index: int) -> Job:
        """Press button `button_index` of `parent` (its upstream customId is sent verbatim)."""
        if parent.status is not JobStatus.SUCCEEDED or parent.upstream_task_id is None:
            return await self._finish_failed(job, "That job has no finished image to act on.")
        if not 0 <= button_index < len(parent.buttons):
            return await self._finish_failed(job, "That button no longer exists on this job.")
        button = parent.buttons[button_index]
        face = describe_button(button)
        if face is None or face.action not in ONE_CLICK_ACTIONS:
            return await self._finish_failed(job, "This bot cannot run that action yet.")
        task_id = parent.upstream_task_id
        return await self._submit(job, lambda: self.provider.action(task_id, button.custom_id))

    async def _submit(self, job: Job, call: Callable[[], Awaitable[SubmitResult]]) -> Job:
        try:
            result = await call()
            if result.needs_input:
                # Remix is on for the upstream account: confirm with the prompt unchanged, as
                # Midjourney does when the remix window is submitted without edits.
                result = await self.provider.modal(result.task_id, result.final_prompt or job.prompt)
        except MJError as exc:
            log.warning("job %s: submit refused: %s", job.id, exc)
            return await self._finish_failed(job, exc.user_message)
        except Exception:
            log.exception("job %s: submit crashed", job.id)
            return await self._finish_failed(job, "Something went wrong while submitting this job.")
        job = await self.ledger.update(job.id, upstream_task_id=result.task_id, status=JobStatus.QUEUED)
        log.info("job %s accepted as upstream task %s", job.id, result.task_id)
        await self._publish(job)
        self._follow(job)
        return job

    # -- delivery bookkeeping --------------------------------------------------------------------
    async def mark_delivered(self, job_id: int) -> None:
        await self.ledger.update(job_id, delivered=True)

    async def set_message(self, job_id: int, message_id: int) -> Job:
        return await self.ledger.update(job_id, message_id=message_id)

    # -- following -----------------------------------------------------------------------------
    def _follow(self, job: Job) -> None:
        self._following[job.id] = _Followed(job)
        self._wake.set()

    async def _poll_forever(self) -> None:
        while True:
            if not self._following:
                self._wake.clear()
                await self._wake.wait()
            try:
                await self.poll_once()
            except Exception:
                log.exception("poll failed")
            await asyncio.sleep(self.poll_interval)

    async def poll_once(self) -> None:
        """One batched status request for every job in flight, then timeouts."""
        if not self._following:
            return
        by_task = {f.job.upstream_task_id: f for f in self._following.values() if f.job.upstream_task_id}
        snapshots: dict[str, TaskSnapshot] = {}
        try:
            self.polls += 1
            snapshots = await self.provider.fetch_many(list(by_task))
        except ProviderError as exc:
            # Transient outages are ridden out; the job timeout bounds how long.
            log.warning("status poll failed: %s", exc)
            by_task = {}
        now = self._clock()
        for task_id, followed in by_task.items():
            snapshot = snapshots.get(task_id)
            if snapshot is None:
                followed.missing_since = followed.missing_since or now
                if now - followed.missing_since >= LOST_AFTER:
                    await self._finish_failed(
                        followed.job, "The image service lost track of this job. Please try again."
                    )
                continue
            followed.missing_since = None
            await self._apply(followed, snapshot)
        for followed in list(self._following.values()):
            if now - followed.job.created_at >= self.job_timeout:
                minutes = self.job_timeout / 60
                await self._finish_failed(
                    followed.job,
                    f"The job took longer than {minutes:g} minutes and was given up. Please try again.",
                )

    async def _apply(self, followed: _Followed, snap: TaskSnapshot) -> None:
        job = followed.job
        if snap.status is JobStatus.SUCCEEDED:
            if not snap.image_url:
                await self._finish_failed(job, "The image service finished the job but sent no image.")
                return
            job = await self.ledger.update(
                job.id,
                status=JobStatus.SUCCEEDED,
                progress=100,
                image_url=snap.image_url,
                preview_url=None,
                buttons=list(snap.buttons),
                finished_at=self._clock(),
            )
            self._following.pop(job.id, None)
            await self._publish(job)
            return
        if snap.status is JobStatus.FAILED:
            kind, message = failure_message(snap.fail_reason)
            log.info("job %s failed upstream (%s): %s", job.id, kind, snap.fail_reason)
            await self._finish_failed(job, message)
            return
        progress = snap.progress if snap.progress is not None else job.progress
        preview = snap.image_url or job.preview_url
        status = snap.status
        if (status, progress, preview) == (job.status, job.progress, job.preview_url):
            return
        followed.job = await self.ledger.update(job.id, status=status, progress=progress, preview_url=preview)
        await self._publish(followed.job)

    async def _finish_failed(self, job: Job, message: str) -> Job:
        self._following.pop(job.id, None)
        job = await self.ledger.update(job.id, status=JobStatus.FAILED, error=message, finished_at=self._clock())
        await self._publish(job)
        return job

    async def _publish(self, job: Job) -> None:
        for listener in self._listeners:
            try:
                await listener(job)
            except Exception:
                log.exception("listener failed for job %s", job.id)


__all__ = ["ErrorKind", "JobService", "Listener"]
