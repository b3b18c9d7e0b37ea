"""The job service's shared state: the jobs it follows, who listens, which provider made a job."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.core.accounts import Accounts
from bot.core.errors import ErrorKind
from bot.core.images import ImageFetcher
from bot.core.ledger import Ledger
from bot.core.models import Job, JobAction, TaskSnapshot
from bot.core.providers.base import Provider
from bot.core.providers.pool import ProviderPool
from bot.core.shards import EVERY_SERVER, ShardSet
from bot.core.text import Text

log = logging.getLogger("bot.core.jobs")  # the job service logs as one, whichever part of it writes


Listener = Callable[[Job], Awaitable[None]]

# A task the API stops reporting is given up after this long (it was deleted or expired upstream).
LOST_AFTER = 120.0
PROMPTS_BACK = (JobAction.DESCRIBE, JobAction.SHORTEN)  # jobs whose result is prompts to pick, not an image
SINGLE_IMAGES = (JobAction.UPSCALE, JobAction.UPSCALE_HD)  # what Animate starts from
SUBMITS_AT_ONCE = 8
SEED_TIMEOUT = 5.0  # seconds a seed may take before ✉️ Send to me goes without it
DRAIN_CHECK = 0.05  # seconds between looks at the submits a graceful stop waits for


@dataclass
class Followed:
    job: Job
    missing_since: float | None = None
    waiting_input: bool = False  # upstream waits for a modal: nothing to poll, the timeout still runs
    streaming: bool = False  # states arrive on a stream: not polled while it lasts
    stream: asyncio.Task[None] | None = None
    updates: AsyncIterator[TaskSnapshot] | None = None  # the stream `stream` consumes (and closes)


def submit_state(instance: str, job_id: int) -> str:
    """What a submit carries as `state`, to find the task again after a crash: the ledger and its job.

    The ledger's name keeps job 1 of a new ledger from matching job 1 of an old one on the same account."""
    return f"mjbot:{instance}:{job_id}"


async def close_updates(updates: AsyncIterator[TaskSnapshot]) -> None:
    aclose = getattr(updates, "aclose", None)
    if aclose is not None:
        with contextlib.suppress(Exception):
            await aclose()


class Outage:
    """Status checks while the API fails: exponential backoff with jitter, or what Retry-After says."""

    CAP = 60.0

    def __init__(self, since: float) -> None:
        self.since = since
        self.next_at = since  # when it is asked again
        self.failures = 0
        self.retry_after: float | None = None

    def failed(self, retry_after: float | None) -> None:
        self.failures += 1
        self.retry_after = retry_after

    def delay(self, interval: float) -> float:
        if self.retry_after is not None:
            return min(self.CAP, max(interval, self.retry_after))
        backoff = min(self.CAP, interval * 2 ** min(self.failures, 10))
        return backoff * random.uniform(0.5, 1.0)


class JobState(ABC):
    """What every part of the job service shares: the ledger, the providers, the jobs followed, the listeners."""

    def __init__(
        self,
        ledger: Ledger,
        provider: Provider,
        *,
        poll_interval: float = 3.0,
        job_timeout: float = 900.0,
        remix_timeout: float = 600.0,
        clock: Callable[[], float] = time.time,
        accounts: Accounts | None = None,
        images: ImageFetcher | None = None,
        shards: ShardSet = EVERY_SERVER,
        fallbacks: Sequence[Provider] = (),
        provider_cooldown: float = 300.0,
    ) -> None:
        self.ledger = ledger
        # Jobs of other shards' servers are left to the process running those shards (bot/core/shards.py).
        self.shards = shards
        self.accounts = accounts
        self.provider = provider  # the first: what the commands offer (capabilities) follows it
        self.pool = ProviderPool([provider, *fallbacks], provider_cooldown, clock)
        self.poll_interval = poll_interval
        self.job_timeout = job_timeout
        self.remix_timeout = remix_timeout
        self.images = images  # when given, a result counts as delivered only once its image downloads
        self._clock = clock
        self._listeners: list[Listener] = []
        self._following: dict[int, Followed] = {}
        self._wake = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None
        self._starting: set[asyncio.Task[Job]] = set()  # queued jobs being submitted
        self._finishing: set[asyncio.Task[None]] = set()  # results whose image is being checked
        self._outages: dict[str, Outage] = {}  # by provider: each API that fails backs off on its own
        self._scanning = False  # start() is sorting out the ledger: no queued job may start meanwhile
        # Paid submits in flight at once: a burst of hundreds waits here, cheaply, instead of in the HTTP
        # pool (whose bookkeeping grows with every waiter) and ahead of new interactions on the event loop.
        self._submits = asyncio.Semaphore(SUBMITS_AT_ONCE)
        self._paying = 0  # submits between their call and the ledger's record of the answer
        self._closing = False
        self.polls = 0  # batched status requests made, for benchmarks and tests

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def _mine(self, query: Awaitable[list[Job]]) -> list[Job]:
        """The jobs of `query` whose server this process owns."""
        return self.shards.mine(await query, lambda job: job.guild_id)

    @property
    def following(self) -> int:
        return len(self._following)

    def provider_of(self, job: Job) -> Provider:
        """The API that made `job` (or is making it): its status, buttons and cancel go there."""
        return self.pool.get(job.provider)

    def _task_of(self, job: Job) -> str | None:
        """The job's upstream task id, if a configured provider gave it (jobs of old ledgers name none: the
        first's)."""
        return job.upstream_task_id if job.provider in self.pool.providers or not job.provider else None

    def _forget(self, job_id: int) -> None:
        followed = self._following.pop(job_id, None)
        if followed is not None and followed.stream is not None and followed.stream is not asyncio.current_task():
            followed.stream.cancel()

    def _follow(self, job: Job, *, waiting_input: bool = False, streaming: bool = False) -> Followed:
        followed = Followed(job, waiting_input=waiting_input, streaming=streaming)
        self._following[job.id] = followed
        self._wake.set()
        return followed

    async def _publish(self, job: Job) -> None:
        for listener in self._listeners:
            try:
                await listener(job)
            except Exception:
                log.exception("listener failed for job %s", job.id)

    # Each part of the service calls these; they are the other parts' (jobs.JobService puts them together).
    @abstractmethod
    async def _apply(self, followed: Followed, snap: TaskSnapshot) -> None: ...

    @abstractmethod
    async def _succeed(self, job: Job, snap: TaskSnapshot) -> None: ...

    @abstractmethod
    async def _finish_failed(self, job: Job, message: Text, kind: ErrorKind | None = None) -> Job: ...

    @abstractmethod
    async def _consume(self, followed: Followed, updates: AsyncIterator[TaskSnapshot]) -> None: ...

    @abstractmethod
    async def _fill_slots(self) -> None: ...

    @abstractmethod
    async def _settle_mirrors(self, source: Job) -> None: ...
