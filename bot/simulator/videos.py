"""Stand-in MP4 files for the simulator's video tasks."""

from __future__ import annotations

import hashlib


def _box(kind: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


def stand_in_mp4(seed: str, n: int) -> bytes:
    """A small MP4 container: an `ftyp` box (major brand `isom`) and an `mdat` box of 32 bytes drawn from
    `seed` and `n`. It has no frames (no `moov` box, nothing encoded), so no player shows anything; it is
    an MP4 by its bytes, which is what the bot checks, and the same seed gives the same bytes."""
    ftyp = b"isom" + (512).to_bytes(4, "big") + b"isom" + b"iso2" + b"mp41"
    return _box(b"ftyp", ftyp) + _box(b"mdat", hashlib.sha256(f"{seed}:{n}".encode()).digest())
