"""The paths a member walks: /imagine, /blend, /describe and the presses on a job's buttons.

Each acknowledges the interaction first (Discord allows 3 seconds), creates the job's public message,
records the job, checks what the user sent, then submits it; from then on `JobMessages` keeps the
message up to date. Input that is refused never reaches the paid API.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Awaitable, Callable, Sequence

import discord

from bot.client.components import RemixButton, region_picker
from bot.client.job_messages import JobMessages
from bot.client.modals import PromptModal, ZoomModal
from bot.client.render import NO_MENTIONS, job_content
from bot.client.replies import member_roles, reply
from bot.core import requests
from bot.core.accounts import Accounts, Refusal
from bot.core.buttons import IMAGE_ACTIONS, ButtonFace
from bot.core.errors import InvalidInput, MJError
from bot.core.images import ImageFetcher, check_reference_image, image_size, region_mask
from bot.core.jobs import JobService
from bot.core.models import (
    BlendRequest,
    ImagineRequest,
    Job,
    JobAction,
    JobStatus,
    ReferenceImage,
    Requester,
)
from bot.core.quota import GuildConfig
from bot.core.requests import ActionRequest, DescribeRequest, JobRequest, RegionRequest
from bot.i18n import tr

log = logging.getLogger(__name__)

MAX_PROMPT_CHARS = 1500
BLEND_MIN, BLEND_MAX = 2, 5
UNKNOWN_JOB = "This button belongs to a job the bot no longer knows."


def _requester(interaction: discord.Interaction) -> Requester:
    assert interaction.channel_id is not None
    return Requester(interaction.user.id, interaction.guild_id, interaction.channel_id)


def _first_look(interaction: discord.Interaction, action: JobAction, prompt: str, title: str = "") -> str:
    """The message's first content, drawn before the job's row exists."""
    job = Job(0, interaction.user.id, None, 0, action, prompt, JobStatus.SUBMITTING, 0, 0, title=title)
    job.locale = str(interaction.locale)
    return job_content(job)


class Flows:
    def __init__(
        self,
        jobs: JobService,
        messages: JobMessages,
        fetcher: ImageFetcher,
        *,
        bot_type: str,
        mode: str | None,
        max_attachment_bytes: int,
    ) -> None:
        self.jobs = jobs
        assert jobs.accounts is not None, "the Discord flows charge every job"
        self.accounts: Accounts = jobs.accounts
        self.messages = messages
        self.fetcher = fetcher
        self.bot_type = bot_type
        self.mode = mode
        self.max_attachment_bytes = max_attachment_bytes

    # -- slash commands --------------------------------------------------------------------------
    async def imagine(
        self,
        interaction: discord.Interaction,
        prompt: str,
        attachments: Sequence[discord.Attachment],
        *,
        mode: str | None = None,
        bot_type: str | None = None,
    ) -> None:
        prompt = " ".join(prompt.split())
        config = await self.accounts.config(interaction.guild_id)
        try:
            _check_prompt(prompt)
            _check_words(prompt, config)
            self._check_attachments(attachments)
        except InvalidInput as exc:
            await _refuse(interaction, exc.user_message, prompt)
            return

        async def read() -> JobRequest:
            images = tuple([await self._read_image(a) for a in attachments])
            return ImagineRequest(prompt, images, *self._flavour(config, mode, bot_type))

        await self._command_job(interaction, JobAction.IMAGINE, prompt, read)

    async def blend(
        self,
        interaction: discord.Interaction,
        attachments: Sequence[discord.Attachment],
        dimensions: str,
        *,
        mode: str | None = None,
        bot_type: str | None = None,
    ) -> None:
        label = f"Blend of {len(attachments)} images ({dimensions.lower()})"
        config = await self.accounts.config(interaction.guild_id)
        try:
            if not BLEND_MIN <= len(attachments) <= BLEND_MAX:
                raise InvalidInput(f"/blend takes {BLEND_MIN} to {BLEND_MAX} images; you gave {len(attachments)}.")
            self._check_attachments(attachments)
        except InvalidInput as exc:
            await _refuse(interaction, exc.user_message, "")
            return

        async def read() -> JobRequest:
            images = tuple([await self._read_image(a) for a in attachments])
            return BlendRequest(images, dimensions, *self._flavour(config, mode, bot_type))

        await self._command_job(interaction, JobAction.BLEND, label, read)

    async def describe(self, interaction: discord.Interaction, attachment: discord.Attachment) -> None:
        try:
            self._check_attachments([attachment])
        except InvalidInput as exc:
            await _refuse(interaction, exc.user_message, "")
            return

        async def read() -> JobRequest:
            return DescribeRequest(await self._read_image(attachment))

        await self._command_job(interaction, JobAction.DESCRIBE, attachment.filename, read, title="Describe")

    async def _command_job(
        self,
        interaction: discord.Interaction,
        action: JobAction,
        prompt: str,
        read: Callable[[], Awaitable[JobRequest]],
        *,
        title: str = "",
    ) -> None:
        """Check the member's limits, answer with the public message, check the input, charge, submit.

        Nothing is charged until the input passed every check; a refusal before the public message
        is private.
        """
        roles = member_roles(interaction)
        try:
            await self.accounts.check(_requester(interaction), roles, action)
        except Refusal as exc:
            await _refuse(interaction, exc.user_message, prompt if action is JobAction.IMAGINE else "")
            return
        job = await self._open_from_command(interaction, action, prompt, title=title)
        try:
            request = await read()
        except InvalidInput as exc:
            await self.jobs.refuse(job, exc)
            return
        try:
            job = await self.accounts.charge(job, roles, requests.encode(request))
        except Refusal as exc:  # another job of the member's took the last credit meanwhile
            await self.jobs.refuse(job, InvalidInput(exc.user_message))
            return
        await self.jobs.begin(job)

    def _flavour(self, config: GuildConfig, mode: str | None, bot_type: str | None) -> tuple[str, str | None]:
        """(bot type, mode): the member's choice, else the server's, else the bot's settings."""
        return bot_type or config.default_bot or self.bot_type, mode or config.default_mode or self.mode

    # -- a job's buttons -------------------------------------------------------------------------
    async def press(self, interaction: discord.Interaction, job_id: int, index: int) -> None:
        parent = await self.jobs.ledger.get(job_id)
        found = self.jobs.button(parent, index) if parent else None
        if parent is None or found is None:
            await reply(interaction, UNKNOWN_JOB)
            return
        face = found[1]
        config = await self.accounts.config(parent.guild_id)
        if config.press_policy == "owner" and interaction.user.id != parent.user_id:
            text = "On this server only the member who started a job can use its buttons."
            await reply(interaction, text)
            return
        # Dialogs must be the first answer to a press, so these are decided before any defer.
        if face.action is JobAction.CUSTOM_ZOOM:
            prompt = re.sub(r"\s--zoom\s+\S+", "", parent.prompt)

            async def zoom(modal_interaction: discord.Interaction, text: str, value: float) -> None:
                await modal_interaction.response.defer()
                zoomed = f"{text or prompt} --zoom {value:g}"
                await self._reply_job(modal_interaction, parent, index, face, ActionRequest(parent.id, index, zoomed))

            await interaction.response.send_modal(ZoomModal(prompt, zoom, interaction.locale))
            return
        if face.action is JobAction.VARY_REGION:
            text, view = region_picker(parent.id, index, set(), interaction.locale)
            await reply(interaction, text, view=view)
            return

        await interaction.response.defer()
        if face.action is JobAction.BOOKMARK:
            await reply(interaction, await self.jobs.bookmark(parent, index))
        elif face.action is JobAction.DESCRIBE_PICK:
            prompt = parent.descriptions[int(parent.buttons[index].custom_id.split("::")[1]) - 1]
            request = ImagineRequest(prompt, (), *self._flavour(config, None, None))
            await self._reply_job(interaction, parent, None, face, request, action=JobAction.IMAGINE, prompt=prompt)
        elif face.action is JobAction.UPSCALE and (done := await self._finished_upscale(parent, index)):
            await self._reuse_upscale(interaction, parent, index, face, done)
        elif face.action in IMAGE_ACTIONS:
            job = await self._reply_job(interaction, parent, index, face, ActionRequest(parent.id, index))
            if job is not None and job.status is JobStatus.NEEDS_INPUT:
                view = discord.ui.View(timeout=None)
                view.add_item(RemixButton(job.id))
                view.stop()
                text = "🎛️ Remix is on at the image service: edit the prompt for this job, then submit it."
                await reply(interaction, text, view=view)
        else:
            await reply(interaction, "This action is not available in this bot.")

    async def _finished_upscale(self, parent: Job, index: int) -> Job | None:
        """The upscale this grid's button already made, if any: pressing it again costs nothing."""
        done = await self.jobs.ledger.jobs_where(
            "parent_id = ? AND parent_button = ? AND action = ? AND status = 'succeeded'",
            (parent.id, index, JobAction.UPSCALE.value),
        )
        return done[0] if done else None

    async def _reuse_upscale(
        self, interaction: discord.Interaction, parent: Job, index: int, face: ButtonFace, done: Job
    ) -> None:
        image_url = done.image_url
        if done.message_id is not None:
            # The copy Discord holds outlives the API's expiring link.
            channel = interaction.client.get_partial_messageable(done.channel_id, guild_id=done.guild_id)
            try:
                message = await channel.fetch_message(done.message_id)
                image_url = message.attachments[0].url if message.attachments else image_url
            except discord.HTTPException:
                pass
        message = await self._post_reply(
            interaction, parent, _first_look(interaction, face.action, parent.prompt, face.title)
        )
        job = await self.jobs.reuse(done, _requester(interaction), message.id, image_url, str(interaction.locale))
        log.info("job %s reuses the upscale of job %s: no API call, no charge", job.id, done.id)

    async def open_remix(self, interaction: discord.Interaction, job_id: int) -> None:
        job = await self.jobs.ledger.get(job_id)
        if job is None or job.status is not JobStatus.NEEDS_INPUT:
            await reply(interaction, "This job is no longer waiting for a prompt.")
            return
        if job.user_id != interaction.user.id:
            await reply(interaction, "Only the member who started this job can remix it.")
            return

        async def remix(modal_interaction: discord.Interaction, prompt: str) -> None:
            await modal_interaction.response.defer()
            fresh = await self.jobs.ledger.get(job_id)
            if fresh is not None:
                await self.jobs.confirm_input(fresh, prompt or fresh.prompt)

        await interaction.response.send_modal(PromptModal("Remix", job.prompt, remix, interaction.locale))

    async def region_picked(self, interaction: discord.Interaction, job_id: int, index: int, cells: set[int]) -> None:
        text, view = region_picker(job_id, index, cells, interaction.locale)
        await interaction.response.edit_message(content=text, view=view)

    async def region_go(
        self, interaction: discord.Interaction, job_id: int, index: int, cells: set[int], *, edit: bool
    ) -> None:
        parent = await self.jobs.ledger.get(job_id)
        found = self.jobs.button(parent, index) if parent else None
        if parent is None or found is None or not cells:
            await reply(interaction, UNKNOWN_JOB)
            return
        face = found[1]

        async def repaint(answer: discord.Interaction, prompt: str) -> None:
            done = tr("🖌️ Repainting the chosen parts…", answer.locale)
            await answer.response.edit_message(content=done, view=None)
            mask = await self._mask_for(parent, cells)
            if mask is None:
                await reply(answer, "The image to repaint could not be read. Please try again.")
                return
            await self._reply_job(
                answer, parent, index, face, RegionRequest(parent.id, index, prompt, mask), prompt=prompt
            )

        if edit:
            await interaction.response.send_modal(
                PromptModal("Vary (Region)", parent.prompt, repaint, interaction.locale)
            )
        else:
            await repaint(interaction, parent.prompt)

    # -- helpers -----------------------------------------------------------------------------------
    async def _open_from_command(
        self, interaction: discord.Interaction, action: JobAction, prompt: str, *, title: str = ""
    ) -> Job:
        """Answer the command with the job's public message, and record the job (uncharged yet)."""
        callback = await interaction.response.send_message(
            _first_look(interaction, action, prompt, title), allowed_mentions=NO_MENTIONS
        )
        message_id = callback.message_id or (await interaction.original_response()).id
        job = await self.accounts.open_job(
            _requester(interaction),
            [],
            charge=False,
            provider=self.jobs.provider.name,
            action=action,
            prompt=prompt,
            title=title,
            message_id=message_id,
            locale=str(interaction.locale),
        )
        self.messages.track(job, interaction)
        return job

    async def _reply_job(
        self,
        interaction: discord.Interaction,
        parent: Job,
        index: int | None,
        face: ButtonFace,
        request: JobRequest,
        *,
        action: JobAction | None = None,
        prompt: str | None = None,
    ) -> Job | None:
        """Charge and record the job, then its public message replying to the parent's, then submit.

        The interaction is already acknowledged; a refusal is told to the presser alone.
        """
        action = action or face.action
        prompt = prompt or parent.prompt
        title = "" if action is JobAction.IMAGINE else face.title
        try:
            job = await self.accounts.open_job(
                _requester(interaction),
                member_roles(interaction),
                request=requests.encode(request),
                provider=self.jobs.provider.name,
                action=action,
                prompt=prompt,
                title=title,
                parent_id=parent.id,
                parent_button=index,
                locale=str(interaction.locale),
            )
        except Refusal as exc:
            await reply(interaction, f"❌ {exc.user_message}")
            return None
        message = await self._post_reply(interaction, parent, _first_look(interaction, action, prompt, title))
        job = await self.jobs.set_message(job.id, message.id)
        self.messages.track(job, None)
        return await self.jobs.begin(job)

    async def _post_reply(self, interaction: discord.Interaction, parent: Job, content: str) -> discord.Message:
        channel = interaction.client.get_partial_messageable(parent.channel_id, guild_id=parent.guild_id)
        if parent.message_id is None:
            return await channel.send(content, allowed_mentions=NO_MENTIONS)
        reference = discord.MessageReference(
            message_id=parent.message_id, channel_id=parent.channel_id, fail_if_not_exists=False
        )
        return await channel.send(content, reference=reference, allowed_mentions=NO_MENTIONS)

    async def _mask_for(self, parent: Job, cells: set[int]) -> bytes | None:
        """The Vary (Region) mask at the image's own size (read from the ledger, else from the image)."""
        width, height = parent.image_width, parent.image_height
        if not (width and height) and parent.image_url:
            try:
                size = image_size(await self.fetcher.download(parent.image_url))
            except MJError:
                size = None
            if size is None:
                return None
            width, height = size
        if not (width and height):
            return None
        return region_mask(width, height, cells)

    def _check_attachments(self, attachments: Sequence[discord.Attachment]) -> None:
        """What Discord tells about each file, before anything is downloaded."""
        limit = self.max_attachment_bytes / (1024 * 1024)
        for attachment in attachments:
            if attachment.size > self.max_attachment_bytes:
                raise InvalidInput(f"`{attachment.filename}` is larger than the {limit:.0f} MB limit for images.")
            declared = (attachment.content_type or "").split(";")[0].strip()
            if declared and not declared.startswith("image/"):
                raise InvalidInput(f"`{attachment.filename}` is not an image ({declared}). Attach a PNG, JPEG or WebP.")

    async def _read_image(self, attachment: discord.Attachment) -> ReferenceImage:
        """The bytes, judged by Pillow; the URL goes along for dialects that fetch images themselves."""
        try:
            data = await attachment.read()
        except discord.HTTPException as exc:
            log.warning("attachment %s could not be read: %s", attachment.id, exc)
            raise InvalidInput(f"`{attachment.filename}` could not be downloaded from Discord. Try again.") from None
        checked = check_reference_image(data, attachment.filename, self.max_attachment_bytes)
        return ReferenceImage(checked.data, checked.content_type, url=attachment.url)


def _check_words(prompt: str, config: GuildConfig) -> None:
    """The server's banned words, checked before anything is paid."""
    for word in config.banned_words:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", prompt, re.IGNORECASE):
            raise InvalidInput(f"Your prompt contains a word this server does not allow: `{word}`.")


def _check_prompt(prompt: str) -> None:
    if not prompt:
        raise InvalidInput("The prompt is empty. Describe the image you want.")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidInput(f"The prompt is {len(prompt)} characters long; the limit is {MAX_PROMPT_CHARS}.")


async def _refuse(interaction: discord.Interaction, reason: str, prompt: str) -> None:
    """Tell only the user what was wrong, and hand their prompt back so nothing is lost."""
    log.info("input refused for user %s: %s", interaction.user.id, reason)
    text = tr(f"❌ {reason} Nothing was submitted.", interaction.locale)
    files: list[discord.File] = []
    if prompt and len(prompt) + len(text) < 1900:
        text += tr("\nYour prompt:", interaction.locale) + f"\n```\n{prompt.replace('```', 'ˋˋˋ')}\n```"
    elif prompt:
        text += tr("\nYour prompt is attached so you can edit it.", interaction.locale)
        files.append(discord.File(io.BytesIO(prompt.encode()), "prompt.txt"))
    await interaction.response.send_message(text, files=files, ephemeral=True, allowed_mentions=NO_MENTIONS)
