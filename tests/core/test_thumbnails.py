"""The gallery's thumbnails: small JPEGs made once per image in a thread, kept on disk under a size cap."""

from __future__ import annotations

import asyncio
import io
import threading
from pathlib import Path

import pytest
from PIL import Image

from bot.core import thumbnails
from bot.core.thumbnails import NotAnImage, Thumbnails, make_thumbnail


def picture(size: tuple[int, int] = (1024, 768), color: str = "teal", kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, kind)
    return out.getvalue()


def files(folder: Path, pattern: str = "*") -> list[Path]:
    return sorted(folder.glob(pattern))


def test_a_thumbnail_is_a_small_jpeg_of_the_same_shape() -> None:
    for kind in ("PNG", "JPEG", "WEBP", "GIF"):
        made = Image.open(io.BytesIO(make_thumbnail(picture(kind=kind))))
        assert made.format == "JPEG" and made.size == (384, 288), kind


def test_what_is_not_an_image_or_a_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for junk in (b"", b"<html>not an image</html>", picture()[:200]):
        with pytest.raises(NotAnImage):
            make_thumbnail(junk)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)  # Pillow's guard, scaled down to a small picture
    with pytest.raises(NotAnImage):
        make_thumbnail(picture((150, 100)))  # over the guard: a bomb to Pillow


async def test_made_once_in_a_thread_however_many_ask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Thumbnails(tmp_path / "thumbs", cap_bytes=10_000_000)
    fetched: list[int] = []
    threads: list[str] = []
    real = thumbnails.make_thumbnail

    def spy(data: bytes, edge: int) -> bytes:
        threads.append(threading.current_thread().name)
        return real(data, edge)

    monkeypatch.setattr(thumbnails, "make_thumbnail", spy)

    async def source() -> bytes:
        fetched.append(1)
        await asyncio.sleep(0.05)
        return picture()

    made = await asyncio.gather(*(cache.get(7, source) for _ in range(5)))
    assert len(set(made)) == 1 and made[0] is not None
    assert fetched == [1] and len(threads) == 1 and threads[0] != threading.main_thread().name
    assert await cache.get(7, source) == made[0] and fetched == [1]  # from disk now
    assert not cache._making  # nothing kept in memory per image
    cache.drop(7)
    assert not cache.path(7).exists()


async def test_no_bytes_is_no_thumbnail_and_nothing_cached(tmp_path: Path) -> None:
    cache = Thumbnails(tmp_path, cap_bytes=10_000_000)

    async def nothing() -> bytes | None:
        return None

    async def web_page() -> bytes:
        return b"<html>expired</html>"

    assert await cache.get(1, nothing) is None
    assert await cache.get(1, web_page) is None
    assert files(tmp_path) == []


async def test_the_folder_stays_under_its_cap_dropping_the_oldest(tmp_path: Path) -> None:
    one = len(make_thumbnail(picture(color="red")))
    cache = Thumbnails(tmp_path, cap_bytes=one * 3)
    for job in range(1, 11):

        async def source(job: int = job) -> bytes:
            return picture(color=("red", "blue")[job % 2])

        assert await cache.get(job, source) is not None
        size = sum(p.stat().st_size for p in files(tmp_path))
        assert size <= one * 3.5, job  # the files of one colour differ by a few bytes
    left = sorted(int(p.stem) for p in files(tmp_path, "*.jpg"))
    assert left and left[-1] == 10 and len(left) <= 3  # the newest kept
    assert not files(tmp_path, ".*")  # no half-written file
