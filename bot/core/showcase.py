"""The showcase: each finished image posted at most once to its server's showcase channel.

A post is claimed in the ledger before it is sent, so two presses (in two processes too) post it once; a
post that fails gives its claim back, and a claim left by a crash before Discord answered lapses after
`STALE_SECONDS`, so the image can be posted again rather than never.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.ledger import Ledger

STALE_SECONDS = 120.0  # longer than one upload to Discord takes


@dataclass(frozen=True)
class Posted:
    """Where an image already is in the showcase (message_id None: it is being posted right now)."""

    channel_id: int
    message_id: int | None


class Showcase:
    def __init__(self, ledger: Ledger, clock: Callable[[], float] = time.time) -> None:
        self.ledger = ledger
        self._clock = clock

    async def claim(self, job_id: int, guild_id: int, actor_id: int, channel_id: int) -> Posted | None:
        """None: this caller posts the image now (then `posted` or `release`); else where it already is."""
        now = self._clock()
        async with self.ledger.transaction() as db:
            await db.lock_guild(guild_id)  # two processes' presses: one claims, the other sees the claim
            row = await db.fetch_one(
                "SELECT channel_id, message_id, created_at FROM showcase_posts WHERE job_id = ?", (job_id,)
            )
            if row is not None and (row["message_id"] is not None or row["created_at"] > now - STALE_SECONDS):
                return Posted(int(row["channel_id"]), row["message_id"])
            await db.execute("DELETE FROM showcase_posts WHERE job_id = ?", (job_id,))
            await db.execute(
                "INSERT INTO showcase_posts (job_id, guild_id, actor_id, channel_id, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (job_id, guild_id, actor_id, channel_id, now),
            )
        return None

    async def posted(self, job_id: int, message_id: int) -> None:
        async with self.ledger.transaction() as db:
            await db.execute("UPDATE showcase_posts SET message_id = ? WHERE job_id = ?", (message_id, job_id))

    async def release(self, job_id: int) -> None:
        """The post did not go out: the image may be posted again."""
        async with self.ledger.transaction() as db:
            await db.execute("DELETE FROM showcase_posts WHERE job_id = ? AND message_id IS NULL", (job_id,))
