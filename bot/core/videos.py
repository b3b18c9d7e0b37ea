"""Video bytes: telling an MP4 from anything else, and which videos fit one Discord upload."""

from __future__ import annotations

from collections.abc import Sequence

# ISO base media files (MP4) open with a box whose type, at offset 4, is `ftyp`.
_FTYP = b"ftyp"


def is_mp4(data: bytes) -> bool:
    """Bytes that open like an MP4: a first box of type `ftyp` with a sane size (not a web page or an image)."""
    if len(data) < 12 or data[4:8] != _FTYP:
        return False
    size = int.from_bytes(data[:4], "big")
    return 8 < size <= len(data)


def fitting(sizes: Sequence[int], limit: int) -> list[int]:
    """Indexes of the videos to attach, in order, while their sum stays within `limit` (one message's
    upload); the rest are linked. A video that alone exceeds the limit is skipped, later smaller ones kept."""
    chosen: list[int] = []
    total = 0
    for index, size in enumerate(sizes):
        if total + size <= limit:
            chosen.append(index)
            total += size
    return chosen
