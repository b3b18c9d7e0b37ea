"""What a finished job offers besides its buttons: /show (again, with its buttons) and ✉️ Send to me."""

from __future__ import annotations

import asyncio
import io
from typing import cast

import discord

from bot.client.host import Host
from bot.client.job_images import job_image
from bot.client.replies import NO_MENTIONS, jump_link, reply
from bot.core.errors import UserFacingError
from bot.core.images import image_extension
from bot.core.models import Job, JobStatus
from bot.core.text import Text
from bot.i18n import render
from cogs.generation.feature import video_on
from cogs.generation.render import job_content, job_view, result_filename
from cogs.generation.starting import UNKNOWN_JOB, FlowsBase
from cogs.generation.video_files import upload_limit, video_files


class Finished(FlowsBase):
    """/show and ✉️: a finished job again, publicly or in a direct message."""

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
        link = jump_link(interaction.guild_id, message.channel.id, message.id)
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
        where = jump_link(job.guild_id, job.channel_id, job.message_id)
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
