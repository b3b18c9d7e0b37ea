"""The image APIs the bot can use, in the admin's order, and which of them answer now.

New jobs go to the first healthy provider. A provider that fails a submit or a status check with an
outage, a refused key, an account without credit or a full queue is skipped for `cooldown` seconds, then
tried again. A job stays with the provider that made it (the ledger's `jobs.provider`), and so do the
jobs its buttons start: only that provider knows its tasks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.errors import ErrorKind, MJError, ProviderError
from bot.core.providers.base import Provider

# What says a provider cannot take jobs now, as opposed to this job's own fault (a bad prompt, moderation).
DOWN_KINDS = (ErrorKind.UNAVAILABLE, ErrorKind.AUTH, ErrorKind.CONFIG, ErrorKind.BUSY)
# HTTP answers that say the request was not taken (a gateway with nothing behind it, or overloaded).
NOT_TAKEN_STATUSES = (502, 503)


@dataclass
class Health:
    down_until: float = 0.0
    reason: str = ""  # the last failure, for /mjadmin show and the log (already scrubbed of secrets)
    failures: int = 0


def not_taken(exc: MJError) -> bool:
    """The API certainly did not accept the job, so sending it elsewhere charges nobody twice."""
    if exc.kind in (ErrorKind.AUTH, ErrorKind.CONFIG, ErrorKind.BUSY):
        return True
    if not isinstance(exc, ProviderError) or exc.kind is not ErrorKind.UNAVAILABLE:
        return False
    return exc.unsent or exc.status in NOT_TAKEN_STATUSES


class ProviderPool:
    def __init__(
        self, providers: Sequence[Provider], cooldown: float = 300.0, clock: Callable[[], float] = time.time
    ) -> None:
        names = [p.name for p in providers]
        if not providers or len(set(names)) != len(names):
            raise ValueError(f"providers need distinct names: {names}")
        self.providers = {p.name: p for p in providers}
        self.cooldown = cooldown
        self._clock = clock
        self.health = {name: Health() for name in names}

    @property
    def first(self) -> Provider:
        return next(iter(self.providers.values()))

    def get(self, name: str | None) -> Provider:
        """The provider a job was made by; one no longer configured: the first (its tasks may be there)."""
        return self.providers.get(name or "", self.first)

    def healthy(self, name: str) -> bool:
        return self.health[name].down_until <= self._clock()

    def choose(self, after: str | None = None) -> Provider | None:
        """The first healthy provider (after `after`, when one just failed); None when none is."""
        names = list(self.providers)
        start = names.index(after) + 1 if after in names else 0
        for name in names[start:] if after is not None else names:
            if self.healthy(name):
                return self.providers[name]
        return None

    def for_new_job(self, can: Callable[[Provider], bool] = lambda provider: True) -> Provider:
        """Where a new job goes: the first healthy provider that `can` make it, else the first that can (it
        fails clearly, refunded), else the first."""
        able = [p for p in self.providers.values() if can(p)]
        return next((p for p in able if self.healthy(p.name)), None) or (able[0] if able else self.first)

    def failed(self, name: str, exc: MJError) -> bool:
        """Note a failure; True when it takes the provider out for a while."""
        if exc.kind not in DOWN_KINDS or name not in self.health:
            return False
        health = self.health[name]
        asked = exc.retry_after if isinstance(exc, ProviderError) else None
        delay = min(asked, self.cooldown) if asked else self.cooldown  # an API's Retry-After never benches it for good
        health.down_until = max(health.down_until, self._clock() + delay)
        health.reason, health.failures = str(exc.text), health.failures + 1
        return True

    def answered(self, name: str) -> None:
        """A status check or submit went through: the provider is healthy again."""
        if name in self.health and self.health[name].down_until:
            self.health[name] = Health(failures=self.health[name].failures)

    def report(self) -> list[tuple[str, bool, float, str]]:
        """(name, healthy, down until, last reason) of each provider, in order."""
        return [(n, self.healthy(n), h.down_until, h.reason) for n, h in self.health.items()]
