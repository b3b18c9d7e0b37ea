"""Keeps each job's Discord message in step with the job, within Discord's limits.

One worker per job holds only the latest state: while it waits out `PROGRESS_EDIT_INTERVAL`, newer
updates replace older ones, so a busy job never queues edits. The final state is always delivered
(retried with backoff for as long as the job's timeout, and re-sent after a restart if the bot stopped
first). Edits go through the interaction
webhook while its token is fresh (its own rate-limit bucket) and through the channel afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import discord

from bot.client.host import Host
from bot.client.replies import NO_MENTIONS
from bot.core import crashpoints
from bot.core.errors import MJError
from bot.core.image_work import off_loop
from bot.core.images import ImageFetcher, fit_for_upload, image_extension, image_size
from bot.core.jobs import JobService
from bot.core.models import Job, JobStatus
from cogs.generation.feature import video_on
from cogs.generation.render import job_content, job_view, result_filename
from cogs.generation.video_files import upload_limit, video_files

log = logging.getLogger(__name__)

# Stop using the interaction token this long before Discord's 15 minutes run out.
TOKEN_MARGIN = timedelta(minutes=1)
# A final edit Discord refuses is tried again after 2, 4, 8 … s (with jitter), at most a minute apart, for as
# long as the job's timeout; what is still not delivered then is delivered at the next start.
FINAL_RETRY_FIRST = 2.0
FINAL_RETRY_CAP = 60.0


@dataclass
class _Worker:
    job: Job
    interaction: discord.Interaction | None
    last_edit: float
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    shown: tuple[str, str | None] | None = None  # (content, preview url) last sent
    task: asyncio.Task[None] | None = None


class JobMessages:
    def __init__(
        self,
        client: discord.Client,
        fetcher: ImageFetcher,
        *,
        jobs: JobService,
        edit_interval: float,
    ) -> None:
        self._client = client
        self._client_host = cast(Host, client)  # which features are loaded
        self._fetcher = fetcher
        self._interval = edit_interval
        self._jobs = jobs
        self._workers: dict[int, _Worker] = {}

    def track(self, job: Job, interaction: discord.Interaction | None) -> None:
        """Start following a job whose message was just created (through `interaction` if given)."""
        existing = self._workers.get(job.id)
        if existing is not None:  # a state was published first: one worker per message
            existing.interaction = existing.interaction or interaction
            return
        loop = asyncio.get_running_loop()
        worker = _Worker(job, interaction, last_edit=loop.time())
        worker.shown = (job_content(job), None)
        self._start(worker)

    async def on_job(self, job: Job) -> None:
        """JobService listener: must not block, so it only hands the state to the job's worker."""
        if job.message_id is None:
            return
        worker = self._workers.get(job.id)
        if worker is None:
            worker = _Worker(job, None, last_edit=float("-inf"))
            self._start(worker)
        worker.job = job
        worker.changed.set()

    async def close(self, grace: float = 0.0) -> None:
        """Stop every worker; those delivering a final state get up to `grace` seconds to finish (what
        they do not deliver is delivered at the next start)."""
        finals = [w.task for w in self._workers.values() if w.task and w.job.status.finished]
        if finals and grace > 0:
            await asyncio.wait(finals, timeout=grace)
        workers = [w.task for w in self._workers.values() if w.task]
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers.clear()

    async def wait_idle(self) -> None:
        """Until every tracked job's final state is delivered (used at shutdown and in tests)."""
        while tasks := [w.task for w in self._workers.values() if w.task]:
            await asyncio.wait(tasks)

    # -- the worker ------------------------------------------------------------------------------
    def _start(self, worker: _Worker) -> None:
        self._workers[worker.job.id] = worker
        worker.task = asyncio.create_task(self._run(worker), name=f"job-message-{worker.job.id}")

    async def _run(self, worker: _Worker) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                await worker.changed.wait()
                delay = worker.last_edit + self._interval - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                worker.changed.clear()
                job = worker.job
                if job.status.finished:
                    await self._deliver_final(worker, job)
                    return
                if await self._show_progress(worker, job):
                    worker.last_edit = loop.time()
        finally:
            if self._workers.get(worker.job.id) is worker:
                del self._workers[worker.job.id]

    async def _show_progress(self, worker: _Worker, job: Job) -> bool:
        content = job_content(job)
        if worker.shown == (content, job.preview_url):
            return False
        kwargs: dict[str, Any] = {
            "content": content,
            "view": job_view(job, video=self._video_on(job), showcase=self._client_host.feature_on("gallery")),
        }
        preview_changed = job.preview_url and (worker.shown is None or worker.shown[1] != job.preview_url)
        if preview_changed and job.preview_url:
            try:
                data = await self._fetcher.download(job.preview_url)
                kwargs["attachments"] = [discord.File(io.BytesIO(data), f"preview.{image_extension(data)}")]
            except MJError as exc:
                log.info("job %s: preview not shown: %s", job.id, exc)
        try:
            await self._edit(worker, job, kwargs)
        except discord.HTTPException as exc:
            log.warning("job %s: progress edit failed: %s", job.id, exc)
            return False
        worker.shown = (content, job.preview_url)
        return True

    async def _deliver_final(self, worker: _Worker, job: Job) -> None:
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self._jobs.job_timeout
        attempt = 0
        built: tuple[dict[str, Any], tuple[int, int] | None] | None = None
        while True:
            attempt += 1
            try:
                if built is None:  # downloaded and fitted once, however often Discord refuses it
                    built = await self._final_message(job)
                else:
                    _rewind_files(built[0])
                kwargs, size = dict(built[0]), built[1]
                if kwargs["attachments"]:
                    crashpoints.reached("upload")
                try:
                    await self._edit(worker, job, kwargs)
                except discord.NotFound:
                    # The message was deleted: deliver the result in a new one rather than lose it.
                    _rewind_files(kwargs)
                    channel = self._client.get_partial_messageable(job.channel_id)
                    files = kwargs.pop("attachments")
                    message = await channel.send(**kwargs, files=files, allowed_mentions=NO_MENTIONS)
                    await self._jobs.set_message(job.id, message.id)
            except (discord.HTTPException, OSError) as exc:
                delay = min(FINAL_RETRY_CAP, FINAL_RETRY_FIRST * 2 ** min(attempt - 1, 10)) * random.uniform(0.5, 1)
                if loop.time() + delay > give_up:
                    log.error(
                        "job %s: final state not delivered after %d attempts (%s); it will be retried at the next"
                        " start",
                        job.id,
                        attempt,
                        exc,
                    )
                    return
                log.warning("job %s: final edit failed (attempt %d, again in %.1f s): %s", job.id, attempt, delay, exc)
                await asyncio.sleep(delay)
                continue
            await self._jobs.mark_delivered(job.id, width=size[0] if size else None, height=size[1] if size else None)
            return

    async def _final_message(self, job: Job) -> tuple[dict[str, Any], tuple[int, int] | None]:
        """The final edit, and the size of the image it carries."""
        view = job_view(job, video=self._video_on(job), showcase=self._client_host.feature_on("gallery"))
        kwargs: dict[str, Any] = {"content": job_content(job), "view": view, "attachments": []}
        if job.status is not JobStatus.SUCCEEDED or not job.image_url:
            return kwargs, None
        if job.video_urls:  # the videos are the result; their cover stays a link in the ledger
            files, links = await video_files(self._fetcher, job, upload_limit(self._client, job.guild_id))
            kwargs["attachments"] = files
            kwargs["content"] += "".join(f"\n{link}" for link in links)
            return kwargs, None
        try:
            data = await self._fetcher.take(job.image_url)
        except MJError as exc:
            log.warning("job %s: result image not downloaded: %s", job.id, exc)
            kwargs["content"] += f"\n{job.image_url}"
            return kwargs, None
        fitted = await off_loop(fit_for_upload, data, discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES)
        if fitted is None:
            kwargs["content"] += f"\n{job.image_url}"
        else:
            name = result_filename(job, image_extension(fitted))
            kwargs["attachments"] = [discord.File(io.BytesIO(fitted), name)]
        return kwargs, image_size(data)

    def _video_on(self, job: Job) -> bool:
        """Video loaded and the server's `video` setting on: else no video button is shown."""
        accounts = self._jobs.accounts
        return accounts is None or video_on(self._client, accounts.cached_config(job.guild_id))

    async def _edit(self, worker: _Worker, job: Job, kwargs: dict[str, Any]) -> None:
        assert job.message_id is not None
        kwargs = {**kwargs, "allowed_mentions": NO_MENTIONS}
        interaction = worker.interaction
        if interaction is not None and _token_fresh(interaction):
            try:
                await interaction.edit_original_response(**kwargs)
                return
            except discord.HTTPException as exc:
                if exc.status not in (401, 404):
                    raise
                log.info("job %s: interaction token no longer usable; editing through the channel", job.id)
                worker.interaction = None
                _rewind_files(kwargs)
        message = self._client.get_partial_messageable(job.channel_id).get_partial_message(job.message_id)
        await message.edit(**kwargs)


def _token_fresh(interaction: discord.Interaction) -> bool:
    expires = interaction.created_at + timedelta(minutes=15) - TOKEN_MARGIN
    return datetime.now(UTC) < expires


def _rewind_files(kwargs: dict[str, Any]) -> None:
    for item in kwargs.get("attachments") or []:
        if isinstance(item, discord.File):
            item.reset()
