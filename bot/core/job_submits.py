"""Submitting jobs to the API: every kind of job, once each (a paid submit is never retried blindly)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from bot.core import crashpoints, requests
from bot.core.buttons import JOB_ACTIONS, ButtonFace, bot_video, describe_button
from bot.core.errors import MJError
from bot.core.job_state import Followed, JobState, close_updates, submit_state
from bot.core.lifecycle import IllegalTransition
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
from bot.core.providers.base import SUBMIT_STATE, confirmer, editor, takes_prompt, video_maker
from bot.core.providers.pool import not_taken
from bot.core.requests import ActionRequest, RegionRequest
from bot.core.text import Text

log = logging.getLogger("bot.core.jobs")  # the job service logs as one, whichever part of it writes


class Submits(JobState):
    """Paid submits: each made once, recorded with its task id, a failed-over job moved before it is sent."""

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
        provider = self.provider_of(parent)  # only the API that made the parent knows its buttons
        if remix is not None and not takes_prompt(provider, custom_id):  # the flows refuse it first
            return await self._finish_failed(job, Text("remix-not-here"))

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
                await close_updates(result.updates)  # not followed: its connection and stream slot go back at once

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
            followed.stream.add_done_callback(lambda task: _closed_if_cancelled(task, updates))
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

    async def _consume(self, followed: Followed, updates: AsyncIterator[TaskSnapshot]) -> None:
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
            await close_updates(updates)
        if followed.job.id in self._following:
            log.info("job %s: stream ended early; following by polling", followed.job.id)
            followed.streaming = False
            self._wake.set()


def _closed_if_cancelled(task: asyncio.Task[None], updates: AsyncIterator[TaskSnapshot]) -> None:
    """A stream task cancelled before its first step never reaches `_consume`'s `finally`: close it here."""
    if task.cancelled():
        close = asyncio.ensure_future(close_updates(updates))
        _closing.add(close)
        close.add_done_callback(_closing.discard)


_closing: set[asyncio.Future[None]] = set()  # closes under way (a task needs a reference to run)
