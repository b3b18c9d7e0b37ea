"""The web gallery's view of the ledger: the finished images a link may see, found by filters a page at a time.

A member's link sees only their own images; a moderator's the server's, less what members hid. Deleted
images are out of the gallery for everyone (the job stays in the ledger: it is part of the accounts).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from bot.core.buttons import VIDEO_ACTIONS
from bot.core.ledger import Ledger, row_to_job
from bot.core.models import Job, JobAction, JobStatus

# The kinds a member filters by, each the jobs that make such an image (no /describe, /shorten or ❤️).
KINDS: dict[str, frozenset[JobAction]] = {
    "imagine": frozenset({JobAction.IMAGINE, JobAction.DESCRIBE_PICK}),
    "blend": frozenset({JobAction.BLEND}),
    "upscale": frozenset({JobAction.UPSCALE, JobAction.UPSCALE_HD}),
    "variation": frozenset(
        {JobAction.VARIATION, JobAction.REROLL, JobAction.VARY_SUBTLE, JobAction.VARY_STRONG, JobAction.VARY_REGION}
    ),
    "zoom": frozenset({JobAction.ZOOM, JobAction.CUSTOM_ZOOM}),
    "pan": frozenset({JobAction.PAN}),
    "edit": frozenset({JobAction.EDIT}),
    "video": VIDEO_ACTIONS,
}
KIND_OF = {action: kind for kind, actions in KINDS.items() for action in actions}
Removal = Literal["hidden", "deleted"]
MEMBERS_SECONDS = 60.0  # how long the member filter's list of a server is kept


@dataclass(frozen=True)
class Scope:
    """Whom a link was given to: `user_id` in `guild_id`, and whether it sees the whole server (a moderator)."""

    guild_id: int
    user_id: int
    server: bool


@dataclass(frozen=True)
class Filters:
    member: int | None = None  # a moderator's link: one member's images
    text: str = ""  # words the prompt contains
    kind: str | None = None  # a key of KINDS
    since: float | None = None  # finished at or after (epoch seconds)
    until: float | None = None  # finished before


@dataclass(frozen=True)
class Entry:
    job: Job
    hidden: bool  # its member hid it: only they see it

    @property
    def kind(self) -> str:
        return KIND_OF.get(self.job.action, "imagine")


def _like(text: str) -> str:
    """`text` as a LIKE pattern that matches it literally anywhere (its own % and _ escaped)."""
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class Gallery:
    def __init__(self, ledger: Ledger, clock: Callable[[], float] = time.time) -> None:
        self.ledger = ledger
        self._clock = clock
        self._members: dict[tuple[int, int, bool], tuple[float, list[int]]] = {}  # scope → (fresh until, ids)

    def _visible(self, scope: Scope) -> tuple[str, list[Any]]:
        actions = sorted(KIND_OF)
        where = (
            f"j.guild_id = ? AND j.status = ? AND j.delivered = 1 AND j.image_url IS NOT NULL"
            f" AND j.action IN ({', '.join('?' for _ in actions)})"
            " AND (r.state IS NULL OR (r.state = 'hidden' AND j.user_id = ?))"
        )
        params: list[Any] = [scope.guild_id, JobStatus.SUCCEEDED.value, *actions, scope.user_id]
        if not scope.server:
            where += " AND j.user_id = ?"
            params.append(scope.user_id)
        return where, params

    async def _entries(self, scope: Scope, extra: str, params: list[Any], suffix: str) -> list[Entry]:
        where, visible = self._visible(scope)
        rows = await self.ledger.fetch_all(
            "SELECT j.*, r.state AS removed FROM jobs j LEFT JOIN gallery_removed r ON r.job_id = j.id"
            f" WHERE {where}{extra} {suffix}",
            [*visible, *params],
        )
        return [Entry(row_to_job(row), row["removed"] == "hidden") for row in rows]

    async def page(
        self, scope: Scope, filters: Filters, *, before: int | None, size: int
    ) -> tuple[list[Entry], int | None]:
        """Up to `size` images, newest first, older than job `before` (keyset: no OFFSET to walk past), and the
        cursor of the next page (None: this is the last)."""
        extra, params = "", []  # type: tuple[str, list[Any]]
        if filters.member is not None and scope.server:
            extra += " AND j.user_id = ?"
            params.append(filters.member)
        if filters.text.strip():
            extra += " AND lower(j.prompt) LIKE ? ESCAPE '\\'"
            params.append(_like(filters.text.strip()))
        if filters.kind in KINDS:
            wanted = sorted(KINDS[filters.kind])
            extra += f" AND j.action IN ({', '.join('?' for _ in wanted)})"
            params.extend(wanted)
        if filters.since is not None:
            extra += " AND j.finished_at >= ?"
            params.append(filters.since)
        if filters.until is not None:
            extra += " AND j.finished_at < ?"
            params.append(filters.until)
        if before is not None:
            extra += " AND j.id < ?"
            params.append(before)
        found = await self._entries(scope, extra, params, f"ORDER BY j.id DESC LIMIT {int(size) + 1}")
        return found[:size], (found[size - 1].job.id if len(found) > size else None)

    async def entry(self, scope: Scope, job_id: int) -> Entry | None:
        """One image, if this link may see it."""
        found = await self._entries(scope, " AND j.id = ?", [job_id], "")
        return found[0] if found else None

    async def children(self, scope: Scope, job_id: int) -> list[Entry]:
        """The images made from this one (upscales, variations, zooms …) that this link may see."""
        # Found by the parent index first: left to itself, SQLite walks the whole server's jobs instead.
        by_parent = " AND j.id IN (SELECT id FROM jobs WHERE parent_id = ?)"
        return await self._entries(scope, by_parent, [job_id], "ORDER BY j.id")

    async def members(self, scope: Scope) -> list[int]:
        """Whose images this link sees, for the member filter; a server's list is kept `MEMBERS_SECONDS`
        (reading it walks every image of the server: ~40 ms for 20,000)."""
        now = self._clock()
        key = (scope.guild_id, scope.user_id, scope.server)
        if (kept := self._members.get(key)) is not None and kept[0] > now:
            return kept[1]
        where, params = self._visible(scope)
        rows = await self.ledger.fetch_all(
            "SELECT DISTINCT j.user_id FROM jobs j LEFT JOIN gallery_removed r ON r.job_id = j.id"
            f" WHERE {where} ORDER BY j.user_id",
            params,
        )
        found = [int(row[0]) for row in rows]
        self._members = {k: v for k, v in self._members.items() if v[0] > now}  # only the lists still fresh
        self._members[key] = (now + MEMBERS_SECONDS, found)
        return found

    async def remove(self, scope: Scope, job_id: int, state: Removal | None) -> bool:
        """Hide (`hidden`), show again (None) or delete (`deleted`, for good) one of the link's own images.

        False when it is not theirs or not in the gallery: only a member takes their own images out."""
        entry = await self.entry(scope, job_id)
        if entry is None or entry.job.user_id != scope.user_id:
            return False
        async with self.ledger.transaction() as db:
            if state is None:
                await db.execute("DELETE FROM gallery_removed WHERE job_id = ? AND state = 'hidden'", (job_id,))
            else:
                await db.execute(
                    "INSERT INTO gallery_removed (job_id, state, updated_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (job_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                    (job_id, state, self._clock()),
                )
        return True
