"""Following jobs in flight: the batched poll, pushes, timeouts, and each state applied to the ledger."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any

from bot.core import crashpoints, lifecycle
from bot.core.errors import ProviderError
from bot.core.job_state import LOST_AFTER, Followed, JobState, Outage
from bot.core.lifecycle import IllegalTransition
from bot.core.models import Job, JobStatus, TaskSnapshot
from bot.core.reasons import failure_message
from bot.core.text import Text

log = logging.getLogger("bot.core.jobs")  # the job service logs as one, whichever part of it writes


class Following(JobState):
    """Every job in flight followed with one batched status request per provider and interval."""

    async def push(self, snapshot: TaskSnapshot) -> bool:
        """A state the API pushed (notifyHook / callback_url). False if no job in flight has that task."""
        for followed in list(self._following.values()):
            # Pushes come in the first provider's dialect: its tasks alone.
            if self._task_of(followed.job) == snapshot.task_id and self.provider_of(followed.job) is self.provider:
                await self._apply(followed, snapshot)
                return True
        return False

    async def _poll_forever(self) -> None:
        while True:
            if not self._following:
                self._wake.clear()
                await self._wake.wait()
            try:
                await self.poll_once()
            except Exception:
                log.exception("poll failed")
            await asyncio.sleep(self.poll_interval)  # an API that fails is skipped until its own backoff ends

    async def poll_once(self) -> None:
        """One batched status request for every job in flight, then timeouts."""
        if not self._following:
            return
        # A task id means something only to the provider that gave it: ids are asked of their own provider,
        # and a job of one no longer configured is never asked about (missing, so given up after LOST_AFTER).
        groups: dict[str, dict[str, Followed]] = defaultdict(dict)  # provider → task id → job
        polled: list[tuple[Followed, TaskSnapshot | None]] = []
        for f in self._following.values():
            if f.job.upstream_task_id and not f.streaming and not f.waiting_input:
                if (task_id := self._task_of(f.job)) is None:
                    polled.append((f, None))
                else:
                    groups[self.provider_of(f.job).name][task_id] = f
        for name, by_task in groups.items():
            outage = self._outages.get(name)
            if outage is not None and self._clock() < outage.next_at:
                continue  # backing off: its jobs wait, neither missing nor timed out by this round
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
            # Outages are ridden out with backoff, each API on its own; the job timeout bounds how long. One line
            # when it starts.
            outage = self._outages.get(name)
            if outage is None:
                log.warning("the image service %s is failing (%s); status checks back off until it answers", name, exc)
                outage = self._outages[name] = Outage(self._clock())
            outage.failed(exc.retry_after)
            outage.next_at = self._clock() + outage.delay(self.poll_interval)
            self.pool.failed(name, exc)  # no new jobs there meanwhile
            return None
        if (outage := self._outages.pop(name, None)) is not None:
            log.warning("the image service %s answers again after %.0f s", name, self._clock() - outage.since)
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

    async def _apply(self, followed: Followed, snap: TaskSnapshot) -> None:
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
