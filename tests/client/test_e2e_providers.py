"""Two image APIs: new jobs go to the first that answers, a job's buttons to the API that made it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.simulator.server import Simulator
from tests.fakes.discord_server import OWNER_USER_ID, FakeDiscord
from tests.helpers import bot_messages, button, running_bot, wait_final

KEY_A, KEY_B = "key-of-the-first-api-111", "key-of-the-second-api-222"


@pytest.fixture
async def two() -> AsyncIterator[tuple[Simulator, Simulator]]:
    first, second = Simulator(duration=0.6, api_key=KEY_A), Simulator(duration=0.6, api_key=KEY_B)
    await first.start()
    await second.start()
    yield first, second
    await first.stop()
    await second.stop()


async def test_with_the_first_down_new_jobs_succeed_on_the_second_and_old_buttons_stay(
    fake: FakeDiscord, two: tuple[Simulator, Simulator], tmp_path: Path
) -> None:
    a, b = two
    env = {
        "MJ_API_KEY": KEY_A,
        "MJ_FALLBACK_PROVIDER": "proxy",
        "MJ_FALLBACK_API_BASE": b.base_url,
        "MJ_FALLBACK_API_KEY": KEY_B,
        "MJ_FALLBACK_COST_FACTORS": "fast=2",
        "PROVIDER_COOLDOWN": "120",
    }

    async def imagine(prompt: str) -> int:
        answer = (await fake.invoke_slash("imagine", {"prompt": prompt, "mode": "fast"})).response_message_id
        assert answer is not None
        await wait_final(fake, answer)
        return answer

    async def press(message_id: int, name: str) -> int:
        before = len(bot_messages(fake))
        await fake.click(message_id, button(fake, message_id, name))
        await fake.wait_for(lambda: len(bot_messages(fake)) == before + 1)
        return (await wait_final(fake, bot_messages(fake)[-1].id)).id

    async with running_bot(fake, a.base_url, tmp_path / "db.sqlite3", **env) as bot:
        on_a = await imagine("a lighthouse")
        await a.stop()  # the first API goes down: no connection
        moved = await imagine("a harbour")  # A did not take it: the same job goes to B
        on_b = await imagine("a ferry")  # A is skipped now: straight to B, at B's table
        assert "This job costs 2 credits (1 × fast ×2)" in fake.messages[on_b].versions[0]["content"]
        assert [t.prompt for t in a.tasks.values()] == ["a lighthouse"]
        assert [t.prompt for t in b.tasks.values()] == ["a harbour", "a ferry"]
        jobs = {j.prompt: j for j in await bot.jobs.ledger.jobs_where("action = 'imagine'")}
        assert [jobs[p].provider for p in ("a lighthouse", "a harbour", "a ferry")] == ["proxy", "fallback", "fallback"]
        assert [jobs[p].cost for p in ("a lighthouse", "a harbour", "a ferry")] == [1, 1, 2]  # priced when charged
        assert fake.messages[moved].attachments and fake.messages[on_b].attachments

        shown = await fake.invoke_slash("mjadmin", {}, subcommand="show", user_id=OWNER_USER_ID)
        health = fake.messages[shown.response_message_id].content  # type: ignore[index]
        assert "`proxy` ⛔ skipped until" in health and "`fallback` ✅ answering" in health
        assert KEY_A not in health and KEY_B not in health

        # A's grid's buttons go to A, never to B: while A is down they fail clearly and are refunded.
        failed = await press(on_a, "V1")
        assert "❌" in fake.messages[failed].content
        assert not [t for t in b.tasks.values() if t.action == "VARIATION"]

        await a.start()  # back, on the same address, with its tasks
        varied = await press(on_a, "V1")
        assert fake.messages[varied].attachments and "❌" not in fake.messages[varied].content
        assert [t.action for t in a.tasks.values()] == ["IMAGINE", "VARIATION"]
        upscaled = await press(moved, "U1")  # B's grid: to B
        assert fake.messages[upscaled].attachments
        assert [t.action for t in b.tasks.values()] == ["IMAGINE", "IMAGINE", "UPSCALE"]

        entries = await bot.jobs.ledger.fetch_all("SELECT kind, amount, job_id FROM credit_entries")
        charged = sum(e["amount"] for e in entries if e["kind"] == "charge")
        refunded = sum(e["amount"] for e in entries if e["kind"] == "refund")
        delivered = await bot.jobs.ledger.jobs_where("status = 'succeeded'")
        assert charged - refunded == sum(j.cost for j in delivered) == 1 + 1 + 2 + 1 + 2  # B's U1 at fast ×2
    assert not fake.errors
