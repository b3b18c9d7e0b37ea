"""How a job starts from Discord: checked, reserved from memory, answered, charged and recorded, then submitted.

Each acknowledges the interaction first (Discord allows 3 seconds), creates the job's public message,
records the job, checks what the user sent, then submits it; from then on `JobMessages` keeps the
message up to date. Input that is refused never reaches the paid API.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence

import discord

from bot.client.replies import NO_MENTIONS, jump_link, member_roles, reply
from bot.core import crashpoints, requests, versions
from bot.core.accounts import Accounts, Refusal
from bot.core.buttons import ButtonFace
from bot.core.errors import InvalidInput, MJError, UserFacingError
from bot.core.image_work import off_loop
from bot.core.images import ImageFetcher, check_reference_image, image_size, region_mask
from bot.core.jobs import JobService
from bot.core.models import Job, JobAction, JobStatus, ReferenceImage, Requester
from bot.core.preferences import Preference, Preferences
from bot.core.pricing import Price
from bot.core.providers.base import editor
from bot.core.quota import GuildConfig
from bot.core.requests import JobRequest
from bot.core.text import Text
from bot.i18n import render
from cogs.generation.job_messages import JobMessages
from cogs.generation.pending_edits import PendingEdits
from cogs.generation.posted_messages import Posted, PostedMessages
from cogs.generation.render import job_content

log = logging.getLogger("cogs.generation.flows")  # the flows log as one, whichever part writes


UNKNOWN_JOB = Text("job-unknown")
# Finished jobs kept in memory for presses (~5 KB each, with their buttons): the latest bursts' grids; an
# older one is read from the ledger by its key.
RECENT_JOBS = 512


def requester_of(interaction: discord.Interaction) -> Requester:
    assert interaction.channel_id is not None
    parent = getattr(interaction.channel, "parent_id", None)  # a thread's channel
    return Requester(interaction.user.id, interaction.guild_id, interaction.channel_id, parent)


def first_look(interaction: discord.Interaction, action: JobAction, prompt: str, title: Text | None = None) -> str:
    """The message's first content, drawn before the job's row exists."""
    job = Job(0, interaction.user.id, None, 0, action, prompt, JobStatus.SUBMITTING, 0, 0, title=title)
    job.locale = str(interaction.locale)
    return job_content(job)


def price_line(price: Price, locale: object) -> str:
    """The price under the first look where the cost table changed it; "" where it is the action's base."""
    if not price.multiplied:
        return ""
    return "\n" + render(Text("job-price", cost=price.credits, base=price.base, factors=price.shown()), locale)


class FlowsBase:
    """What every path shares: the services, the recent jobs, and how a job starts (checked, charged, posted,
    submitted) from a command or from a press."""

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
        written: bool = True,
    ) -> None:
        """Check the input, charge, then post the public message and submit. `written`: the member wrote
        `prompt` (judged by the server's rules); not a blend's label or an image's file name, made for them.

        Every refusal (the member's limits, the server's rules, a file that is not an image) comes
        before anything public and is private, with `hand_back` (the member's own prompt) handed back.
        With files, whose bytes take time to read and check, the command is first acknowledged privately
        ("thinking") and the job's public message is posted in the channel.
        """
        requester, roles = requester_of(interaction), member_roles(interaction)
        answer = self.posted.answering(interaction)  # a kill during the answer still finds it
        if files and not interaction.response.is_done():  # done: a picker's press, its message is the answer
            await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            # Admitted before any file is read: a member who may not run costs no download.
            # The first healthy API that can make it (/edit: one with edits), priced at its table.
            able = (lambda p: editor(p) is not None) if action is JobAction.EDIT else (lambda p: True)
            provider = self.jobs.pool.for_new_job(able).name
            judged = [prompt] if written else []
            ticket = self.accounts.reserve(requester, roles, action, judged, flavour[1], provider, priced=prompt)
        except (InvalidInput, Refusal) as exc:
            self.posted.gone(answer)
            await refuse(interaction, exc.text, hand_back)
            await self.accounts.store_strikes()
            return
        try:
            request = await read()  # without files: no I/O, so the answer below is still the first
        except InvalidInput as exc:
            self.posted.gone(answer)
            await self.accounts.cancel(ticket)
            await refuse(interaction, exc.text, hand_back)
            return
        except BaseException:
            await self.accounts.cancel(ticket)
            raise
        content = first_look(interaction, action, prompt, title) + price_line(ticket.price, interaction.locale)
        if notice is not None:
            content += "\n" + render(notice, interaction.locale)
        unread = answer
        sent = False  # the answer went out: a message exists even if its id cannot be read back
        try:
            if files:  # answered privately already: the public message is a channel's, found by its nonce
                channel = interaction.client.get_partial_messageable(requester.channel_id, guild_id=requester.guild_id)
                unread = self.posted.sending(requester.channel_id, None, str(interaction.locale))
                message_id = (await channel.send(content, nonce=unread, allowed_mentions=NO_MENTIONS)).id
            else:
                crashpoints.reached("ack.before")
                callback = await interaction.response.send_message(content, allowed_mentions=NO_MENTIONS)
                sent = True
                crashpoints.reached("ack.sent")
                message_id = callback.message_id or (await interaction.original_response()).id
            self.posted.posted(Posted(message_id, requester.channel_id, None, str(interaction.locale), unread))
            self.posted.gone(answer)  # with files: the private answer is no job's message
        except BaseException as exc:  # an HTTP error, a timeout, a reset connection: the reservation goes too
            log.warning("a job of user %s could not be posted, so it was not charged: %r", requester.user_id, exc)
            await self.accounts.cancel(ticket)
            if not isinstance(exc, discord.HTTPException):
                raise  # the message may exist: its journal entry lets the next start end it
            if not sent:  # refused: there is no message
                self.posted.gone(answer, unread)
                if files:  # the private "thinking…" answer says why, instead of spinning for 15 minutes
                    await reply(interaction, Text("job-not-posted-here"))
            return
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
            link = jump_link(job.guild_id, job.channel_id, message_id)
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
        await self.accounts.admit(requester_of(interaction), [])
        job = await self._job(job_id)
        if job is None or job.guild_id != interaction.guild_id:
            raise UserFacingError(unknown)
        if own and job.user_id != interaction.user.id and not interaction.permissions.manage_guild:
            raise UserFacingError(unknown)
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
            await refused(interaction, exc)
            return None
        provider = self.jobs.provider_of(parent).name  # a job's buttons go to the API that made it
        try:
            job = await self.accounts.open_job(
                requester_of(interaction),
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
            await refused(interaction, exc)
            return None
        # The price as charged: `open_job` read the server's settings from the ledger (another process may have
        # changed the cost table) and left them in memory.
        price = self.accounts.price(interaction.guild_id, action, mode, prompt, provider)
        if job.source_id is not None:
            log.info("job %s shows the upscale of job %s: no API call, no charge", job.id, job.source_id)
            if job.status is JobStatus.SUCCEEDED:
                job = await self._discord_copy(interaction, job)
        unread = self.posted.sending(parent.channel_id, job.id, str(interaction.locale))
        try:
            first = first_look(interaction, action, prompt, title)
            if job.source_id is None:
                first += price_line(price, interaction.locale)
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


async def refused(interaction: discord.Interaction, refusal: UserFacingError) -> None:
    """A press or a dialog refused (the member's limits, the server's rules): told to the presser alone."""
    await reply(interaction, f"❌ {render(refusal.text, interaction.locale)}")


async def refuse(interaction: discord.Interaction, reason: Text, prompt: str) -> None:
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
