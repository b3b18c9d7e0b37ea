"""The gallery's thumbnails: made once with Pillow off the event loop, kept on disk under a size cap.

Discord's attachment links are signed and expire, and the API's links expire too, so the gallery never links
to either: it serves its own small copy. When the folder passes its cap the least recently made go first
(they are made again on demand).
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path

from PIL import Image

from bot.core.image_work import off_loop

log = logging.getLogger(__name__)

EDGE = 384  # the longest side of a thumbnail, in pixels: a grid cell on a wide screen at 2x
MAKING_AT_ONCE = 4  # images downloaded and decoded at once: a cold grid of 24 must not hold 24 in memory
TRIM_TO = 0.9  # once over the cap, trimmed to this share of it, so a full cache is not trimmed on every new one


class NotAnImage(ValueError):
    """The bytes are not an image Pillow reads within its decompression-bomb guard."""


def make_thumbnail(data: bytes, edge: int = EDGE) -> bytes:
    """A JPEG at most `edge` pixels on its longest side (CPU-bound: call it in a thread)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", (edge, edge))  # JPEG: decode at a fraction of the size
                image.thumbnail((edge, edge))
                out = io.BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise NotAnImage(f"{type(exc).__name__}: {exc}") from None
    return out.getvalue()


class Thumbnails:
    def __init__(self, folder: Path, cap_bytes: int, edge: int = EDGE) -> None:
        self.folder = folder
        self.cap_bytes = cap_bytes
        self.edge = edge
        self._making: dict[int, asyncio.Future[bytes | None]] = {}  # one making per image, however many ask
        self._total: int | None = None  # bytes on disk, counted at the first store
        self._slots = asyncio.Semaphore(MAKING_AT_ONCE)

    def path(self, job_id: int) -> Path:
        return self.folder / f"{int(job_id)}.jpg"

    async def get(self, job_id: int, source: Callable[[], Awaitable[bytes | None]]) -> bytes | None:
        """The thumbnail of one image, made from `source()`'s bytes the first time; None if there are none."""
        try:
            return await asyncio.to_thread(self.path(job_id).read_bytes)
        except FileNotFoundError:
            pass
        if job_id in self._making:
            return await asyncio.shield(self._making[job_id])
        making: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self._making[job_id] = making
        try:
            made = await self._make(job_id, source)
            making.set_result(made)
            return made
        except Exception as exc:
            making.set_exception(exc)
            making.exception()  # retrieved here: the waiters, if any, get it too
            raise
        except BaseException:
            making.cancel()
            raise
        finally:
            del self._making[job_id]

    async def _make(self, job_id: int, source: Callable[[], Awaitable[bytes | None]]) -> bytes | None:
        async with self._slots:
            data = await source()
            if data is None:
                return None
            try:
                thumb = await off_loop(make_thumbnail, data, self.edge)  # the image threads, as every Pillow job
            except NotAnImage as exc:
                log.warning("gallery: job %d's image cannot be read for a thumbnail (%s)", job_id, exc)
                return None
            del data  # the full image is the big one: not kept while the file is written
        await asyncio.to_thread(self._store, job_id, thumb)
        return thumb

    def drop(self, job_id: int) -> None:
        """An image deleted from the gallery: its thumbnail goes too."""
        path = self.path(job_id)
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return
        if self._total is not None:
            self._total -= size

    def _store(self, job_id: int, thumb: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._total is None:
            self._total = sum(p.stat().st_size for p in self.folder.glob("*.jpg"))
        temporary = self.folder / f".{job_id}.{os.getpid()}.part"
        temporary.write_bytes(thumb)
        os.replace(temporary, self.path(job_id))  # never a half-written thumbnail, even after a crash
        self._total += len(thumb)
        if self._total > self.cap_bytes:
            self._trim()

    def _trim(self) -> None:
        entries = []
        for path in self.folder.glob("*.jpg"):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.cap_bytes * TRIM_TO:
                break
            path.unlink(missing_ok=True)
            total -= size
        self._total = total
