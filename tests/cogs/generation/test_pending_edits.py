"""/edit's images waiting for their member's pick: bounded by bytes, one per member."""

from __future__ import annotations

from bot.core.models import ReferenceImage
from cogs.generation.pending_edits import PENDING_MAX, PendingEdits

MB = 1024 * 1024
LARGEST = ReferenceImage(b"\0" * (8 * MB), "image/png")  # MAX_ATTACHMENT_BYTES' default, shared by every put


def kept(edits: PendingEdits, tokens: range) -> list[int]:
    return [t for t in tokens if edits.get(t, user_id=t) is not None]


def test_many_members_picking_at_once_hold_at_most_64_mb() -> None:
    edits = PendingEdits()
    tokens = range(PENDING_MAX)
    for token in tokens:
        edits.put(token, token, LARGEST, "p", None)
    waiting = kept(edits, tokens)
    assert len(waiting) * len(LARGEST.data) <= 64 * MB  # not 64 × 8 MB = 512 MB
    assert waiting == list(tokens)[-len(waiting) :] and waiting  # the newest stay, the oldest go first


def test_a_members_new_picker_replaces_their_old_one() -> None:
    edits = PendingEdits()
    small = ReferenceImage(b"\x89PNG", "image/png")
    edits.put(1, 7, small, "first", None)
    edits.put(2, 7, small, "second", None)
    edits.put(3, 8, small, "someone else's", None)
    assert edits.get(1, 7) is None
    assert edits.get(2, 7) is not None and edits.get(2, 7).prompt == "second"  # type: ignore[union-attr]
    assert edits.get(3, 8) is not None
