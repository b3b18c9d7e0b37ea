"""The one owner of a job's status: which states exist, which moves are allowed, what each counts as.

Every status write in the bot goes through `move()` (inside a ledger transaction), which reads the
current status, refuses a move the table does not allow, and writes it with the job's other fields.
So a late stream line cannot revive a failed job, and a refund and a success cannot both win a race.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.core.models import JobStatus
from bot.core.storage import Connection

log = logging.getLogger(__name__)

S = JobStatus

# What a job may become from each state. Staying in a state is allowed only in `PROGRESSING` (a progress
# update); SUBMITTING -> SUBMITTING would be a second paid submit (a double modal submit).
# A job can be cancelled in any unfinished state but SUBMITTING: the paid submit's answer is on its way
# and must be recorded, or the task would run upstream unfollowed.
TRANSITIONS: Mapping[JobStatus, frozenset[JobStatus]] = {
    S.WAITING: frozenset({S.SUBMITTING, S.FAILED, S.CANCELLED}),
    S.SUBMITTING: frozenset({S.QUEUED, S.RUNNING, S.NEEDS_INPUT, S.SUCCEEDED, S.FAILED}),
    S.QUEUED: frozenset({S.RUNNING, S.NEEDS_INPUT, S.SUCCEEDED, S.FAILED, S.CANCELLED}),
    S.RUNNING: frozenset({S.NEEDS_INPUT, S.SUCCEEDED, S.FAILED, S.CANCELLED}),
    # The member's Remix prompt is a new submit.
    S.NEEDS_INPUT: frozenset({S.SUBMITTING, S.QUEUED, S.RUNNING, S.SUCCEEDED, S.FAILED, S.CANCELLED}),
    S.MIRRORING: frozenset({S.SUCCEEDED, S.FAILED, S.CANCELLED}),
    S.SUCCEEDED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
}

# The states a row may be written in.
INITIAL = frozenset({S.SUBMITTING, S.WAITING, S.MIRRORING, S.SUCCEEDED})

# One definition of what counts where.
RUNNING = frozenset({S.SUBMITTING, S.QUEUED, S.RUNNING, S.NEEDS_INPUT})  # against the running limits
WAITING = frozenset({S.WAITING})  # against the waiting limit: charged, in the bot's queue
FINISHED = frozenset({S.SUCCEEDED, S.FAILED, S.CANCELLED})
PROGRESSING = frozenset({S.QUEUED, S.RUNNING, S.NEEDS_INPUT})  # states a job may stay in, with new progress
# The API is making the image: a cancel here may cost the server (its `refund_cancelled` decides). In every
# other cancellable state nothing runs upstream (queued in the bot, or waiting for a Remix prompt).
MAKING = frozenset({S.QUEUED, S.RUNNING})
NO_RESULT = FINISHED - {S.SUCCEEDED}  # ended without an image
CANCELLABLE = frozenset(s for s, moves in TRANSITIONS.items() if S.CANCELLED in moves)
UNFINISHED = frozenset(set(S) - FINISHED)


class IllegalTransition(Exception):
    """A status change the table does not allow; nothing was written."""

    def __init__(self, job_id: int, current: JobStatus | None, wanted: JobStatus) -> None:
        super().__init__(f"job {job_id}: {current} -> {wanted} is not allowed")
        self.job_id, self.current, self.wanted = job_id, current, wanted


def allowed(current: JobStatus, wanted: JobStatus) -> bool:
    return wanted in TRANSITIONS[current] or (current == wanted and current in PROGRESSING)


def marks(statuses: frozenset[JobStatus]) -> tuple[str, tuple[str, ...]]:
    """`IN (...)` placeholders and their values, for SQL over a set of states."""
    values = tuple(sorted(s.value for s in statuses))
    return ",".join("?" * len(values)), values


async def move(
    db: Connection, job_id: int, wanted: JobStatus, now: float, fields: Mapping[str, Any] | None = None
) -> JobStatus:
    """Set `wanted` (and `fields`) on a job inside the caller's transaction; returns the former status.

    Raises `IllegalTransition` (and logs it) when the table does not allow the move.
    """
    await db.lock_job(job_id)  # another process's move of the same job waits, then reads this one's
    row = await db.fetch_one("SELECT status FROM jobs WHERE id = ?", (job_id,))
    current = JobStatus(row[0]) if row else None
    if current is None or not allowed(current, wanted):
        error = IllegalTransition(job_id, current, wanted)
        log.warning("refused: %s", error)
        raise error
    values = {**(fields or {}), "status": wanted.value, "updated_at": now}
    assignments = ", ".join(f"{name} = ?" for name in values)
    await db.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", (*values.values(), job_id))
    return current
