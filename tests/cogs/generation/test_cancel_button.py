"""The Cancel button under a running job, through the real discord.py against the fake Discord."""

from __future__ import annotations

from pathlib import Path

from bot.simulator.server import Simulator
from tests.fakes.discord_server import DEFAULT_USER_ID, OWNER_USER_ID, FakeDiscord
from tests.helpers import button, labels, running_bot, wait_final

OTHER_MEMBER = 1_300_000_000_000_000_901


async def charges(bot: object, job_id: int) -> list[tuple[str, int]]:
    rows = await bot.jobs.ledger.fetch_all(  # type: ignore[attr-defined]
        "SELECT kind, amount FROM credit_entries WHERE job_id = ? ORDER BY id", (job_id,)
    )
    return [(r[0], r[1]) for r in rows]


async def test_the_owner_cancels_a_running_job_and_gets_the_credit_back(fake: FakeDiscord, tmp_path: Path) -> None:
    fake.add_user(OTHER_MEMBER, "someone-else")
    sim = Simulator(duration=6.0)
    await sim.start()
    try:
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3") as bot:
            job_id = (await fake.invoke_slash("imagine", {"prompt": "a slow river"})).response_message_id or 0
            await fake.wait_for(lambda: "Cancel" in labels(fake, job_id), 10)
            cancel = button(fake, job_id, "Cancel")

            other = await fake.click(job_id, cancel, user_id=OTHER_MEMBER)
            await fake.wait_for(lambda: bool(other.followup_ids), 10)
            refusal = fake.messages[other.followup_ids[0]]
            assert refusal.ephemeral and "Only the member who started this job" in refusal.content
            assert sim.requests["cancel"] == 0

            await fake.click(job_id, cancel, locale="zh-CN")
            ended = await wait_final(fake, job_id, timeout=10)
            assert "🚫 Cancelled; its credits were given back." in ended.content
            assert not fake.message_buttons(job_id) and not ended.attachments
            assert sim.requests["cancel"] == 1
            assert await charges(bot, 1) == [("charge", 1), ("refund", 1)]
    finally:
        await sim.stop()


async def test_an_admin_cancels_and_the_server_may_keep_the_charge(fake: FakeDiscord, tmp_path: Path) -> None:
    sim = Simulator(duration=6.0)
    await sim.start()
    try:
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3") as bot:
            await fake.invoke_slash(
                "mjadmin", {"setting": "refund_cancelled", "value": "off"}, subcommand="set", user_id=OWNER_USER_ID
            )
            job_id = (await fake.invoke_slash("imagine", {"prompt": "a slow river"})).response_message_id or 0
            await fake.wait_for(lambda: "Cancel" in labels(fake, job_id), 10)
            await fake.click(job_id, button(fake, job_id, "Cancel"), user_id=OWNER_USER_ID)  # an admin
            ended = await wait_final(fake, job_id, timeout=10)
            assert ended.content.endswith("🚫 Cancelled.")
            assert await charges(bot, 1) == [("charge", 1)]  # the API took it; the server chose not to refund
            history = await fake.invoke_slash("history", {}, user_id=DEFAULT_USER_ID)
            assert "🚫" in fake.messages[history.response_message_id or 0].content
    finally:
        await sim.stop()
