"""The gallery's routes on the bot's web server, all under `/gallery/<token>/`: the grid, a page per image,
its thumbnail, and a member's hide / show / delete of their own image.

Every request checks its token again (signature, expiry) and every image its scope, so a link never shows
what its holder may not see, and a thumbnail is served only to a link that sees its image.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web

from bot.core.gallery import KINDS, Filters, Gallery
from bot.core.models import Job
from bot.core.text import Text
from bot.core.thumbnails import Thumbnails
from cogs.gallery.links import Link, token_locale, verify
from cogs.gallery.pages import Names, grid_page, image_page, refused_page

log = logging.getLogger(__name__)

PAGE_SIZE = 24  # thumbnails on one page of the grid
HEADERS = {
    # No script at all, images only from here, forms only back here; no Referer (the link is a credential).
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none';"
        " frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
}


def _day(value: str, *, end: bool = False) -> float | None:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    return day.timestamp() + (86400 if end else 0)


def _whole(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) <= 20 else None


def filters_of(query: dict[str, str]) -> Filters:
    """The filters a grid URL asks for; malformed values are ignored rather than refused."""
    kind = query.get("kind", "")
    return Filters(
        member=_whole(query.get("member")),
        text=query.get("q", "")[:200],
        kind=kind if kind in KINDS else None,
        since=_day(query.get("from", "")),
        until=_day(query.get("to", ""), end=True),
    )


class GallerySite:
    def __init__(
        self,
        gallery: Gallery,
        thumbnails: Thumbnails,
        key: bytes,
        image_of: Callable[[Job], Awaitable[bytes | None]],
        names: Callable[[int, int], str],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.gallery = gallery
        self.thumbnails = thumbnails
        self._key = key
        self._image_of = image_of
        self._names = names  # (guild, member) → display name
        self._clock = clock
        self.page_size = PAGE_SIZE

    def mount(self, app: web.Application) -> None:
        app.router.add_get("/gallery/{token}/", self.grid)
        app.router.add_get("/gallery/{token}/image/{job:[0-9]{1,20}}", self.image)
        app.router.add_post("/gallery/{token}/image/{job:[0-9]{1,20}}", self.change)
        app.router.add_get("/gallery/{token}/thumb/{job:[0-9]{1,20}}.jpg", self.thumb)

    def _link(self, request: web.Request) -> Link:
        token = request.match_info["token"]
        link = verify(self._key, token, self._clock())
        if link is None:
            log.info("gallery: refused a link that is expired, tampered with or malformed")
            raise web.HTTPForbidden(
                text=refused_page(token_locale(token), Text("gallery-link-refused")),
                content_type="text/html",
                headers=HEADERS,
            )
        return link

    def _names_in(self, link: Link) -> Names:
        return lambda member: self._names(link.scope.guild_id, member)

    @staticmethod
    def _html(text: str) -> web.Response:
        return web.Response(text=text, content_type="text/html", headers=HEADERS)

    def _missing(self, link: Link) -> web.HTTPNotFound:
        page = refused_page(link.locale, Text("gallery-no-such-image"))
        return web.HTTPNotFound(text=page, content_type="text/html", headers=HEADERS)

    async def grid(self, request: web.Request) -> web.Response:
        link = self._link(request)
        query = dict(request.query)
        filters = filters_of(query)
        before = _whole(query.get("before"))
        entries, cursor = await self.gallery.page(link.scope, filters, before=before, size=self.page_size)
        members = await self.gallery.members(link.scope) if link.scope.server else []
        page = grid_page(link.scope, link.locale, entries, cursor, filters, query, members, self._names_in(link))
        return self._html(page)

    async def image(self, request: web.Request) -> web.Response:
        link = self._link(request)
        entry = await self.gallery.entry(link.scope, int(request.match_info["job"]))
        if entry is None:
            raise self._missing(link)
        parent = await self.gallery.entry(link.scope, entry.job.parent_id) if entry.job.parent_id else None
        children = await self.gallery.children(link.scope, entry.job.id)
        return self._html(image_page(link.scope, link.locale, entry, parent, children, self._names_in(link)))

    async def change(self, request: web.Request) -> web.Response:
        link = self._link(request)
        job_id = int(request.match_info["job"])
        form = await request.post()
        wanted = {"hide": "hidden", "show": None, "delete": "deleted"}
        what = str(form.get("do", ""))
        if what not in wanted or not await self.gallery.remove(link.scope, job_id, wanted[what]):  # type: ignore[arg-type]
            raise self._missing(link)
        log.info("gallery: member %d chose %s for job %d", link.scope.user_id, what, job_id)
        if what == "delete":
            self.thumbnails.drop(job_id)
            raise web.HTTPSeeOther("../", headers=HEADERS)
        raise web.HTTPSeeOther(str(job_id), headers=HEADERS)

    async def thumb(self, request: web.Request) -> web.Response:
        link = self._link(request)
        entry = await self.gallery.entry(link.scope, int(request.match_info["job"]))
        if entry is None:
            raise self._missing(link)
        job = entry.job
        data = await self.thumbnails.get(job.id, lambda: self._image_of(job))
        if data is None:
            log.warning("gallery: no image for job %d (the API's link and its Discord message are gone)", job.id)
            raise self._missing(link)
        headers = {**HEADERS, "Cache-Control": "private, max-age=3600"}
        return web.Response(body=data, content_type="image/jpeg", headers=headers)
