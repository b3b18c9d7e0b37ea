"""Limits, credits, moderation and shared upscales on the core, where every rule is decided."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.core import requests
from bot.core.accounts import Accounts, Refusal
from bot.core.ledger import Ledger
from bot.core.lifecycle import RUNNING
from bot.core.models import ImagineRequest, Job, JobAction, JobStatus, Requester
from bot.core.moderation import banned_word
from bot.core.quota import Defaults

GUILD = 500
ALICE = Requester(user_id=1, guild_id=GUILD, channel_id=3)
BOB = Requester(user_id=2, guild_id=GUILD, channel_id=3)


async def open_imagine(accounts: Accounts, who: Requester = ALICE, prompt: str = "a fox") -> Job:
    return await accounts.open_job(
        who, [], provider="t", action=JobAction.IMAGINE, prompt=prompt, request=requests.encode(ImagineRequest(prompt))
    )


async def burst(accounts: Accounts, n: int, who: Requester = ALICE) -> tuple[list[Job], list[Refusal]]:
    results = await asyncio.gather(*(open_imagine(accounts, who) for _ in range(n)), return_exceptions=True)
    return [r for r in results if isinstance(r, Job)], [r for r in results if isinstance(r, Refusal)]


async def test_thirty_at_once_with_the_defaults_gives_thirteen(ledger: Ledger) -> None:
    accounts = Accounts(ledger, Defaults())  # 25 credits, 3 running, 10 waiting, 12 in the server
    accepted, refused = await burst(accounts, 30)
    statuses = [j.status for j in accepted]
    assert statuses.count(JobStatus.SUBMITTING) == 3 and statuses.count(JobStatus.WAITING) == 10
    assert len(refused) == 17
    assert all("You already have 3 jobs running and 10 waiting" in str(r.text) for r in refused)
    balance, _ = await accounts.status(GUILD, ALICE.user_id, [])
    assert balance.daily_left == 12 and (balance.running, balance.waiting) == (3, 10)


async def test_the_server_cap_holds_across_members(ledger: Ledger) -> None:
    accounts = Accounts(ledger, Defaults(daily_credits=0, user_running=3, user_waiting=1, server_running=4))
    members = [Requester(user_id=u, guild_id=GUILD, channel_id=3) for u in range(1, 6)]
    results = await asyncio.gather(*(burst(accounts, 6, m) for m in members))
    running = [j for accepted, _ in results for j in accepted if j.status in RUNNING]
    waiting = [j for accepted, _ in results for j in accepted if j.status is JobStatus.WAITING]
    assert len(running) == 4  # the server's cap, whoever came first
    assert len(waiting) == 5  # one each beyond that
    assert sum(len(r) for _, r in results) == 30 - 9


async def test_a_reset_then_refunds_never_lift_the_balance_above_the_allowance(ledger: Ledger) -> None:
    accounts = Accounts(ledger, Defaults(daily_credits=5, user_running=0, user_waiting=0))
    jobs = [await open_imagine(accounts) for _ in range(5)]
    assert await accounts.reset_day(GUILD, ALICE.user_id, actor_id=99) == 5
    for job in jobs[:2]:  # jobs charged before the reset fail afterwards
        assert await accounts.refund(job)
    balance, _ = await accounts.status(GUILD, ALICE.user_id, [])
    assert balance.daily_left == 5  # not "7 of 5"
    for _ in range(5):
        await open_imagine(accounts)
    with pytest.raises(Refusal, match="used your 5 credits"):
        await open_imagine(accounts)
    # A refund of a job charged after the reset does come back.
    last = (await ledger.jobs_where("1", (), "ORDER BY id DESC LIMIT 1"))[0]
    assert await accounts.refund(last)
    assert (await accounts.status(GUILD, ALICE.user_id, []))[0].daily_left == 1


async def test_a_refund_goes_back_to_the_day_of_the_charge() -> None:
    now = [datetime(2026, 11, 22, 23, 50, tzinfo=UTC).timestamp()]
    ledger = await Ledger.open(":memory:", clock=lambda: now[0])
    try:
        accounts = Accounts(ledger, Defaults(daily_credits=2, user_running=0), lambda: now[0])
        yesterday = await open_imagine(accounts)
        now[0] += 20 * 60  # past midnight: a new day, a full allowance
        await open_imagine(accounts)
        await open_imagine(accounts)
        assert await accounts.refund(yesterday)  # the refund belongs to yesterday: today stays at 0 left
        assert (await accounts.status(GUILD, ALICE.user_id, []))[0].daily_left == 0
        rows = await ledger.fetch_all("SELECT day FROM credit_entries WHERE kind = 'refund'")
        assert [r[0] for r in rows] == ["2026-11-22"]
    finally:
        await ledger.close()


async def test_the_refusal_tells_the_truth_about_what_is_left(ledger: Ledger) -> None:
    accounts = Accounts(ledger, Defaults(daily_credits=3, user_running=0))
    await accounts.change_config(GUILD, lambda c: c.costs.update({"grid": 2}))
    await open_imagine(accounts)
    with pytest.raises(Refusal, match="This costs 2 credits and you have 1 left today"):
        await open_imagine(accounts)


@pytest.mark.parametrize(
    ("text", "words", "found"),
    [
        ("一只裸体猫", ["裸体"], "裸体"),
        ("a field of grass", ["ass"], None),
        ("kick ASS now", ["ass"], "ass"),
        ("ＮＵＤＥ statue", ["nude"], "nude"),  # full-width letters fold to the word
        ("Straße", ["STRASSE"], "STRASSE"),  # case folding, not lower()
        ("ヌードの像", ["ヌード"], "ヌード"),
        ("nudes", ["nude"], None),
    ],
)
def test_banned_words_in_every_script(text: str, words: list[str], found: str | None) -> None:
    assert banned_word(text, words) == found


async def test_banned_words_are_strikes_and_three_block_for_the_day(ledger: Ledger) -> None:
    accounts = Accounts(ledger, Defaults())
    await accounts.change_config(GUILD, lambda c: c.banned_words.append("裸体"))
    with pytest.raises(Refusal, match="Strike 1 of 3 today"):
        await open_imagine(accounts, prompt="一只裸体猫")
    with pytest.raises(Refusal, match="Strike 2 of 3 today"):
        await open_imagine(accounts, prompt="裸体")
    with pytest.raises(Refusal, match="blocked for the rest of the day after 3 prompts"):
        await open_imagine(accounts, prompt="裸体 again")
    with pytest.raises(Refusal, match="blocked for the rest of the day"):
        await open_imagine(accounts, prompt="a clean prompt")
    assert (await accounts.strikes_by_member(GUILD)) == {ALICE.user_id: 3}
    await accounts.reset_day(GUILD, ALICE.user_id, actor_id=99)  # an admin's reset clears the strikes
    assert (await open_imagine(accounts, prompt="a clean prompt")).cost == 1
    rows = await ledger.fetch_all("SELECT COUNT(*) FROM credit_entries WHERE kind = 'charge'")
    assert rows[0][0] == 1  # no refused prompt was charged


async def test_strikes_off_means_no_block(ledger: Ledger) -> None:
    accounts = Accounts(ledger, Defaults())
    await accounts.change_config(GUILD, lambda c: (c.banned_words.append("bad"), setattr(c, "moderation_strikes", 0)))
    for _ in range(5):
        with pytest.raises(Refusal) as refused:
            await open_imagine(accounts, prompt="bad")
        assert "Strike" not in str(refused.value.text)
    assert (await open_imagine(accounts)).cost == 1


async def test_a_thread_of_an_allowed_channel_is_allowed(ledger: Ledger) -> None:
    accounts = Accounts(ledger, Defaults())
    await accounts.change_config(GUILD, lambda c: c.allowed_channels.append(3))
    in_thread = Requester(user_id=1, guild_id=GUILD, channel_id=444, parent_channel_id=3)
    assert (await open_imagine(accounts, in_thread)).cost == 1
    elsewhere = Requester(user_id=1, guild_id=GUILD, channel_id=445, parent_channel_id=7)
    with pytest.raises(Refusal, match="only in <#3>"):
        await open_imagine(accounts, elsewhere)


async def upscale(accounts: Accounts, parent: Job, who: Requester) -> Job:
    return await accounts.open_job(
        who,
        [],
        single_flight=True,
        provider="t",
        action=JobAction.UPSCALE,
        prompt=parent.prompt,
        parent_id=parent.id,
        parent_button=0,
        request=requests.encode(requests.ActionRequest(parent.id, 0)),
    )


async def test_one_paid_upscale_per_image(ledger: Ledger) -> None:
    accounts = Accounts(ledger, Defaults())
    grid = await open_imagine(accounts)
    presses = await asyncio.gather(*(upscale(accounts, grid, who) for who in (ALICE, BOB, ALICE, BOB)))
    paid = [j for j in presses if j.source_id is None]
    shared = [j for j in presses if j.source_id is not None]
    assert len(paid) == 1 and paid[0].cost == 1 and paid[0].status is JobStatus.SUBMITTING
    assert len(shared) == 3 and all(j.cost == 0 and j.status is JobStatus.MIRRORING for j in shared)
    assert {j.source_id for j in shared} == {paid[0].id}
    await ledger.transition(paid[0].id, JobStatus.SUCCEEDED, image_url="https://x/u1.png")
    later = await upscale(accounts, grid, BOB)  # pressed after it finished: shown at once, free
    assert later.status is JobStatus.SUCCEEDED and later.image_url == "https://x/u1.png" and later.cost == 0


async def test_a_blocked_member_gets_no_shared_upscale(ledger: Ledger) -> None:
    accounts = Accounts(ledger, Defaults())
    grid = await open_imagine(accounts)
    first = await upscale(accounts, grid, ALICE)
    await ledger.transition(first.id, JobStatus.SUCCEEDED, image_url="https://x/u1.png")
    await accounts.change_config(GUILD, lambda c: c.blocked.append(BOB.user_id))
    with pytest.raises(Refusal, match="blocked"):
        await upscale(accounts, grid, BOB)
