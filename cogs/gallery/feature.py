"""The cog: `/gallery` (a private, signed, expiring link to the web gallery) and ⭐ Showcase presses."""

from __future__ import annotations

import io
import logging
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot.client.host import Host
from bot.client.job_images import job_image
from bot.client.replies import NO_MENTIONS, jump_link, reply
from bot.core.errors import UserFacingError
from bot.core.gallery import KIND_OF, Scope
from bot.core.images import image_extension
from bot.core.models import Job, JobStatus
from bot.core.showcase import Showcase
from bot.core.text import Text
from bot.i18n import render
from cogs.gallery.links import Link, sign
from cogs.gallery.site import GallerySite

log = logging.getLogger(__name__)

PROMPT_ROOM = 1500  # of a showcase post's 2,000 characters


def moderates(interaction: discord.Interaction) -> bool:
    """A moderator here: posts anyone's image to the showcase and sees the whole server's gallery."""
    return interaction.guild_id is not None and interaction.permissions.manage_guild


class GalleryFeature(commands.Cog):
    def __init__(self, client: discord.Client, host: Host, key: bytes) -> None:
        self.client = client
        self.host = host
        self.key = key
        self.showcases = Showcase(host.jobs.ledger)
        self.site: GallerySite | None = None  # the web gallery, when GALLERY_PUBLIC_URL and OPS_PORT are set

    async def image_of(self, job: Job) -> bytes | None:
        return await job_image(self.client, self.host.fetcher, job)

    @app_commands.command(name="gallery", description="A private link to this server's images on the web")
    @app_commands.guild_only()
    async def gallery(self, interaction: discord.Interaction) -> None:
        settings = self.host.settings
        if not settings.gallery_public_url or self.host.web is None or interaction.guild_id is None:
            await reply(interaction, Text("gallery-off"))
            return
        hours = settings.gallery_link_hours
        scope = Scope(interaction.guild_id, interaction.user.id, server=moderates(interaction))
        link = Link(scope, int(time.time() + hours * 3600), str(interaction.locale))
        url = f"{settings.gallery_public_url}/gallery/{sign(self.key, link)}/"
        which = Text("gallery-link-server") if scope.server else Text("gallery-link-own")
        # In <…>: Discord previews no link there, so its crawler never fetches (nor keeps) the gallery's page.
        await reply(interaction, Text("gallery-link", which=which, url=f"<{url}>", hours=round(hours, 1)))

    async def showcase(self, interaction: discord.Interaction, job_id: int) -> None:
        """⭐: its member or a moderator posts a finished image to the showcase channel, once per image."""
        await interaction.response.defer(ephemeral=True, thinking=True)  # before any I/O
        job = await self.host.jobs.ledger.get(job_id)
        if (
            job is None
            or job.guild_id is None
            or job.guild_id != interaction.guild_id
            or job.status is not JobStatus.SUCCEEDED
            or not job.image_url
            or job.action not in KIND_OF
        ):
            raise UserFacingError(Text("job-unknown"))
        if job.user_id != interaction.user.id and not moderates(interaction):
            raise UserFacingError(Text("showcase-not-yours"))
        accounts = self.host.jobs.accounts
        channel_id = (await accounts.config(job.guild_id)).showcase_channel if accounts is not None else None
        if channel_id is None:
            raise UserFacingError(Text("showcase-no-channel"))
        already = await self.showcases.claim(job.id, job.guild_id, interaction.user.id, channel_id)
        if already is not None:
            if already.message_id is None:
                raise UserFacingError(Text("showcase-posting"))
            raise UserFacingError(
                Text("showcase-already", link=jump_link(job.guild_id, already.channel_id, already.message_id))
            )
        try:
            message = await self._post(job, channel_id)
        except BaseException:
            await self.showcases.release(job.id)
            raise
        await self.showcases.posted(job.id, message.id)
        await reply(interaction, Text("showcase-posted", link=jump_link(job.guild_id, channel_id, message.id)))

    async def _post(self, job: Job, channel_id: int) -> discord.Message:
        data = await self.image_of(job)
        if data is None:
            log.warning("showcase: job %d has no image left to post (API link and Discord copy gone)", job.id)
            raise UserFacingError(Text("showcase-no-image"))
        prompt = discord.utils.escape_markdown(job.prompt)
        if len(prompt) > PROMPT_ROOM:
            prompt = prompt[: PROMPT_ROOM - 1].rstrip("\\") + "…"
        origin = jump_link(job.guild_id, job.channel_id, job.message_id)
        content = render(Text("showcase-post", member=f"<@{job.user_id}>", prompt=prompt, link=origin), job.locale)
        file = discord.File(io.BytesIO(data), f"mj_{job.id}_showcase.{image_extension(data)}")
        channel = self.client.get_partial_messageable(channel_id, guild_id=job.guild_id)
        try:
            return await channel.send(content, file=file, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("showcase: cannot post job %d to channel %d: %s", job.id, channel_id, exc)
            raise UserFacingError(Text("showcase-cannot-post", channel=f"<#{channel_id}>")) from None

    def member_name(self, guild_id: int, user_id: int) -> str:
        guild = self.client.get_guild(guild_id)
        member = guild.get_member(user_id) if guild is not None else None
        return member.display_name if member is not None else f"#{user_id}"
