"""/edit's images waiting, in memory, while their member picks the parts to repaint.

Only the picker's custom_id names one (by token), so nothing large goes through Discord twice; the bytes
are not worth a ledger row before anything is charged. A restart, PENDING_SECONDS or, when many wait, their
byte budget (the oldest first) forget them: the picker then says to run /edit again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.models import ReferenceImage

PENDING_SECONDS = 15 * 60  # an interaction's own lifetime: the picker cannot be answered after it
PENDING_MAX = 64  # edits kept at once
PENDING_BYTES = 64 * 1024 * 1024  # and their images' bytes together (each up to MAX_ATTACHMENT_BYTES), oldest out


@dataclass(frozen=True)
class PendingEdit:
    user_id: int
    image: ReferenceImage
    prompt: str
    mode: str | None
    since: float


class PendingEdits:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._waiting: OrderedDict[int, PendingEdit] = OrderedDict()

    def put(self, token: int, user_id: int, image: ReferenceImage, prompt: str, mode: str | None) -> None:
        self._expire()
        for older in [t for t, edit in self._waiting.items() if edit.user_id == user_id]:
            del self._waiting[older]  # one picker per member: their older one says to run /edit again
        self._waiting[token] = PendingEdit(user_id, image, prompt, mode, self._clock())
        held = sum(len(edit.image.data) for edit in self._waiting.values())
        while len(self._waiting) > PENDING_MAX or (held > PENDING_BYTES and len(self._waiting) > 1):
            held -= len(self._waiting.popitem(last=False)[1].image.data)

    def get(self, token: int, user_id: int) -> PendingEdit | None:
        """The member's edit waiting under `token`, if it still does."""
        self._expire()
        edit = self._waiting.get(token)
        return edit if edit is not None and edit.user_id == user_id else None

    def take(self, token: int, user_id: int) -> PendingEdit | None:
        """As `get`, and no longer waiting: one job per picker."""
        edit = self.get(token, user_id)
        if edit is not None:
            del self._waiting[token]
        return edit

    def _expire(self) -> None:
        now = self._clock()
        while self._waiting and now - next(iter(self._waiting.values())).since > PENDING_SECONDS:
            self._waiting.popitem(last=False)
