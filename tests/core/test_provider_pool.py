"""Which provider a job goes to: the first healthy one; a failed one is skipped for the cooldown."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from bot.core.errors import ErrorKind, ProviderError
from bot.core.providers.pool import DOWN_KINDS, ProviderPool, not_taken
from bot.core.text import Text


def test_only_a_submit_the_api_cannot_have_taken_moves() -> None:
    down = Text("upstream-unreachable")
    assert not_taken(ProviderError(ErrorKind.UNAVAILABLE, down, unsent=True))
    assert not_taken(ProviderError(ErrorKind.UNAVAILABLE, down, status=503))
    assert not_taken(ProviderError(ErrorKind.BUSY, Text("upstream-queue-full")))
    assert not not_taken(ProviderError(ErrorKind.UNAVAILABLE, down, status=500))  # it may have run
    assert not not_taken(ProviderError(ErrorKind.TIMEOUT, Text("upstream-no-answer-in-time")))
    assert not not_taken(ProviderError(ErrorKind.MODERATION, down))


def test_a_failed_provider_is_skipped_for_the_cooldown() -> None:
    now = [1000.0]
    first, second = type("P", (), {"name": "a"})(), type("P", (), {"name": "b"})()  # the pool only routes
    pool = ProviderPool([first, second], cooldown=60, clock=lambda: now[0])  # type: ignore[list-item]
    assert pool.for_new_job() is first
    assert pool.failed("a", ProviderError(ErrorKind.BUSY, Text("upstream-queue-full")))
    assert not pool.failed("a", ProviderError(ErrorKind.MODERATION, Text("upstream-queue-full")))
    assert pool.for_new_job() is second and pool.get("a") is first and pool.get("gone") is first
    now[0] += 61
    assert pool.for_new_job() is first
    with pytest.raises(ValueError, match="distinct"):
        ProviderPool([first, first])  # type: ignore[list-item]


class PoolMachine(RuleBasedStateMachine):
    """Failures, answers and time in any order: new jobs always go to the first provider the model says is up,
    a job's own provider is always the one it names, and a failure never benches a provider beyond the cooldown."""

    NAMES = ("a", "b", "c")
    COOLDOWN = 60.0

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0
        self.providers = [type("P", (), {"name": n})() for n in self.NAMES]
        self.pool = ProviderPool(self.providers, self.COOLDOWN, lambda: self.now)  # type: ignore[arg-type]
        self.up_at = dict.fromkeys(self.NAMES, 0.0)  # the model: when each is back

    @rule(name=st.sampled_from(NAMES), kind=st.sampled_from(list(ErrorKind)), retry=st.sampled_from([None, 5, 1e9]))
    def fail(self, name: str, kind: ErrorKind, retry: float | None) -> None:
        benched = self.pool.failed(name, ProviderError(kind, Text("upstream-unreachable"), retry_after=retry))
        assert benched == (kind in DOWN_KINDS)
        if benched:
            self.up_at[name] = max(self.up_at[name], self.now + min(retry or self.COOLDOWN, self.COOLDOWN))

    @rule(name=st.sampled_from(NAMES))
    def answer(self, name: str) -> None:
        self.pool.answered(name)
        self.up_at[name] = 0.0

    @rule(seconds=st.floats(0, 100))
    def wait(self, seconds: float) -> None:
        self.now += seconds

    @invariant()
    def routes_as_the_model(self) -> None:
        up = [p for p, n in zip(self.providers, self.NAMES, strict=True) if self.up_at[n] <= self.now]
        assert self.pool.for_new_job() is (up[0] if up else self.providers[0])
        assert all(self.pool.get(n) is p for p, n in zip(self.providers, self.NAMES, strict=True))
        assert all(until <= self.now + self.COOLDOWN for _, _, until, _ in self.pool.report())


PoolMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=20, deadline=None)
test_the_pool_over_any_interleaving = PoolMachine.TestCase


def test_a_new_job_goes_to_the_first_healthy_api_that_can_make_it() -> None:
    """/edit while the first API (which cannot edit) is the healthy one: the second, which can, takes it."""
    now = [1000.0]
    plain, editing = type("P", (), {"name": "first"})(), type("P", (), {"name": "fallback"})()
    pool = ProviderPool([plain, editing], cooldown=60, clock=lambda: now[0])  # type: ignore[list-item]
    can_edit = lambda provider: provider is editing  # noqa: E731
    assert pool.for_new_job(can_edit) is editing and pool.for_new_job() is plain
    pool.health["fallback"].down_until = now[0] + 60  # the one that can edit is down: still the only able one
    assert pool.for_new_job(can_edit) is editing
    assert pool.for_new_job(lambda provider: False) is plain  # none can: the first, which fails it clearly
