"""A finished job's image bytes, wherever they still are: the API's link, else Discord's copy on its message."""

from __future__ import annotations

import contextlib

import discord

from bot.core.errors import MJError
from bot.core.images import ImageFetcher
from bot.core.models import Job


async def job_image(client: discord.Client, fetcher: ImageFetcher, job: Job) -> bytes | None:
    """The job's image: from the API's link, else from the copy on its Discord message (links expire; the
    message, fetched again, carries a freshly signed one)."""
    if job.image_url:
        with contextlib.suppress(MJError):
            return await fetcher.download(job.image_url)
    if job.message_id is None:
        return None
    channel = client.get_partial_messageable(job.channel_id, guild_id=job.guild_id)
    try:
        original = await channel.fetch_message(job.message_id)
        return await original.attachments[0].read() if original.attachments else None
    except discord.HTTPException:
        return None
