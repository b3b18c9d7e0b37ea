"""Money at the edges, through the real discord.py against the fake Discord and the simulator: a reset connection
while a job's message is posted, U after a cancelled U, a Remix prompt the open-source proxy cannot take."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord
from tests.helpers import bot_messages, button, labels, png, running_bot, wait_final

INTERACTION_ANSWER = r"/interactions/\d+/[^/]+/callback"
CHANNEL_POST = r"/channels/\d+/messages"


async def moves(bot: Any) -> list[tuple[int | None, str, int]]:
    rows = await bot.jobs.ledger.fetch_all("SELECT job_id, kind, amount FROM credit_entries ORDER BY id")
    return [(r[0], r[1], r[2]) for r in rows]


async def test_a_reset_while_answering_an_imagine_leaves_no_reservation(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", QUOTA_USER_RUNNING="1") as bot:
        fake.reset_next.append(("POST", INTERACTION_ANSWER))
        await fake.invoke_slash("imagine", {"prompt": "a lost lantern"}, wait_ack=False)
        await fake.wait_for(lambda: not fake.reset_next)
        await fake.wait_for(lambda: not any(bot.jobs.accounts._pending.values()))
        standing = bot.jobs.accounts.mirror(fake.guild_id, fake.default_user_id)
        assert standing is None or standing.running == 0  # not counted as running a job that does not exist
        # The member's one running slot is free: the next job runs at once instead of waiting for good.
        second = (await fake.invoke_slash("imagine", {"prompt": "a found lantern"})).response_message_id
        done = await wait_final(fake, second)  # type: ignore[arg-type]
        assert done.attachments and "Queued" not in done.content
        assert [(kind, amount) for _, kind, amount in await moves(bot)] == [("charge", 1)]
        assert [t.prompt for t in simulator.tasks.values()] == ["a found lantern"]


async def test_a_reset_while_posting_a_press_refunds_it_and_u_works_again(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", QUOTA_USER_RUNNING="1") as bot:
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a harbour"})).response_message_id or 0
        await wait_final(fake, grid_id)
        fake.reset_next.append(("POST", CHANNEL_POST))
        press = await fake.click(grid_id, button(fake, grid_id, "U1"))
        await fake.wait_for(lambda: bool(press.followup_ids))
        told = fake.messages[press.followup_ids[0]]
        assert told.ephemeral and "could not post" in told.content
        lost = (await bot.jobs.ledger.jobs_where("action = ?", ("upscale",)))[0]
        assert lost.status.value == "failed" and lost.refunded
        await fake.click(grid_id, button(fake, grid_id, "U1"))  # a new paid upscale, not a copy of the lost one
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        upscale = await wait_final(fake, bot_messages(fake)[1].id)
        assert upscale.attachments
        assert sorted(t.action for t in simulator.tasks.values()) == ["IMAGINE", "UPSCALE"]
        ledger_moves = await moves(bot)
        assert sum(a if k == "charge" else -a for _, k, a in ledger_moves) == 2  # the grid and one upscale


async def test_u_after_a_cancelled_u_is_a_new_paid_upscale(fake: FakeDiscord, tmp_path: Path) -> None:
    sim = Simulator(duration=1.5)
    await sim.start()
    try:
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3") as bot:
            grid_id = (await fake.invoke_slash("imagine", {"prompt": "a quay"})).response_message_id or 0
            await wait_final(fake, grid_id)
            await fake.click(grid_id, button(fake, grid_id, "U2"))
            await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
            first = bot_messages(fake)[1].id
            await fake.wait_for(lambda: "Cancel" in labels(fake, first))
            await fake.click(first, button(fake, first, "Cancel"))
            assert "Cancelled" in (await wait_final(fake, first)).content
            await fake.click(grid_id, button(fake, grid_id, "U2"))
            await fake.wait_for(lambda: len(bot_messages(fake)) == 3)
            again = await wait_final(fake, bot_messages(fake)[2].id, timeout=15)
            assert again.attachments and "Cancelled" not in again.content
            assert sorted(t.action for t in sim.tasks.values()) == ["IMAGINE", "UPSCALE", "UPSCALE"]
            net = sum(a if k == "charge" else -a for _, k, a in await moves(bot))
            assert net == 2  # the grid and the second upscale; the cancelled one was given back
    finally:
        await sim.stop()


async def test_remix_on_the_open_source_proxy_is_refused_before_charging(fake: FakeDiscord, tmp_path: Path) -> None:
    sim = Simulator(duration=0.5, buttons=False)  # no buttons[]: U/V go through /mj/submit/change
    await sim.start()
    try:
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3") as bot:
            panel = (await fake.invoke_slash("settings")).response_message_id or 0
            await fake.click(panel, button(fake, panel, "Turn Remix on"))
            await fake.wait_for(lambda: "**Remix:** on" in fake.messages[panel].content)
            grid_id = (await fake.invoke_slash("imagine", {"prompt": "a mill"})).response_message_id or 0
            await wait_final(fake, grid_id)
            press = await fake.click(grid_id, button(fake, grid_id, "V1"), locale="zh-CN")
            assert press.modal is None  # nothing to type that would be dropped
            answer = fake.messages[press.response_message_id or 0]
            assert answer.ephemeral and "Remix" in answer.content and "没有扣除积分" in answer.content
            assert len(bot_messages(fake)) == 1 and [t.action for t in sim.tasks.values()] == ["IMAGINE"]
            assert [(k, a) for _, k, a in await moves(bot)] == [("charge", 1)]
    finally:
        await sim.stop()


async def test_a_job_with_files_whose_message_discord_refuses_is_answered_and_free(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    """With files the command is acknowledged privately first; a public post Discord refuses (no permission to
    send there) ends that private answer with why, instead of leaving it "thinking" until the token expires."""
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        public = f"/channels/{fake.channel_id}/messages"
        fake.trouble = lambda request: 403 if (request.method, request.path) == ("POST", public) else None
        ref = png()
        invocation = await fake.invoke_slash("imagine", {"prompt": "a refused post"}, attachments={"image": ref})
        answer = invocation.response_message_id
        assert answer is not None
        await fake.wait_for(lambda: "could not post" in fake.messages[answer].content)
        assert fake.messages[answer].ephemeral and "Nothing was charged" in fake.messages[answer].content
        assert not simulator.tasks
        assert (await bot.jobs.ledger.fetch_all("SELECT COUNT(*) FROM credit_entries"))[0][0] == 0
        assert bot.jobs.accounts is not None and not bot.jobs.accounts.reserved
