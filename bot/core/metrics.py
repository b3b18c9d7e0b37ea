"""The Prometheus counters the core moves; the client serves them at `/metrics` (bot/client/ops).

One registry per process (each shard process serves its own). Credits count only once the transaction that
wrote them commits, so a rolled-back charge never shows; jobs count when their final state is written.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from prometheus_client import CollectorRegistry, Counter, Histogram

from bot.core.models import Job, JobStatus

REGISTRY = CollectorRegistry()

JOBS_FINISHED = Counter(
    "mjbot_jobs_finished",
    "Jobs that reached a final state, by action, speed mode and state",
    ["action", "mode", "state"],
    registry=REGISTRY,
)
CREDITS = Counter(
    "mjbot_credits", "Credits written to the ledger, by kind (charge, refund, grant, revoke, reset)", ["kind"],
    registry=REGISTRY,
)  # fmt: skip
API_SECONDS = Histogram(
    "mjbot_api_request_seconds",
    "Image API requests, seconds until the answer's headers, by endpoint",
    ["endpoint"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    registry=REGISTRY,
)
API_ERRORS = Counter(
    "mjbot_api_errors",
    "Image API requests that failed, by endpoint and reason (an HTTP status, or the transport error's name)",
    ["endpoint", "reason"],
    registry=REGISTRY,
)


class ApiWatch:
    """When the image API last answered (anything but a 5xx or a refused key): what `/health/ready` asks."""

    def __init__(self) -> None:
        self.last_answer: float | None = None  # time.monotonic()

    def answered(self) -> None:
        self.last_answer = time.monotonic()

    def answered_within(self, seconds: float) -> bool:
        return self.last_answer is not None and time.monotonic() - self.last_answer <= seconds


API = ApiWatch()

# Counts made inside the current ledger transaction, added when it commits.
_uncommitted: ContextVar[list[tuple[Counter, int]] | None] = ContextVar("uncommitted_counts", default=None)


@contextmanager
def counted_on_commit() -> Iterator[None]:
    """Around a ledger transaction: what `_count` notes inside it counts only if it commits."""
    pending: list[tuple[Counter, int]] = []
    token = _uncommitted.set(pending)
    try:
        yield
    finally:
        _uncommitted.reset(token)
    for counter, amount in pending:  # not reached when the transaction raised (rolled back)
        counter.inc(amount)


def _count(counter: Counter, amount: int = 1) -> None:
    pending = _uncommitted.get()
    if pending is None:
        counter.inc(amount)
    else:
        pending.append((counter, amount))


def credit_written(kind: str, amount: int) -> None:
    _count(CREDITS.labels(kind), amount)


def job_written(job_action: str, mode: str | None, status: JobStatus) -> None:
    """A job written already finished (a free copy of an upscale that exists): it never moves, so counted here."""
    if status.finished:
        _count(JOBS_FINISHED.labels(job_action, mode or "default", status.value))


async def job_moved(job: Job, former: JobStatus) -> None:
    """Ledger listener (after the move is written): a job that has just finished is counted once."""
    if job.status.finished and not former.finished:
        _count(JOBS_FINISHED.labels(job.action.value, job.mode or "default", job.status.value))
