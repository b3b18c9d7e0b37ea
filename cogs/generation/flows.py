"""The paths a member walks: /imagine, /blend, /describe, /edit and the presses on a job's buttons.

Each acknowledges the interaction first (Discord allows 3 seconds), creates the job's public message,
records the job, checks what the user sent, then submits it; from then on `JobMessages` keeps the
message up to date. Input that is refused never reaches the paid API.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import cast

import discord

from bot.client.host import Host
from bot.client.job_images import job_image
from bot.client.replies import NO_MENTIONS, member_roles, reply
from bot.core import crashpoints, requests, versions
from bot.core.accounts import Accounts, Refusal
from bot.core.buttons import JOB_ACTIONS, REMIX_ACTIONS, VIDEO_ACTIONS, ButtonFace
from bot.core.errors import InvalidInput, MJError, UserFacingError
from bot.core.image_work import off_loop
from bot.core.images import ImageFetcher, check_reference_image, image_extension, image_size, region_mask
from bot.core.jobs import JobService
from bot.core.lifecycle import CANCELLABLE
from bot.core.models import (
    BlendRequest,
    EditRequest,
    ImagineRequest,
    Job,
    JobAction,
    JobStatus,
    ReferenceImage,
    Requester,
)
from bot.core.preferences import Preference, Preferences
from bot.core.pricing import Price
from bot.core.prompts import checked_prompt, clean
from bot.core.providers.base import editor
from bot.core.quota import GuildConfig
from bot.core.requests import ActionRequest, DescribeRequest, JobRequest, RegionRequest, ShortenRequest
from bot.core.text import Text
from bot.i18n import render
from cogs.generation.feature import video_on
from cogs.generation.job_messages import JobMessages
from cogs.generation.modals import PromptModal, ZoomModal
from cogs.generation.pending_edits import PendingEdits
from cogs.generation.posted_messages import Posted, PostedMessages
from cogs.generation.region import edit_region_picker, region_picker
from cogs.generation.render import job_content, job_view, result_filename
from cogs.generation.video_files import upload_limit, video_files

log = logging.getLogger(__name__)

BLEND_MIN, BLEND_MAX = 2, 5
UNKNOWN_JOB = Text("job-unknown")
# Finished jobs kept in memory for presses (~5 KB each, with their buttons): the latest bursts' grids; an
# older one is read from the ledger by its key.
RECENT_JOBS = 512


def _requester(interaction: discord.Interaction) -> Requester:
    assert interaction.channel_id is not None
    parent = getattr(interaction.channel, "parent_id", None)  # a thread's channel
    return Requester(interaction.user.id, interaction.guild_id, interaction.channel_id, parent)


def _first_look(interaction: discord.Interaction, action: JobAction, prompt: str, title: Text | None = None) -> str:
    """The message's first content, drawn before the job's row exists."""
    job = Job(0, interaction.user.id, None, 0, action, prompt, JobStatus.SUBMITTING, 0, 0, title=title)
    job.locale = str(interaction.locale)
    return job_content(job)


def _price_line(price: Price, locale: object) -> str:
    """The price under the first look where the cost table changed it; "" where it is the action's base."""
    if not price.multiplied:
        return ""
    return "\n" + render(Text("job-price", cost=price.credits, base=price.base, factors=price.shown()), locale)


class Flows:
    def __init__(
        self,
        jobs: JobService,
        messages: JobMessages,
        posted: PostedMessages,
        fetcher: ImageFetcher,
        preferences: Preferences,
        *,
        bot_type: str,
        mode: str | None,
        max_attachment_bytes: int,
    ) -> None:
        self.jobs = jobs
        assert jobs.accounts is not None, "the Discord flows charge every job"
        self.accounts: Accounts = jobs.accounts
        self.messages = messages
        self.posted = posted
        self.fetcher = fetcher
        self.preferences = preferences
        self.bot_type = bot_type
        self.mode = mode
        self.max_attachment_bytes = max_attachment_bytes
        self._recent: OrderedDict[int, Job] = OrderedDict()
        self.pending_edits = PendingEdits()

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
        preference = self.preferences.of(interaction.guild_id, interaction.user.id)  # memory: no I/O
        config = self.accounts.cached_config(interaction.guild_id)
        flavour = self._flavour(config, mode, bot_type, preference)
        try:
            sent = preference.suffixed(prompt, has_images=bool(attachments))  # the suffix shows in the message
            sent, flavour, notice = self._versioned(config, preference, sent, flavour)
            self._check_attachments(attachments)
        except InvalidInput as exc:
            await _refuse(interaction, exc.text, clean(prompt))
            return

        async def read() -> JobRequest:
            images = tuple([await self._read_image(a) for a in attachments])
            return ImagineRequest(sent, images, *flavour, translate=config.translate_prompts)

        await self._command_job(
            interaction,
            JobAction.IMAGINE,
            sent,
            read,
            flavour,
            files=bool(attachments),
            hand_back=clean(prompt),
            notice=notice,
        )  # handed back without the suffix, which would come twice if the prompt were sent again

    async def blend(
        self,
        interaction: discord.Interaction,
        attachments: Sequence[discord.Attachment],
        dimensions: str,
        *,
        mode: str | None = None,
        bot_type: str | None = None,
    ) -> None:
        # The job's prompt, in the member's language: the ledger keeps it as written, like a typed prompt.
        label = render(Text("blend-title", count=len(attachments), shape=dimensions.lower()), interaction.locale)
        try:
            if not BLEND_MIN <= len(attachments) <= BLEND_MAX:
                raise InvalidInput(Text("input-blend-count", min=BLEND_MIN, max=BLEND_MAX, count=len(attachments)))
            self._check_attachments(attachments)
        except InvalidInput as exc:
            await _refuse(interaction, exc.text, "")
            return
        preference = self.preferences.of(interaction.guild_id, interaction.user.id)
        flavour = self._flavour(self.accounts.cached_config(interaction.guild_id), mode, bot_type, preference)

        async def read() -> JobRequest:
            images = tuple([await self._read_image(a) for a in attachments])
            return BlendRequest(images, dimensions, *flavour)

        await self._command_job(interaction, JobAction.BLEND, label, read, flavour, files=True)

    async def describe(self, interaction: discord.Interaction, attachment: discord.Attachment) -> None:
        try:
            self._check_attachments([attachment])
        except InvalidInput as exc:
            await _refuse(interaction, exc.text, "")
            return

        async def read() -> JobRequest:
            return DescribeRequest(await self._read_image(attachment))

        await self._command_job(
            interaction,
            JobAction.DESCRIBE,
            attachment.filename,
            read,
            (None, None),
            files=True,
            title=Text("job-title-describe"),
        )

    async def shorten(self, interaction: discord.Interaction, prompt: str) -> None:
        """/shorten: the API's shorter versions of a prompt, with 1️⃣–5️⃣ to imagine one of them."""
        try:
            prompt = checked_prompt(prompt)
        except InvalidInput as exc:
            await _refuse(interaction, exc.text, clean(prompt))
            return
        preference = self.preferences.of(interaction.guild_id, interaction.user.id)
        flavour = self._flavour(self.accounts.cached_config(interaction.guild_id), None, None, preference)

        async def read() -> JobRequest:
            return ShortenRequest(prompt, flavour[0])

        await self._command_job(
            interaction, JobAction.SHORTEN, prompt, read, (None, None), files=False, title=Text("job-title-shorten")
        )

    async def edit(
        self,
        interaction: discord.Interaction,
        attachment: discord.Attachment,
        prompt: str,
        *,
        pick_region: bool,
        mode: str | None = None,
    ) -> None:
        """/edit: the member's image repainted from the prompt, whole or in the parts picked on a 3×3 grid.

        Where the API cannot edit, the member is told at once, before anything is read or charged.
        """
        if editor(self.jobs.provider) is None:
            await _refuse(interaction, Text("edit-unsupported"), clean(prompt))
            return
        preference = self.preferences.of(interaction.guild_id, interaction.user.id)  # memory: no I/O
        config = self.accounts.cached_config(interaction.guild_id)
        mode = self._flavour(config, mode, None, preference)[1]
        try:
            prompt = checked_prompt(prompt)
            prompt, (_, mode), _ = self._versioned(config, preference, prompt, ("MID_JOURNEY", mode))
            self._check_attachments([attachment])
        except InvalidInput as exc:
            await _refuse(interaction, exc.text, clean(prompt))
            return
        if not pick_region:

            async def read() -> JobRequest:
                return EditRequest(await self._read_image(attachment), prompt, None, mode)

            await self._edit_job(interaction, prompt, read, mode)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            # The server's rules before the member spends time picking (the charge comes with the pick).
            await self.accounts.admit(_requester(interaction), [prompt])
            image = await self._read_image(attachment)
        except (InvalidInput, Refusal) as exc:
            await _refuse(interaction, exc.text, prompt)
            return
        self.pending_edits.put(interaction.id, interaction.user.id, image, prompt, mode)
        text, view = edit_region_picker(interaction.id, set(), interaction.locale)
        await interaction.edit_original_response(content=text, view=view, allowed_mentions=NO_MENTIONS)

    async def edit_region_picked(self, interaction: discord.Interaction, token: int, cells: set[int]) -> None:
        if self.pending_edits.get(token, interaction.user.id) is None:
            await reply(interaction, Text("edit-expired"))
            return
        text, view = edit_region_picker(token, cells, interaction.locale)
        await interaction.response.edit_message(content=text, view=view)

    async def edit_region_go(self, interaction: discord.Interaction, token: int, cells: set[int]) -> None:
        pending = self.pending_edits.take(token, interaction.user.id)
        size = image_size(pending.image.data) if pending is not None else None
        if pending is None or size is None or not cells:
            await reply(interaction, Text("edit-expired"))
            return
        mask = await off_loop(region_mask, *size, cells)
        await interaction.response.edit_message(content=render(Text("edit-starting"), interaction.locale), view=None)

        async def read() -> JobRequest:
            return EditRequest(pending.image, pending.prompt, mask, pending.mode)

        await self._edit_job(interaction, pending.prompt, read, pending.mode)

    async def _edit_job(
        self,
        interaction: discord.Interaction,
        prompt: str,
        read: Callable[[], Awaitable[JobRequest]],
        mode: str | None,
    ) -> None:
        title = Text("job-title-edit")
        await self._command_job(
            interaction, JobAction.EDIT, prompt, read, (None, mode), files=True, title=title, hand_back=prompt
        )

    async def _command_job(
        self,
        interaction: discord.Interaction,
        action: JobAction,
        prompt: str,
        read: Callable[[], Awaitable[JobRequest]],
        flavour: tuple[str | None, str | None],
        *,
        files: bool,
        title: Text | None = None,
        hand_back: str = "",
        notice: Text | None = None,
    ) -> None:
        """Check the input, charge, then post the public message and submit.

        Every refusal (the member's limits, the server's rules, a file that is not an image) comes
        before anything public and is private, with `hand_back` (the member's own prompt) handed back.
        With files, whose bytes take time to read and check, the command is first acknowledged privately
        ("thinking") and the job's public message is posted in the channel.
        """
        requester, roles = _requester(interaction), member_roles(interaction)
        answer = self.posted.answering(interaction)  # a kill during the answer still finds it
        if files and not interaction.response.is_done():  # done: a picker's press, its message is the answer
            await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            # Admitted before any file is read: a member who may not run costs no download.
            provider = self.jobs.pool.for_new_job().name  # the first healthy API, priced at its table
            ticket = self.accounts.reserve(requester, roles, action, [prompt], flavour[1], provider)  # no I/O
        except (InvalidInput, Refusal) as exc:
            self.posted.gone(answer)
            await _refuse(interaction, exc.text, hand_back)
            await self.accounts.store_strikes()
            return
        try:
            request = await read()  # without files: no I/O, so the answer below is still the first
        except InvalidInput as exc:
            self.posted.gone(answer)
            await self.accounts.cancel(ticket)
            await _refuse(interaction, exc.text, hand_back)
            return
        except BaseException:
            await self.accounts.cancel(ticket)
            raise
        content = _first_look(interaction, action, prompt, title) + _price_line(ticket.price, interaction.locale)
        if notice is not None:
            content += "\n" + render(notice, interaction.locale)
        unread = answer
        try:
            if files:  # answered privately already: the public message is a channel's, found by its nonce
                channel = interaction.client.get_partial_messageable(requester.channel_id, guild_id=requester.guild_id)
                unread = self.posted.sending(requester.channel_id, None, str(interaction.locale))
                message_id = (await channel.send(content, nonce=unread, allowed_mentions=NO_MENTIONS)).id
            else:
                crashpoints.reached("ack.before")
                callback = await interaction.response.send_message(content, allowed_mentions=NO_MENTIONS)
                crashpoints.reached("ack.sent")
                message_id = callback.message_id or (await interaction.original_response()).id
        except BaseException as exc:  # an HTTP error, a timeout, a reset connection: the reservation goes too
            log.warning("a job of user %s could not be posted, so it was not charged: %r", requester.user_id, exc)
            await self.accounts.cancel(ticket)
            if isinstance(exc, discord.HTTPException):
                self.posted.gone(answer, unread)  # refused: there is no message
                return
            raise  # the message may exist: its journal entry lets the next start end it
        self.posted.posted(Posted(message_id, requester.channel_id, None, str(interaction.locale), unread))
        self.posted.gone(answer)  # with files: the private answer is no job's message
        crashpoints.reached("ack.after")
        try:
            job = await self.accounts.open_job(
                requester,
                roles,
                ticket=ticket,
                request=requests.encode(request),
                provider=provider,
                action=action,
                prompt=prompt,
                title=title,
                message_id=message_id,
                locale=str(interaction.locale),
                bot_type=flavour[0],
                mode=flavour[1],
            )
        except Refusal as exc:  # the ledger disagreed with the mirror: nothing charged, the message says so
            channel = interaction.client.get_partial_messageable(requester.channel_id, guild_id=requester.guild_id)
            failed = f"{content}\n❌ {render(exc.text, interaction.locale)}"
            with contextlib.suppress(discord.HTTPException):
                await channel.get_partial_message(message_id).edit(content=failed, allowed_mentions=NO_MENTIONS)
            self.posted.recorded(message_id)
            return
        self.posted.recorded(message_id)
        self.messages.track(job, None if files else interaction)
        if files:
            link = f"https://discord.com/channels/{job.guild_id or '@me'}/{job.channel_id}/{message_id}"
            started = render(Text("job-started", link=link), interaction.locale)
            with contextlib.suppress(discord.HTTPException):
                await interaction.edit_original_response(content=started)
        await self.jobs.begin(job)

    def _flavour(
        self, config: GuildConfig, mode: str | None, bot_type: str | None, preference: Preference
    ) -> tuple[str, str | None]:
        """(bot type, mode): the command's option, else the member's preference, else the server's default,
        else the bot's settings."""
        bot = bot_type or preference.bot_type or config.default_bot or self.bot_type
        return bot, mode or preference.mode or config.default_mode or self.mode

    def _versioned(
        self, config: GuildConfig, preference: Preference, prompt: str, flavour: tuple[str, str | None]
    ) -> tuple[str, tuple[str, str | None], Text | None]:
        """The prompt with the member's or server's version, checked for what that version takes (raises
        `InvalidInput`, before anything is charged), and the mode it can go at, with why it changed."""
        bot_type, mode = flavour
        if bot_type == "NIJI_JOURNEY":  # Niji versions keep their own rules
            return prompt, flavour, None
        default = self.accounts.defaults.default_version
        prompt = versions.with_version(prompt, preference.version or config.default_version)
        versions.check(prompt, mode, default)
        mode, notice = versions.speed(prompt, mode, default)
        return prompt, (bot_type, mode), notice

    def _button_mode(self, parent: Job, config: GuildConfig, preference: Preference) -> str | None:
        """A button job goes at the presser's preferred mode, else its parent's, else the server's default,
        else the bot's setting; Turbo at Fast where the parent's version has none (versions.speed)."""
        mode = preference.mode or parent.mode or config.default_mode or self.mode
        if parent.bot_type == "NIJI_JOURNEY":
            return mode
        return versions.speed(parent.prompt, mode, self.accounts.defaults.default_version)[0]

    # -- a job's buttons -------------------------------------------------------------------------
    def remember(self, job: Job) -> None:
        """JobService listener: jobs whose buttons can be pressed (finished, or waiting for a Remix prompt)
        kept in memory, so a press is answered with no lookup."""
        if job.status in (JobStatus.SUCCEEDED, JobStatus.NEEDS_INPUT):
            self._recent[job.id] = job
            self._recent.move_to_end(job.id)
            while len(self._recent) > RECENT_JOBS:
                self._recent.popitem(last=False)
        else:
            self._recent.pop(job.id, None)

    async def _job(self, job_id: int) -> Job | None:
        return self._recent.get(job_id) or await self.jobs.ledger.get(job_id)

    async def _admitted(
        self, interaction: discord.Interaction, job_id: int, *, own: bool = False, unknown: Text = UNKNOWN_JOB
    ) -> Job:
        """The one admission of every entry point that names a job (a press, a region pick, /show, ✉️,
        Cancel, the Remix prompt): the member may use the bot here as for a command (not blocked, an allowed
        channel), and the job is of the server the interaction comes from: another server's job does not
        exist for them. `own`: only its member or someone with Manage Server. Raises `UserFacingError`."""
        await self.accounts.admit(_requester(interaction), [])
        job = await self._job(job_id)
        if job is None or job.guild_id != interaction.guild_id:
            raise UserFacingError(unknown)
        if own and job.user_id != interaction.user.id and not interaction.permissions.manage_guild:
            raise UserFacingError(unknown)
        return job

    async def press(self, interaction: discord.Interaction, job_id: int, index: int, kind: str | None = None) -> None:
        preference = self.preferences.of(interaction.guild_id, interaction.user.id)  # memory: no I/O
        # A job at once: acknowledged before anything is looked up. With Remix on, a variation, re-roll or
        # pan opens the prompt dialog instead, which must be the first answer (so the parent is looked up
        # first, as for Custom Zoom: from memory for recent jobs).
        if kind == "p" and not preference.remix:
            await interaction.response.defer()
        parent = await self._admitted(interaction, job_id)
        found = self.jobs.button(parent, index)
        if found is None:
            await reply(interaction, UNKNOWN_JOB)
            return
        face = found[1]
        config = self.accounts.cached_config(parent.guild_id)
        if config.press_policy == "owner" and interaction.user.id != parent.user_id:
            await reply(interaction, Text("job-owner-only"))
            return
        if face.action in VIDEO_ACTIONS and not video_on(interaction.client, config):  # an old message's button
            await reply(interaction, Text("job-video-off"))
            return
        mode = self._button_mode(parent, config, preference)
        if preference.remix and face.action in REMIX_ACTIONS:
            if not self.jobs.takes_remix(parent, index):  # told before the dialog, so nothing is typed or charged
                await reply(interaction, Text("remix-not-here"))
                return
            await self._remix_first(interaction, parent, index, face, mode)
            return
        # Dialogs must be the first answer to a press, so these are decided before any defer.
        if face.action in (JobAction.CUSTOM_ZOOM, JobAction.VARY_REGION) and interaction.response.is_done():
            await reply(interaction, UNKNOWN_JOB)  # a forged or stale id: its kind did not say so
            return
        if face.action is JobAction.CUSTOM_ZOOM:
            prompt = re.sub(r"\s--zoom\s+\S+", "", parent.prompt)

            async def zoom(modal_interaction: discord.Interaction, text: str, value: float) -> None:
                await modal_interaction.response.defer()
                try:
                    zoomed = checked_prompt(f"{text or prompt} --zoom {value:g}")
                except InvalidInput as exc:
                    await reply(modal_interaction, Text("input-refused", reason=exc.text))
                    return
                request = ActionRequest(parent.id, index, zoomed, mode)
                await self._reply_job(modal_interaction, parent, index, face, request, prompt=zoomed)

            await interaction.response.send_modal(ZoomModal(prompt, zoom, interaction.locale))
            return
        if face.action is JobAction.VARY_REGION:
            text, view = region_picker(parent.id, index, set(), interaction.locale)
            await reply(interaction, text, view=view)
            return

        if not interaction.response.is_done():
            await interaction.response.defer()
        if face.action is JobAction.BOOKMARK:  # admitted above, like every press; free
            await reply(interaction, await self.jobs.bookmark(parent, index))
        elif face.action is JobAction.DESCRIBE_PICK:
            prompt = parent.descriptions[int(parent.buttons[index].custom_id.split("::")[1]) - 1]
            flavour = self._flavour(config, None, None, preference)
            request = ImagineRequest(prompt, (), *flavour, translate=config.translate_prompts)
            await self._reply_job(interaction, parent, None, face, request, action=JobAction.IMAGINE, prompt=prompt)
        elif face.action in JOB_ACTIONS:
            await self._reply_job(interaction, parent, index, face, ActionRequest(parent.id, index, None, mode))
        else:
            await reply(interaction, Text("job-action-unavailable"))

    async def _remix_first(
        self, interaction: discord.Interaction, parent: Job, index: int, face: ButtonFace, mode: str | None
    ) -> None:
        """The member's Remix: the prompt dialog, then the press with the edited prompt (the proxy dialect asks
        the API for its Remix modal and answers it; AceData takes the prompt with the action)."""

        async def remix(answer: discord.Interaction, text: str) -> None:
            await answer.response.defer()
            try:
                prompt = checked_prompt(text or parent.prompt)
            except InvalidInput as exc:
                await reply(answer, Text("input-refused", reason=exc.text))
                return
            request = ActionRequest(parent.id, index, prompt, mode, remix=True)
            await self._reply_job(answer, parent, index, face, request, prompt=prompt)

        dialog = PromptModal(Text("dialog-remix"), parent.prompt, remix, interaction.locale)
        await interaction.response.send_modal(dialog)

    async def show(self, interaction: discord.Interaction, job_id: int) -> None:
        """/show: a finished job posted again in this channel with its image and working buttons.

        A member shows their own jobs; Manage Server shows the server's. Refusals are private.
        """
        await interaction.response.defer(ephemeral=True, thinking=True)  # before any I/O
        job = await self._admitted(interaction, job_id, own=True, unknown=Text("job-none", id=job_id))
        if job.status is not JobStatus.SUCCEEDED or not job.image_url:
            raise UserFacingError(Text("job-nothing-to-show", id=job_id))
        files: list[discord.File] = []
        content = job_content(job)
        if job.video_urls:  # the videos again, as the job's own message carries them
            files, links = await video_files(self.fetcher, job, upload_limit(interaction.client, job.guild_id))
            content += "".join(f"\n{link}" for link in links)
        elif (data := await self._image_of(interaction, job)) is None:
            content += f"\n{job.image_url}"
        else:
            files.append(discord.File(io.BytesIO(data), result_filename(job, image_extension(data))))
        channel = interaction.client.get_partial_messageable(interaction.channel_id or job.channel_id)
        video = video_on(interaction.client, self.accounts.cached_config(job.guild_id))
        showcase = cast(Host, interaction.client).feature_on("gallery")
        view = job_view(job, video=video, showcase=showcase) or discord.utils.MISSING
        message = await channel.send(content, files=files, view=view, allowed_mentions=NO_MENTIONS)
        link = f"https://discord.com/channels/{interaction.guild_id}/{message.channel.id}/{message.id}"
        await reply(interaction, Text("job-shown-again", id=job.id, link=link))

    async def send_to_me(self, interaction: discord.Interaction, job_id: int) -> None:
        """✉️: the image to the presser's direct messages, with the prompt, a link back and the image's seed
        where the API tells it; free."""
        await interaction.response.defer(ephemeral=True, thinking=True)  # before any I/O
        job = await self._admitted(interaction, job_id)
        if job.status is not JobStatus.SUCCEEDED:
            raise UserFacingError(UNKNOWN_JOB)
        # The seed is asked for while the image downloads; it never fails, at worst it is None.
        data, seed = await asyncio.gather(self._image_of(interaction, job), self.jobs.seed(job))
        if data is None:
            raise UserFacingError(Text("dm-not-fetched"))
        file = discord.File(io.BytesIO(data), result_filename(job, image_extension(data)))
        where = f"https://discord.com/channels/{job.guild_id or '@me'}/{job.channel_id}/{job.message_id}"
        prompt = discord.utils.escape_markdown(job.prompt)[:1800]
        content = f"**{prompt}**\n{where}"
        if seed is not None:
            content += "\n" + render(Text("dm-seed", seed=seed), interaction.locale)
        try:
            direct = await interaction.user.create_dm()
            await direct.send(content, file=file, allowed_mentions=NO_MENTIONS)
        except discord.Forbidden:
            raise UserFacingError(Text("dm-closed")) from None
        await reply(interaction, Text("dm-sent"))

    async def _image_of(self, interaction: discord.Interaction, job: Job) -> bytes | None:
        return await job_image(interaction.client, self.fetcher, job)

    async def cancel(self, interaction: discord.Interaction, job_id: int) -> None:
        """Cancel: its member or a server admin; the message then ends "Cancelled" (through the job service)."""
        await interaction.response.defer()  # before any I/O; the job's message is the answer
        await self._admitted(interaction, job_id)
        job = await self.jobs.ledger.get(job_id)  # its latest state, not the one kept for presses
        if job is None:
            raise UserFacingError(UNKNOWN_JOB)
        if interaction.user.id != job.user_id and not interaction.permissions.manage_guild:
            raise UserFacingError(Text("cancel-not-allowed"))
        if job.status not in CANCELLABLE:
            raise UserFacingError(Text("cancel-too-late"))
        config = self.accounts.cached_config(job.guild_id)
        log.info("job %s: cancel pressed by user %s", job.id, interaction.user.id)
        await self.jobs.cancel(job, refund_running=config.refund_cancelled)

    async def open_remix(self, interaction: discord.Interaction, job_id: int) -> None:
        job = await self._admitted(interaction, job_id)
        if job.status is not JobStatus.NEEDS_INPUT:
            await reply(interaction, Text("remix-not-waiting"))
            return
        if job.user_id != interaction.user.id:
            await reply(interaction, Text("remix-owner-only"))
            return

        async def remix(modal_interaction: discord.Interaction, prompt: str) -> None:
            await modal_interaction.response.defer()
            fresh = await self.jobs.ledger.get(job_id)
            if fresh is None:
                return
            try:
                await self.jobs.confirm_input(fresh, checked_prompt(prompt or fresh.prompt))
            except (InvalidInput, Refusal) as exc:
                await reply(modal_interaction, Text("remix-refused", reason=exc.text))

        await interaction.response.send_modal(PromptModal(Text("dialog-remix"), job.prompt, remix, interaction.locale))

    async def region_picked(self, interaction: discord.Interaction, job_id: int, index: int, cells: set[int]) -> None:
        await self._admitted(interaction, job_id)
        text, view = region_picker(job_id, index, cells, interaction.locale)
        await interaction.response.edit_message(content=text, view=view)

    async def region_go(
        self, interaction: discord.Interaction, job_id: int, index: int, cells: set[int], *, edit: bool
    ) -> None:
        parent = await self._admitted(interaction, job_id)
        found = self.jobs.button(parent, index)
        if found is None or not cells:
            await reply(interaction, UNKNOWN_JOB)
            return
        face = found[1]

        async def repaint(answer: discord.Interaction, prompt: str) -> None:
            done = render(Text("region-repainting"), answer.locale)
            await answer.response.edit_message(content=done, view=None)
            try:
                prompt = checked_prompt(prompt)
            except InvalidInput as exc:
                await reply(answer, Text("input-refused", reason=exc.text))
                return
            mask = await self._mask_for(parent, cells)
            if mask is None:
                await reply(answer, Text("region-unreadable"))
                return
            config = self.accounts.cached_config(parent.guild_id)
            preference = self.preferences.of(answer.guild_id, answer.user.id)
            request = RegionRequest(parent.id, index, prompt, mask, self._button_mode(parent, config, preference))
            await self._reply_job(answer, parent, index, face, request, prompt=prompt)

        if edit:
            await interaction.response.send_modal(
                PromptModal(Text("dialog-vary-region"), parent.prompt, repaint, interaction.locale)
            )
        else:
            await repaint(interaction, parent.prompt)

    # -- helpers -----------------------------------------------------------------------------------
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

        The interaction is already acknowledged; a refusal is told to the presser alone. Pressing an
        upscale that is made or being made already shows that one, for free.
        """
        action = action or face.action
        written = prompt is not None and prompt != parent.prompt  # a prompt of the presser's own
        prompt = prompt or parent.prompt
        title = None if action is JobAction.IMAGINE else face.title
        mode = getattr(request, "mode", None)
        given = getattr(request, "prompt", None)  # a new prompt (Remix, zoom, a region, a pick): its version's rules
        try:
            if given and parent.bot_type != "NIJI_JOURNEY":
                versions.check(given, mode, self.accounts.defaults.default_version)
        except InvalidInput as exc:
            await _refused(interaction, exc)
            return None
        provider = self.jobs.provider_of(parent).name  # a job's buttons go to the API that made it
        price = self.accounts.price(interaction.guild_id, action, mode, prompt, provider)  # as open_job charges
        try:
            job = await self.accounts.open_job(
                _requester(interaction),
                member_roles(interaction),
                single_flight=action is JobAction.UPSCALE,
                texts=[prompt] if written else [],  # the presser is judged by what they wrote, not the parent's
                request=requests.encode(request),
                provider=provider,
                action=action,
                prompt=prompt,
                title=title,
                parent_id=parent.id,
                parent_button=index,
                locale=str(interaction.locale),
                mode=mode,
                bot_type=parent.bot_type,
            )
        except Refusal as exc:
            await _refused(interaction, exc)
            return None
        if job.source_id is not None:
            log.info("job %s shows the upscale of job %s: no API call, no charge", job.id, job.source_id)
            if job.status is JobStatus.SUCCEEDED:
                job = await self._discord_copy(interaction, job)
        unread = self.posted.sending(parent.channel_id, job.id, str(interaction.locale))
        try:
            first = _first_look(interaction, action, prompt, title)
            if job.source_id is None:
                first += _price_line(price, interaction.locale)
            message = await self._post_reply(interaction, parent, first, nonce=unread)
        except Exception as exc:  # an HTTP error, a timeout, a reset connection: refunded, its slot freed
            log.warning("job %s: its message could not be posted: %r", job.id, exc)
            if isinstance(exc, discord.HTTPException):
                self.posted.gone(unread)  # refused: there is no message; else the next start looks for it
            await self.jobs.abandon(job, Text("job-not-posted"))
            await reply(interaction, Text("job-not-posted-here"))
            return None
        self.posted.posted(Posted(message.id, message.channel.id, job.id, str(interaction.locale), unread))
        crashpoints.reached("press.posted")
        job = await self.jobs.set_message(job.id, message.id)
        self.posted.recorded(message.id)
        self.messages.track(job, None)
        return await self.jobs.begin(job)

    async def _discord_copy(self, interaction: discord.Interaction, job: Job) -> Job:
        """A shared upscale shows the copy Discord holds: it outlives the API's expiring link."""
        source = await self.jobs.ledger.get(job.source_id) if job.source_id else None
        if source is None or source.message_id is None:
            return job
        channel = interaction.client.get_partial_messageable(source.channel_id, guild_id=source.guild_id)
        try:
            message = await channel.fetch_message(source.message_id)
        except discord.HTTPException:
            return job
        if not message.attachments:
            return job
        return await self.jobs.ledger.update(job.id, image_url=message.attachments[0].url)

    async def _post_reply(
        self, interaction: discord.Interaction, parent: Job, content: str, *, nonce: str
    ) -> discord.Message:
        channel = interaction.client.get_partial_messageable(parent.channel_id, guild_id=parent.guild_id)
        reference = discord.utils.MISSING
        if parent.message_id is not None:
            reference = discord.MessageReference(
                message_id=parent.message_id, channel_id=parent.channel_id, fail_if_not_exists=False
            )
        message = await channel.send(content, reference=reference, nonce=nonce, allowed_mentions=NO_MENTIONS)
        crashpoints.reached("press.sent")
        return message

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
        return await off_loop(region_mask, width, height, cells)

    def _check_attachments(self, attachments: Sequence[discord.Attachment]) -> None:
        """What Discord tells about each file, before anything is downloaded."""
        limit = self.max_attachment_bytes / (1024 * 1024)
        for attachment in attachments:
            if attachment.size > self.max_attachment_bytes:
                raise InvalidInput(Text("input-too-large", filename=attachment.filename, limit=round(limit)))
            declared = (attachment.content_type or "").split(";")[0].strip()
            if declared and not declared.startswith("image/"):
                raise InvalidInput(Text("input-not-image", filename=attachment.filename, content_type=declared))

    async def _read_image(self, attachment: discord.Attachment) -> ReferenceImage:
        """The bytes, judged by Pillow; the URL goes along for dialects that fetch images themselves."""
        try:
            data = await attachment.read()
        except discord.HTTPException as exc:
            log.warning("attachment %s could not be read: %s", attachment.id, exc)
            raise InvalidInput(Text("input-not-downloaded", filename=attachment.filename)) from None
        checked = await off_loop(check_reference_image, data, attachment.filename, self.max_attachment_bytes)
        return ReferenceImage(checked.data, checked.content_type, url=attachment.url)


async def _refused(interaction: discord.Interaction, refusal: UserFacingError) -> None:
    """A press or a dialog refused (the member's limits, the server's rules): told to the presser alone."""
    await reply(interaction, f"❌ {render(refusal.text, interaction.locale)}")


async def _refuse(interaction: discord.Interaction, reason: Text, prompt: str) -> None:
    """Tell only the user what was wrong, and hand their prompt back so nothing is lost."""
    log.info("input refused for user %s: %s", interaction.user.id, reason)
    locale = interaction.locale
    text = render(Text("input-refused", reason=reason), locale)
    files: list[discord.File] = []
    if prompt and len(prompt) + len(text) < 1900:
        heading, fenced = render(Text("input-your-prompt"), locale), prompt.replace("```", "ˋˋˋ")
        text += f"\n{heading}\n```\n{fenced}\n```"
    elif prompt:
        text += "\n" + render(Text("input-prompt-attached"), locale)
        files.append(discord.File(io.BytesIO(prompt.encode()), "prompt.txt"))
    if interaction.response.is_done():  # acknowledged privately while the files were read
        await interaction.edit_original_response(content=text, attachments=files, allowed_mentions=NO_MENTIONS)
        return
    await interaction.response.send_message(text, files=files, ephemeral=True, allowed_mentions=NO_MENTIONS)
