"""✉️ Send to me: the finished image in the presser's direct messages, with its seed where the API tells it,
or a clear private answer."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.simulator.server import Simulator
from bot.simulator.tasks import image_seed
from tests.fakes.discord_server import FakeDiscord, FakeMessage
from tests.helpers import button, running_bot, wait_final

OTHER_MEMBER = 1_300_000_000_000_000_903
PAID = ("imagine", "action", "change", "midjourney/imagine")


def direct_messages(fake: FakeDiscord) -> list[FakeMessage]:
    return [m for m in fake.messages.values() if fake.channels[m.channel_id].get("type") == 1]


async def press_send_to_me(fake: FakeDiscord, grid_id: int, user_id: int | None, locale: str = "en-US") -> FakeMessage:
    """✉️ pressed; its private answer once the bot gave one, the DM (if any) sent before it."""
    press = await fake.click(grid_id, button(fake, grid_id, "Send to me"), user_id=user_id, locale=locale)
    answer = fake.messages[press.response_message_id or 0]
    await fake.wait_for(lambda: bool(answer.content))
    assert answer.ephemeral
    return answer


async def test_the_image_goes_to_whoever_presses(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    fake.add_user(OTHER_MEMBER, "someone-else")
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a quiet harbour"})).response_message_id or 0
        grid = await wait_final(fake, grid_id)
        paid = {k: v for k, v in simulator.requests.items() if k in PAID}
        (task,) = simulator.tasks.values()

        answer = await press_send_to_me(fake, grid_id, OTHER_MEMBER)
        assert "Sent to your direct messages" in answer.content
        direct = direct_messages(fake)
        assert len(direct) == 1 and direct[0].attachments[0].data == grid.attachments[0].data
        assert "a quiet harbour" in direct[0].content and str(grid_id) in direct[0].content
        # The seed trueai-org and new-api tell at /mj/task/{id}/image-seed, on a line of its own.
        assert direct[0].content.splitlines()[-1] == f"Seed: `{image_seed(task)}`"
        assert simulator.requests["image-seed"] == 1
        assert fake.channels[direct[0].channel_id]["recipients"][0]["id"] == str(OTHER_MEMBER)
        assert {k: v for k, v in simulator.requests.items() if k in PAID} == paid  # free

        fake.dms_closed.add(OTHER_MEMBER)
        refusal = await press_send_to_me(fake, grid_id, OTHER_MEMBER, locale="zh-CN")
        assert "私信" in refusal.content and "隐私设置" in refusal.content


async def test_acedata_tells_the_seed_of_the_image_id(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", MJ_PROVIDER="acedata") as bot:
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a paper moon"})).response_message_id or 0
        await wait_final(fake, grid_id)
        (task,) = simulator.tasks.values()
        job = await bot.jobs.ledger.get(1)
        assert job is not None and job.action_ref == task.id + "999"  # the image_id, not the task id

        answer = await press_send_to_me(fake, grid_id, None, locale="zh-CN")
        assert "已发送" in answer.content
        (direct,) = direct_messages(fake)
        assert direct.content.splitlines()[-1] == f"种子：`{image_seed(task)}`"  # in the presser's language
        assert simulator.requests["midjourney/seed"] == 1
        assert simulator.requests["midjourney/imagine"] == 1  # nothing more paid


@pytest.mark.parametrize("dialect", ["proxy", "acedata"])
async def test_without_a_seed_route_the_image_goes_alone(
    fake: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture, dialect: str
) -> None:
    sim = Simulator(duration=0.6, seed=False)  # the open-source proxy: no image-seed route (404)
    await sim.start()
    try:
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", MJ_PROVIDER=dialect):
            grid_id = (await fake.invoke_slash("imagine", {"prompt": "a still pond"})).response_message_id or 0
            grid = await wait_final(fake, grid_id)
            with caplog.at_level(logging.INFO, logger="bot.core.jobs"):
                answer = await press_send_to_me(fake, grid_id, None)
        assert "Sent to your direct messages" in answer.content
        (direct,) = direct_messages(fake)
        assert direct.attachments[0].data == grid.attachments[0].data
        assert "a still pond" in direct.content and "Seed" not in direct.content
        assert sim.requests["midjourney/seed" if dialect == "acedata" else "image-seed"] == 1
        assert any("no seed" in r.getMessage() for r in caplog.records)  # for the admin
    finally:
        await sim.stop()
