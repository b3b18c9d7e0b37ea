"""The showcase and the web gallery: ⭐ under finished images posts them to the server's showcase channel
(set by /mjadmin showcase); /gallery gives a private, signed, expiring link to the server's images, served
by the bot's own web server (`GALLERY_PUBLIC_URL`, `OPS_PORT`). A discord.py extension.

Modules: `feature` (the cog: /gallery and ⭐ presses), `showcase_button` (the DynamicItem), `links` (the
signed tokens), `site` (the routes), `pages` (the HTML). The rules live in `bot.core.gallery`,
`bot.core.showcase` and `bot.core.thumbnails`.
"""

from __future__ import annotations

from typing import cast

from discord.ext import commands

from bot.client.host import Host
from bot.core.gallery import Gallery
from bot.core.thumbnails import Thumbnails
from cogs.gallery.feature import GalleryFeature
from cogs.gallery.links import gallery_key
from cogs.gallery.showcase_button import ShowcaseButton
from cogs.gallery.site import GallerySite

THUMBNAILS_FOLDER = "gallery-thumbs"  # beside the SQLite ledger, in the data directory


async def setup(bot: commands.Bot) -> None:
    host = cast(Host, bot)
    settings = host.settings
    feature = GalleryFeature(bot, host, gallery_key(settings.discord_token.get_secret_value()))
    await bot.add_cog(feature)
    bot.add_dynamic_items(ShowcaseButton)
    if settings.gallery_public_url and host.web is not None:  # routes only while the server has not started
        folder = settings.database_path.parent / THUMBNAILS_FOLDER
        thumbnails = Thumbnails(folder, int(settings.gallery_thumb_cache_mb * 1024 * 1024))
        feature.site = GallerySite(
            Gallery(host.jobs.ledger), thumbnails, feature.key, feature.image_of, feature.member_name
        )
        feature.site.mount(host.web.app)


async def teardown(bot: commands.Bot) -> None:
    bot.remove_dynamic_items(ShowcaseButton)
