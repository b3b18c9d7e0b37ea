"""What a gallery link sees, on both databases: a member their own images, a moderator the server's less what
members hid, nobody what was deleted; filters and keyset pages; and a model-based run over hide / show /
delete by owners and others, checking every scope after every step."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from bot.core.gallery import Filters, Gallery, Scope
from bot.core.ledger import Ledger
from bot.core.models import JobAction, JobStatus, Requester

BACKENDS = ("sqlite", "postgres")
GUILD, OTHER_GUILD = 100, 200
ALICE, BOB, MODERATOR = 1, 2, 9
NO_FILTERS = Filters()


async def finished(
    ledger: Ledger,
    user: int,
    prompt: str,
    action: JobAction = JobAction.IMAGINE,
    *,
    guild: int = GUILD,
    status: JobStatus = JobStatus.SUCCEEDED,
    parent: int | None = None,
    at: float = 1_700_000_000,
) -> int:
    job = await ledger.create_job(
        Requester(user_id=user, guild_id=guild, channel_id=5), provider="sim", action=action, prompt=prompt,
        parent_id=parent,
    )  # fmt: skip
    await ledger.transition(job.id, status, image_url=f"https://api.example/{job.id}.png", message_id=900 + job.id)
    await ledger.update(job.id, delivered=True, finished_at=at)
    return job.id


async def everything(gallery: Gallery, scope: Scope, filters: Filters = NO_FILTERS, size: int = 2) -> list[int]:
    """Every job the scope sees, walked page by page."""
    seen: list[int] = []
    before = None
    while True:
        entries, before = await gallery.page(scope, filters, before=before, size=size)
        seen += [e.job.id for e in entries]
        if before is None:
            return seen


async def test_scopes_filters_and_pages(ledger: Ledger) -> None:
    gallery = Gallery(ledger)
    fox = await finished(ledger, ALICE, "A red fox_in 100% snow")
    upscale = await finished(ledger, ALICE, "A red fox_in 100% snow", JobAction.UPSCALE, parent=fox, at=1_700_090_000)
    await finished(ledger, ALICE, "a fox that failed", status=JobStatus.FAILED)
    await finished(ledger, ALICE, "describe me", JobAction.DESCRIBE)
    whale = await finished(ledger, BOB, "a whale", JobAction.VARIATION)
    await finished(ledger, BOB, "elsewhere", guild=OTHER_GUILD)
    alice, bob, moderator = (Scope(GUILD, ALICE, False), Scope(GUILD, BOB, False), Scope(GUILD, MODERATOR, True))

    assert await everything(gallery, alice) == [upscale, fox]
    assert await everything(gallery, bob) == [whale]
    assert await everything(gallery, moderator) == [whale, upscale, fox]
    assert await everything(gallery, moderator, size=1) == [whale, upscale, fox]
    assert await gallery.members(moderator) == [ALICE, BOB]
    # Filters: literal text (LIKE's own % and _ are not wildcards), kind, member, dates.
    assert await everything(gallery, moderator, Filters(text="FOX_IN 100%")) == [upscale, fox]
    assert await everything(gallery, moderator, Filters(text="fox%snow")) == []
    assert await everything(gallery, moderator, Filters(text="fo_")) == []  # "_" is not "any one character"
    assert await everything(gallery, moderator, Filters(kind="upscale")) == [upscale]
    assert await everything(gallery, moderator, Filters(kind="variation")) == [whale]
    assert await everything(gallery, moderator, Filters(member=BOB)) == [whale]
    assert await everything(gallery, bob, Filters(member=ALICE)) == [whale]  # a member's link: only their own
    assert await everything(gallery, moderator, Filters(since=1_700_050_000)) == [upscale]
    assert await everything(gallery, moderator, Filters(until=1_700_050_000)) == [whale, fox]
    # Family: the upscale's parent and the grid's children, as far as the scope sees.
    assert [c.job.id for c in await gallery.children(alice, fox)] == [upscale]
    assert await gallery.entry(bob, fox) is None

    # Hidden: its member still sees it, a moderator does not; deleted: nobody; only the owner does either.
    assert not await gallery.remove(moderator, fox, "hidden")
    assert not await gallery.remove(bob, fox, "deleted")
    assert await gallery.remove(alice, fox, "hidden")
    assert await gallery.remove(alice, fox, "hidden")  # twice: the same
    entry = await gallery.entry(alice, fox)
    assert entry is not None and entry.hidden
    assert await everything(gallery, moderator) == [whale, upscale]
    assert await gallery.remove(alice, fox, None)
    assert await everything(gallery, moderator) == [whale, upscale, fox]
    assert await gallery.remove(alice, upscale, "deleted")
    assert await everything(gallery, alice) == [fox]
    assert not await gallery.remove(alice, upscale, None)  # deleted is for good
    assert await gallery.children(moderator, fox) == []


@settings(max_examples=15, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
class GalleryModel(RuleBasedStateMachine):
    """Random hides, shows and deletes by owners and others; every scope checked against a model."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.folder = Path(self.run(asyncio.to_thread(__import__("tempfile").mkdtemp)))
        self.ledger: Ledger = self.run(Ledger.open(self.folder / "ledger.sqlite3"))
        self.gallery = Gallery(self.ledger)
        self.owner: dict[int, int] = {}
        for user, prompt in ((ALICE, "a"), (ALICE, "b"), (BOB, "c"), (BOB, "d"), (ALICE, "e")):
            self.owner[self.run(finished(self.ledger, user, prompt))] = user
        self.state: dict[int, str | None] = dict.fromkeys(self.owner)

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.run(self.ledger.close())
        self.loop.close()
        __import__("shutil").rmtree(self.folder, ignore_errors=True)

    @rule(
        user=st.sampled_from([ALICE, BOB, MODERATOR]),
        job=st.integers(1, 5),
        state=st.sampled_from(["hidden", None, "deleted"]),
        server=st.booleans(),
    )
    def remove(self, user: int, job: int, state: Any, server: bool) -> None:
        allowed = self.owner[job] == user and self.state[job] != "deleted"
        assert self.run(self.gallery.remove(Scope(GUILD, user, server), job, state)) == allowed
        if allowed:
            self.state[job] = state

    @invariant()
    def every_scope_sees_what_it_may(self) -> None:
        live = sorted((j for j, s in self.state.items() if s != "deleted"), reverse=True)
        for user in (ALICE, BOB, MODERATOR):
            own = [j for j in live if self.owner[j] == user]
            assert self.run(everything(self.gallery, Scope(GUILD, user, False))) == own
            server = [j for j in live if self.state[j] is None or self.owner[j] == user]
            assert self.run(everything(self.gallery, Scope(GUILD, user, True))) == server


TestGalleryModel = GalleryModel.TestCase
