"""The paths a member walks: /imagine and a press on a job's button.

Each acknowledges the interaction first (Discord allows 3 seconds), creates the job's public message,
records the job, then submits it; from then on `JobMessages` keeps the message up to date.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence

import discord

from bot.client.job_messages import JobMessages
from bot.client.render import NO_MENTIONS, job_content
from bot.core.buttons import ONE_CLICK_ACTIONS, describe_button
from bot.core.errors import InvalidInput
from bot.core.images import check_reference_image
from bot.core.jobs import JobService
from bot.core.models import ImagineRequest, Job, JobAction, JobStatus, ReferenceImage, Requester

log = logging.getLogger(__name__)

MAX_PROMPT_CHARS = 1500


def _requester(interaction: discord.Interaction) -> Requester:
    assert interaction.channel_id is not None
    return Requester(interaction.user.id, interaction.guild_id, interaction.channel_id)


def _preview(job_title: str, prompt: str, user_id: int) -> Job:
    """A job-shaped stand-in used to draw the first message before the row exists."""
    return Job(
        id=0,
        user_id=user_id,
        guild_id=None,
        channel_id=0,
        action=JobAction.IMAGINE,
        prompt=prompt,
        status=JobStatus.SUBMITTING,
        created_at=0,
        updated_at=0,
        title=job_title,
    )


class Flows:
    def __init__(self, jobs: JobService, messages: JobMessages, *, bot_type: str, max_attachment_bytes: int):
        self.jobs = jobs
        self.messages = messages
        self.bot_type = bot_type
        self.max_attachment_bytes = max_attachment_bytes

    async def imagine(
        self, interaction: discord.Interaction, prompt: str, attachments: Sequence[discord.Attachment]
    ) -> None:
        prompt = " ".join(prompt.split())
        try:
            self._check_prompt(prompt)
            for attachment in attachments:
                self._check_attachment_metadata(attachment)
        except InvalidInput as exc:
            log.info("imagine refused for user %s: %s", interaction.user.id, exc.user_message)
            await _refuse(interaction, exc.user_message, prompt)
            return

        callback = await interaction.response.send_message(
            job_content(_preview("", prompt, interaction.user.id)), allowed_mentions=NO_MENTIONS
        )
        message_id = callback.message_id
        if message_id is None:
            message_id = (await interaction.original_response()).id
        job = await self.jobs.create(_requester(interaction), JobAction.IMAGINE, prompt, message_id=message_id)
        self.messages.track(job, interaction)

        try:
            images = [await self._read_image(a) for a in attachments]
        except InvalidInput as exc:
            await self.jobs.refuse(job, exc)
            return
        await self.jobs.submit_imagine(job, ImagineRequest(prompt, tuple(images), self.bot_type))

    async def press(self, interaction: discord.Interaction, job_id: int, index: int) -> None:
        await interaction.response.defer()
        parent = await self.jobs.ledger.get(job_id)
        if parent is None or parent.status is not JobStatus.SUCCEEDED or not 0 <= index < len(parent.buttons):
            await _ephemeral(interaction, "This button belongs to a job the bot no longer knows.")
            return
        face = describe_button(parent.buttons[index])
        if face is None or face.action not in ONE_CLICK_ACTIONS:
            await _ephemeral(interaction, "This action is not available in this bot yet.")
            return

        channel = interaction.client.get_partial_messageable(parent.channel_id, guild_id=parent.guild_id)
        first = job_content(_preview(face.title, parent.prompt, interaction.user.id))
        if parent.message_id is not None:
            reference = discord.MessageReference(
                message_id=parent.message_id, channel_id=parent.channel_id, fail_if_not_exists=False
            )
            message = await channel.send(first, reference=reference, allowed_mentions=NO_MENTIONS)
        else:
            message = await channel.send(first, allowed_mentions=NO_MENTIONS)
        job = await self.jobs.create(
            _requester(interaction),
            face.action,
            parent.prompt,
            title=face.title,
            message_id=message.id,
            parent=parent,
            parent_button=index,
        )
        self.messages.track(job, None)
        await self.jobs.submit_action(job, parent, index)

    # -- checks ----------------------------------------------------------------------------------
    @staticmethod
    def _check_prompt(prompt: str) -> None:
        if not prompt:
            raise InvalidInput("The prompt is empty. Describe the image you want.")
        if len(prompt) > MAX_PROMPT_CHARS:
            raise InvalidInput(f"The prompt is {len(prompt)} characters long; the limit is {MAX_PROMPT_CHARS}.")

    def _check_attachment_metadata(self, attachment: discord.Attachment) -> None:
        if attachment.size > self.max_attachment_bytes:
            limit = self.max_attachment_bytes / (1024 * 1024)
            raise InvalidInput(f"`{attachment.filename}` is larger than the {limit:.0f} MB limit for reference images.")
        declared = (attachment.content_type or "").split(";")[0].strip()
        if declared and not declared.startswith("image/"):
            raise InvalidInput(f"`{attachment.filename}` is not an image ({declared}). Attach a PNG, JPEG or WebP.")

    async def _read_image(self, attachment: discord.Attachment) -> ReferenceImage:
        try:
            data = await attachment.read()
        except discord.HTTPException as exc:
            log.warning("attachment %s could not be read: %s", attachment.id, exc)
            raise InvalidInput(f"`{attachment.filename}` could not be downloaded from Discord. Try again.") from None
        return check_reference_image(data, attachment.filename, self.max_attachment_bytes)


async def _ephemeral(interaction: discord.Interaction, text: str) -> None:
    await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def _refuse(interaction: discord.Interaction, reason: str, prompt: str) -> None:
    """Tell only the user what was wrong, and hand their prompt back so nothing is lost."""
    text = f"❌ {reason}"
    files: list[discord.File] = []
    if prompt and len(prompt) + len(text) < 1900:
        text += f"\nYour prompt:\n```\n{prompt.replace('```', 'ˋˋˋ')}\n```"
    elif prompt:
        text += "\nYour prompt is attached so you can edit it."
        files.append(discord.File(io.BytesIO(prompt.encode()), "prompt.txt"))
    await interaction.response.send_message(text, files=files, ephemeral=True, allowed_mentions=NO_MENTIONS)
