"""What a job's Discord message says and which buttons it carries."""

from __future__ import annotations

import contextlib

import discord

from bot.core.buttons import layout
from bot.core.lifecycle import CANCELLABLE
from bot.core.models import Job, JobAction, JobStatus
from bot.core.text import Text
from bot.i18n import render
from cogs.gallery.showcase_button import ShowcaseButton
from cogs.generation.cancel import CancelButton
from cogs.generation.job_button import JobButton
from cogs.generation.remix import RemixButton
from cogs.generation.send_to_me import SendToMeButton

CONTENT_LIMIT = 2000
PROMPT_USED_ROOM = 700  # of a message's 2,000 characters: the member's own prompt keeps the most


def _status_text(job: Job) -> Text | str:
    """What the job is doing, after the member's mention ("" when there is nothing to say)."""
    if job.status is JobStatus.WAITING:
        if job.queue_position:
            return Text("job-message-queued-at", position=job.queue_position)
        return Text("job-message-queued")
    if job.status is JobStatus.SUBMITTING or job.status is JobStatus.QUEUED:
        return Text("job-message-starting")
    if job.status is JobStatus.RUNNING:
        return f"({job.progress}%)"  # no words: the same in every language
    if job.status is JobStatus.NEEDS_INPUT:
        return Text("job-message-remix")
    if job.status is JobStatus.MIRRORING:
        return Text("job-message-mirroring")
    return ""


def job_content(job: Job) -> str:
    """Midjourney's layout: **prompt** - [title by] <@user> (status); errors on a line of their own.

    In the language of the member who started the job (the prompt stays as written).
    """
    locale = job.locale
    mention = f"<@{job.user_id}>"
    who = render(Text("job-message-by", title=job.title, user=mention), locale) if job.title else mention
    tail = f" - {who} {render(_status_text(job), locale)}".rstrip()
    if job.status is JobStatus.FAILED:
        error = render(job.error or Text("job-message-failed"), locale)
        tail += f"\n❌ {discord.utils.escape_mentions(error)}"
    elif job.status is JobStatus.CANCELLED:
        note = render(job.error or Text("job-message-cancelled"), locale)
        tail += f"\n🚫 {discord.utils.escape_mentions(note)}"
    elif job.status is JobStatus.SUCCEEDED and job.prompt_used:
        used = discord.utils.escape_markdown(job.prompt_used)
        if len(used) > PROMPT_USED_ROOM:
            used = used[: PROMPT_USED_ROOM - 1].rstrip("\\") + "…"
        tail += "\n" + render(Text("job-message-prompt-used", prompt=used), locale)
    elif job.status is JobStatus.SUCCEEDED and job.descriptions:
        tail += _descriptions(job.descriptions, CONTENT_LIMIT - len(tail) - 200)
    room = CONTENT_LIMIT - len(tail) - 4
    prompt = discord.utils.escape_markdown(job.prompt)
    if len(prompt) > room:
        prompt = prompt[: room - 1].rstrip("\\") + "…"
    return f"**{prompt}**{tail}"


_KEYCAPS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣")


def _descriptions(descriptions: list[str], room: int) -> str:
    """/describe's prompts, numbered like the buttons under them, each cut to share the room fairly."""
    each = max(40, room // max(1, len(descriptions)) - 8)
    lines = []
    for key, text in zip(_KEYCAPS, descriptions, strict=False):
        text = discord.utils.escape_markdown(text)
        lines.append(f"{key} {text if len(text) <= each else text[: each - 1] + '…'}")
    return "\n\n" + "\n\n".join(lines)


def job_view(job: Job, *, video: bool = True, showcase: bool = True) -> discord.ui.View | None:
    """The buttons under a job: the API's under a finished one; Cancel (and Remix prompt) while it waits or runs.

    `video` off: no video button is shown; `showcase` off (the gallery feature not loaded): no ⭐. The view is
    stopped: its items are DynamicItems, found again from their custom_id after a restart.
    """
    if job.status in CANCELLABLE:  # waiting or running: Cancel, and Remix prompt when one is awaited
        view = discord.ui.View(timeout=None)
        if job.status is JobStatus.NEEDS_INPUT:
            view.add_item(RemixButton(job.id, job.locale))
        view.add_item(CancelButton(job.id, job.locale))
        view.stop()
        return view
    if job.status is not JobStatus.SUCCEEDED:
        return None
    placed = layout(job.buttons, video=video)
    # ✉️ sends an image: not under /describe's prompts, nor under videos (whose image is only their cover).
    with_image = job.action is not JobAction.DESCRIBE and bool(job.image_url) and not job.video_urls
    if not placed and not with_image:
        return None
    view = discord.ui.View(timeout=None)
    for index, face in placed:
        view.add_item(JobButton(job.id, index, face))
    if with_image:  # ✉️ and ⭐ on a row of their own under the API's buttons, where one is left
        last = max((face.row for _, face in placed if face.row is not None), default=-1)
        row = last + 1 if last < 4 else None
        view.add_item(SendToMeButton(job.id, job.locale, row=row))
        if showcase:
            with contextlib.suppress(ValueError):  # Discord's 5×5 full: the API's buttons and ✉️ come first
                view.add_item(ShowcaseButton(job.id, job.locale, row=row))
    view.stop()
    return view


def result_filename(job: Job, extension: str) -> str:
    kind = "image" if job.action in (JobAction.UPSCALE, JobAction.UPSCALE_HD) else "grid"
    return f"mj_{job.id}_{kind}.{extension}"
