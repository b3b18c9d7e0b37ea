"""/show job:<id>: a finished job posted again with its image and working buttons, for its member or an admin."""

from __future__ import annotations

from pathlib import Path

from bot.simulator.server import Simulator
from tests.fakes.discord_server import OWNER_USER_ID, FakeDiscord
from tests.helpers import bot_messages, button, labels, running_bot, wait_final

OTHER_MEMBER = 1_300_000_000_000_000_902


async def test_show_posts_the_job_again_with_working_buttons(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    fake.add_user(OTHER_MEMBER, "someone-else")
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a paper crane"})).response_message_id or 0
        grid = await wait_final(fake, grid_id)
        history = await fake.invoke_slash("history", {})
        assert "`/show job:1`" in fake.messages[history.response_message_id or 0].content

        simulator.image_fault = "missing"  # the API's link has expired: the copy on Discord is used
        shown = await fake.invoke_slash("show", {"job": 1})
        answer = fake.messages[shown.response_message_id or 0]
        assert answer.ephemeral and "Job #1 is shown again" in answer.content
        again = bot_messages(fake)[-1]
        assert again.id != grid_id and "a paper crane" in again.content
        assert again.attachments and again.attachments[0].data == grid.attachments[0].data
        assert labels(fake, again.id) == labels(fake, grid_id)
        simulator.image_fault = None

        await fake.click(again.id, button(fake, again.id, "U3"))  # its buttons work
        await fake.wait_for(lambda: len(bot_messages(fake)) == 3)
        upscale = await wait_final(fake, bot_messages(fake)[-1].id)
        assert "Image #3" in upscale.content and upscale.attachments

        refused = await fake.invoke_slash("show", {"job": 1}, user_id=OTHER_MEMBER)
        refusal = fake.messages[refused.response_message_id or 0]
        assert refusal.ephemeral and "You have no job #1 on this server." in refusal.content
        before = len(bot_messages(fake))
        admin = await fake.invoke_slash("show", {"job": 1}, user_id=OWNER_USER_ID)  # Manage Server
        assert "shown again" in fake.messages[admin.response_message_id or 0].content
        assert len(bot_messages(fake)) == before + 1
        unfinished = await fake.invoke_slash("show", {"job": 99})
        assert "You have no job #99" in fake.messages[unfinished.response_message_id or 0].content
