"""A video job's MP4s as Discord attachments: checked by their bytes, within the server's upload limit."""

from __future__ import annotations

import io
import logging

import discord

from bot.core.errors import MJError
from bot.core.images import ImageFetcher
from bot.core.models import Job
from bot.core.videos import fitting

log = logging.getLogger(__name__)


async def video_files(fetcher: ImageFetcher, job: Job, limit: int) -> tuple[list[discord.File], list[str]]:
    """(attachments, links): each video that downloads as an MP4 and fits `limit` together with the ones
    attached before it is attached; the others are linked (the API's links expire, so attaching comes first)."""
    downloaded: list[bytes | None] = []
    for url in job.video_urls:
        try:
            data: bytes | None = await fetcher.take(url, video=True)
        except MJError as exc:
            log.warning("job %s: a video was not attached: %s", job.id, exc)
            data = None
        downloaded.append(data)
    attach = set(fitting([len(d) if d is not None else limit + 1 for d in downloaded], limit))
    files = [
        discord.File(io.BytesIO(data), f"mj_{job.id}_video_{n}.mp4")
        for n, data in enumerate(downloaded, start=1)
        if data is not None and n - 1 in attach
    ]
    links = [url for n, url in enumerate(job.video_urls) if n not in attach]
    return files, links


def upload_limit(client: discord.Client, guild_id: int | None) -> int:
    """The server's upload limit (boosts raise it), else Discord's default."""
    guild = client.get_guild(guild_id) if guild_id is not None else None
    return guild.filesize_limit if guild is not None else discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES
