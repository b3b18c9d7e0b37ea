"""How jobs end: a success checked (its image downloads) and recorded, a failure refunded and told."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.core import crashpoints
from bot.core.buttons import VIDEO_ACTIONS, bot_video_buttons
from bot.core.errors import ErrorKind, MJError
from bot.core.job_state import PROMPTS_BACK, SINGLE_IMAGES, JobState
from bot.core.lifecycle import IllegalTransition
from bot.core.models import Job, JobAction, JobStatus, TaskSnapshot, UpstreamButton
from bot.core.providers.base import video_maker
from bot.core.redact import redact, redact_text
from bot.core.storage import Connection
from bot.core.text import Text

log = logging.getLogger("bot.core.jobs")  # the job service logs as one, whichever part of it writes


class Outcomes(JobState):
    """How a job ends: a result checked and recorded, or a failure refunded once."""

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


def _prompt_used(job: Job, snap: TaskSnapshot) -> list[str]:
    """The prompt the API reports it used (a translation, promptEn), kept only where it says something new."""
    used = (snap.final_prompt or "").strip()
    # A blend's own prompt is a label the bot made, not the member's words: nothing to compare with.
    if job.action in (*PROMPTS_BACK, JobAction.BLEND) or not used or used == job.prompt.strip():
        return []
    return [redact(used)]
