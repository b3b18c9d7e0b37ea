"""Image bytes: checking what users attach, downloading results, fitting them into Discord's limit."""

from __future__ import annotations

import asyncio
import io
import warnings
from collections import OrderedDict
from collections.abc import Callable

import httpx
from PIL import Image

from bot.core import url_policy
from bot.core.errors import InvalidInput, ProviderError
from bot.core.models import ReferenceImage
from bot.core.text import Text
from bot.core.videos import is_mp4

_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}


def check_reference_image(data: bytes, filename: str, max_bytes: int) -> ReferenceImage:
    """A real PNG/JPEG/WebP/GIF under `max_bytes`, judged by its bytes (never by its name)."""
    if len(data) > max_bytes:
        raise InvalidInput(Text("image-too-big", filename=filename, size=_mb(len(data)), limit=_mb(max_bytes)))
    try:
        with warnings.catch_warnings():
            # Pillow warns before it refuses: a decompression bomb is refused at the warning.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format or ""
                img.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput(Text("image-too-many-pixels", filename=filename)) from None
    except Exception:
        raise InvalidInput(Text("image-unreadable", filename=filename)) from None
    if fmt not in _FORMATS:
        raise InvalidInput(Text("image-wrong-format", filename=filename, format=fmt or "?"))
    return ReferenceImage(data=data, content_type=_FORMATS[fmt])


def image_size(data: bytes) -> tuple[int, int] | None:
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except Exception:
        return None


def _whole_image(data: bytes) -> bool:
    """Bytes Pillow reads as an image from end to end (not an HTML page, not cut short)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                img.verify()
        return True
    except Exception:
        return False


def region_mask(width: int, height: int, cells: set[int]) -> bytes:
    """A PNG the image's size: white where it is to be repainted (cells 0-8 of a 3x3 grid), black elsewhere."""
    mask = Image.new("L", (width, height), 0)
    for cell in cells:
        row, col = divmod(cell, 3)
        box = (col * width // 3, row * height // 3, (col + 1) * width // 3, (row + 1) * height // 3)
        mask.paste(255, box)
    out = io.BytesIO()
    mask.save(out, format="PNG")
    return out.getvalue()


def image_extension(data: bytes) -> str:
    try:
        with Image.open(io.BytesIO(data)) as img:
            return {"JPEG": "jpg"}.get(img.format or "", (img.format or "png").lower())
    except Exception:
        return "png"


def fit_for_upload(data: bytes, limit: int) -> bytes | None:
    """`data` if it fits Discord's upload limit, else a JPEG re-encoding that does, else None."""
    if len(data) <= limit:
        return data
    with Image.open(io.BytesIO(data)) as img:
        rgb = img.convert("RGB")
    for quality in (90, 80, 65):
        out = io.BytesIO()
        rgb.save(out, format="JPEG", quality=quality)
        if out.tell() <= limit:
            return out.getvalue()
    return None


class ImageFetcher:
    """Downloads what the API links to with the download client (`url_policy`: allowed addresses only,
    without the API's credentials), capped, and only ever as the image or video it claims to be.

    A checked result is kept in memory until its message takes it: the job service checks an image, then
    its message attaches it, and both should cost one download (and nothing stays once it is attached).
    """

    RETRY_DELAYS = (0.5, 1.5, 4.0)  # downloads are free, so a result is tried again before it counts as lost

    def __init__(
        self, client: httpx.AsyncClient, max_bytes: int = 64 * 1024 * 1024, keep_bytes: int = 24 * 1024 * 1024
    ) -> None:
        self._client = client
        self._max_bytes = max_bytes
        self._keep_bytes = keep_bytes
        self._kept: OrderedDict[str, tuple[str, bytes]] = OrderedDict()

    async def download(self, url: str) -> bytes:
        """An image (a preview, a result shown again), once: bytes Pillow reads as an image, or an error."""
        return await self._fetch(url, _whole_image, Text("result-not-image"))

    async def download_video(self, url: str) -> bytes:
        """A video, once: bytes that open like an MP4, or an error."""
        return await self._fetch(url, is_mp4, Text("result-not-video"))

    async def take(self, url: str, *, video: bool = False) -> bytes:
        """As `download` (`download_video`), and no copy stays kept: its message is attaching it now."""
        if (kept := self._kept.pop(url, None)) is not None:
            return kept[1]
        return await (self.download_video(url) if video else self.download(url))

    async def result_image(self, url: str) -> bytes:
        """A finished job's image: retried with backoff, and only ever bytes Pillow reads as an image."""
        return await self._result(url, _whole_image, Text("result-not-image"))

    async def result_video(self, url: str) -> bytes:
        """A finished job's video: retried like an image, and only ever bytes that open like an MP4."""
        return await self._result(url, is_mp4, Text("result-not-video"))

    async def _result(self, url: str, usable: Callable[[bytes], bool], wrong: Text) -> bytes:
        error: ProviderError | None = None
        for delay in (0.0, *self.RETRY_DELAYS):
            await asyncio.sleep(delay)
            try:
                data = await self._fetch(url, usable, wrong)
            except ProviderError as exc:
                error = exc
                if exc.status is not None and 400 <= exc.status < 500 and exc.status not in (408, 429):
                    break  # 404, 403, a refused link: gone, no use asking again
                continue
            self._keep(url, wrong.key, data)  # results only: previews would push them out
            return data
        assert error is not None
        raise error

    async def _fetch(self, url: str, usable: Callable[[bytes], bool], wrong: Text) -> bytes:
        kind = wrong.key  # what the bytes were checked to be
        if (kept := self._kept.get(url)) is not None and kept[0] == kind:
            self._kept.move_to_end(url)
            return kept[1]
        return await url_policy.fetch_link(self._client, url, self._max_bytes, usable, wrong)

    def _keep(self, url: str, kind: str, data: bytes) -> None:
        self._kept[url] = (kind, data)
        self._kept.move_to_end(url)
        while sum(len(d) for _, d in self._kept.values()) > self._keep_bytes and len(self._kept) > 1:
            self._kept.popitem(last=False)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"
