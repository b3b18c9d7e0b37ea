"""✉️ Send to me: the finished image in the presser's direct messages, or a clear private answer."""

from __future__ import annotations

from pathlib import Path

from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord
from tests.helpers import button, running_bot, wait_final

OTHER_MEMBER = 1_300_000_000_000_000_903


async def test_the_image_goes_to_whoever_presses(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    fake.add_user(OTHER_MEMBER, "someone-else")
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a quiet harbour"})).response_message_id or 0
        grid = await wait_final(fake, grid_id)
        paid = {k: v for k, v in simulator.requests.items() if k in ("imagine", "action", "change")}

        press = await fake.click(grid_id, button(fake, grid_id, "Send to me"), user_id=OTHER_MEMBER)
        answer = fake.messages[press.response_message_id or 0]
        await fake.wait_for(lambda: "Sent to your direct messages" in answer.content)
        assert answer.ephemeral
        direct = [m for m in fake.messages.values() if fake.channels[m.channel_id].get("type") == 1]
        assert len(direct) == 1 and direct[0].attachments[0].data == grid.attachments[0].data
        assert "a quiet harbour" in direct[0].content and str(grid_id) in direct[0].content
        assert fake.channels[direct[0].channel_id]["recipients"][0]["id"] == str(OTHER_MEMBER)
        assert {k: v for k, v in simulator.requests.items() if k in ("imagine", "action", "change")} == paid  # free

        fake.dms_closed.add(OTHER_MEMBER)
        closed = await fake.click(grid_id, button(fake, grid_id, "Send to me"), user_id=OTHER_MEMBER, locale="zh-CN")
        refusal = fake.messages[closed.response_message_id or 0]
        await fake.wait_for(lambda: "私信" in refusal.content)
        assert refusal.ephemeral and "隐私设置" in refusal.content
