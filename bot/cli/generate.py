"""`python -m bot imagine "PROMPT"` and `python -m bot action TASK_ID U1`: one job from the terminal.

The job goes the production way (checked, recorded in the ledger as the operator's — user 0, no server,
so nothing is charged — submitted with its `state`, followed by batched polls, its image checked), but
only this job is followed: the bot's own jobs in the same ledger are left to the bot. The result is saved
as PNG files: a grid, and its four images cut out of it. Progress: a bar on a terminal, else `progress N% status`
lines on stdout, one per change.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from PIL import Image
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from bot.client.app import open_core
from bot.core import requests
from bot.core.buttons import describe_button
from bot.core.errors import InvalidInput, MJError
from bot.core.images import ImageFetcher, check_reference_image
from bot.core.jobs import JobService
from bot.core.models import ImagineRequest, Job, JobAction, JobStatus, ReferenceImage, Requester
from bot.core.prompts import checked_prompt
from bot.core.requests import ActionRequest, JobRequest
from bot.core.text import Text
from bot.settings import Settings

OPERATOR = Requester(user_id=0, guild_id=None, channel_id=0)
BOTS = {"mj": "MID_JOURNEY", "niji": "NIJI_JOURNEY"}
_UNSAFE_IN_NAMES = re.compile(r"[^A-Za-z0-9_-]+")


class JobFailed(Exception):
    """The job was refused or failed; the message says why, in one line."""


def imagine(settings: Settings, prompt: str, out: Path, mode: str | None, bot: str, images: list[Path]) -> int:
    try:
        checked = checked_prompt(prompt, has_images=bool(images))
        refs = tuple(_reference(path, settings.max_attachment_bytes) for path in images)
    except InvalidInput as exc:
        raise JobFailed(str(exc.text)) from None
    request = ImagineRequest(checked, refs, BOTS[bot], mode)
    return asyncio.run(_run(settings, request, JobAction.IMAGINE, checked, out, parent_task=None))


def action(settings: Settings, task_id: str, button: str, out: Path) -> int:
    return asyncio.run(_run(settings, None, None, "", out, parent_task=(task_id, button)))


async def _run(
    settings: Settings,
    request: JobRequest | None,
    action: JobAction | None,
    prompt: str,
    out: Path,
    parent_task: tuple[str, str] | None,
) -> int:
    console = Console(stderr=True)
    async with open_core(settings, operator=True) as (jobs, fetcher):
        parent = None
        if parent_task is not None:
            parent = await _parent(jobs, parent_task[0])
            index = _button_index(parent, parent_task[1])
            face = jobs.button(parent, index)
            assert face is not None
            request, action, prompt = ActionRequest(parent.id, index), face[1].action, parent.prompt
        assert request is not None and action is not None and jobs.accounts is not None
        job = await jobs.accounts.open_job(
            OPERATOR, [], request=requests.encode(request), provider=jobs.provider.name, action=action,
            prompt=prompt, parent_id=parent.id if parent else None,
            parent_button=request.index if isinstance(request, ActionRequest) else None,
        )  # fmt: skip
        job = await _follow(jobs, job, settings.mj_poll_interval, console)
        if job.status is not JobStatus.SUCCEEDED or not job.image_url:
            raise JobFailed(f"job {job.id} failed: {job.error or 'no image'}")
        saved = await _save(fetcher, job, out)
    print(f"task {job.upstream_task_id}")
    for path in saved:
        print(path)
    return 0


async def _follow(jobs: JobService, job: Job, interval: float, console: Console) -> Job:
    """Submit the job and poll until it ends, with a progress bar on a terminal, else a line per change."""
    with _progress(console) as show:
        show("submitting", 0)
        job = await jobs.begin(job)
        while not job.status.finished:
            await asyncio.sleep(interval)
            await jobs.poll_once()
            job = await jobs.ledger.get(job.id) or job
            show(job.status.value, job.progress)
        await jobs.stop()  # a result whose image was being checked is settled by now
    return job


@contextlib.contextmanager
def _progress(console: Console) -> Iterator[Callable[[str, int], None]]:
    """A progress bar while stdout is a terminal; otherwise (CI logs, `| tee`) one line on stdout per change."""
    if sys.stdout.isatty():
        columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"))
        with Progress(*columns, console=console, transient=True) as progress:
            bar = progress.add_task("submitting", total=100)
            yield lambda status, percent: progress.update(bar, completed=percent, description=status)
        return
    shown: list[tuple[str, int]] = []

    def line(status: str, percent: int) -> None:
        if shown[-1:] != [(status, percent)]:
            shown.append((status, percent))
            print(f"progress {percent}% {status}", flush=True)

    yield line


async def _parent(jobs: JobService, task_id: str) -> Job:
    """The finished job of `task_id`: from the ledger, or recorded now from what the API tells of it."""
    # A task id means something only to the API that gave it: this command's.
    known = await jobs.ledger.jobs_where(
        "upstream_task_id = ? AND status = 'succeeded' AND provider = ?", (task_id, jobs.provider.name)
    )
    if known:
        return known[-1]
    snapshot = (await jobs.provider.fetch_many([task_id])).get(task_id)
    if snapshot is None or snapshot.status is not JobStatus.SUCCEEDED:
        raise JobFailed(f"the image service has no finished task {task_id}")
    job = await jobs.ledger.create_job(OPERATOR, provider=jobs.provider.name, action=JobAction.IMAGINE, prompt="")
    await jobs.ledger.transition(job.id, JobStatus.QUEUED, upstream_task_id=task_id)
    return await jobs.ledger.transition(
        job.id, JobStatus.SUCCEEDED, image_url=snapshot.image_url, buttons=list(snapshot.buttons),
        action_ref=snapshot.action_ref, video_urls=list(snapshot.video_urls), progress=100, delivered=True,
    )  # fmt: skip


def _button_index(parent: Job, name: str) -> int:
    wanted = name.strip().lower()
    faces = [(i, describe_button(b)) for i, b in enumerate(parent.buttons)]
    for index, face in faces:
        if face is not None and wanted in ((face.label or "").lower(), face.emoji or ""):
            return index
    offered = ", ".join(f.label or f.emoji or "?" for _, f in faces if f is not None)
    raise JobFailed(f"task {parent.upstream_task_id} has no button {name!r} (it has: {offered})")


async def _save(fetcher: ImageFetcher, job: Job, out: Path) -> list[Path]:
    assert job.image_url is not None
    try:
        data = await fetcher.download(job.image_url)
        videos = [await fetcher.result_video(url) for url in job.video_urls]  # a video job's image is their cover
    except MJError as exc:
        raise JobFailed(f"the result could not be downloaded: {exc.text}") from None
    paths = await asyncio.to_thread(_write, data, job, out)
    for n, video in enumerate(videos, start=1):
        paths.append(out / f"{file_stem(job)}-video-{n}.mp4")
        await asyncio.to_thread(paths[-1].write_bytes, video)
    return paths


def _write(data: bytes, job: Job, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    name = file_stem(job)
    image = Image.open(io.BytesIO(data)).convert("RGB")
    paths = [out / f"{name}.png"]
    image.save(paths[0], "PNG")
    if job.action in (JobAction.IMAGINE, JobAction.VARIATION, JobAction.REROLL):  # a grid of four
        width, height = image.size[0] // 2, image.size[1] // 2
        for n, (x, y) in enumerate(((0, 0), (1, 0), (0, 1), (1, 1)), start=1):
            paths.append(out / f"{name}-{n}.png")
            image.crop((x * width, y * height, (x + 1) * width, (y + 1) * height)).save(paths[-1], "PNG")
    return paths


def file_stem(job: Job) -> str:
    """The saved files' name, from the API's task id: only letters, digits, `-` and `_`, so that no id
    (`../..`, `/etc/x`) leads out of `--out`; the job's own number when nothing of it is left."""
    return _UNSAFE_IN_NAMES.sub("_", job.upstream_task_id or "").strip("_")[:100] or f"job-{job.id}"


def _reference(path: Path, max_bytes: int) -> ReferenceImage:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(Text.verbatim(f"`{path}` cannot be read: {exc.strerror}")) from None
    return check_reference_image(data, path.name, max_bytes)
