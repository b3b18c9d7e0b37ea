"""⭐ Showcase: a finished image posted to the server's showcase channel by its member or a moderator, once,
crediting the member with the prompt and a jump link; refusals private and in the presser's language."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.simulator.server import Simulator
from tests.fakes.discord_server import GUILD_ID, OWNER_USER_ID, FakeDiscord, FakeMessage
from tests.helpers import assert_no_pings, bot_messages, button, imagined, labels, running_bot, wait_final

BACKENDS = ("sqlite", "postgres")
pytestmark = pytest.mark.usefixtures("e2e_ledger")
SHOWCASE = 1_300_000_000_000_000_260
OTHER_MEMBER = 1_300_000_000_000_000_904
PAID = ("imagine", "action", "change")


async def press_star(fake: FakeDiscord, message_id: int, user_id: int | None = None, locale: str = "en-US") -> str:
    press = await fake.click(message_id, button(fake, message_id, "⭐"), user_id=user_id, locale=locale)
    answer = fake.messages[press.response_message_id or 0]
    await fake.wait_for(lambda: bool(answer.content))
    assert answer.ephemeral
    return answer.content


async def set_showcase(fake: FakeDiscord) -> str:
    """/mjadmin showcase, by the server's owner; its private answer."""
    admin = await fake.invoke_slash("mjadmin", {"channel": SHOWCASE}, subcommand="showcase", user_id=OWNER_USER_ID)
    answer = fake.messages[admin.response_message_id or 0]
    await fake.wait_for(lambda: bool(answer.content))
    return answer.content


def showcase_posts(fake: FakeDiscord) -> list[FakeMessage]:
    return fake.channel_messages(SHOWCASE)


async def test_the_owner_posts_once_a_moderator_too_others_are_refused(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    fake.add_text_channel(SHOWCASE, "showcase")
    fake.add_user(OTHER_MEMBER, "someone-else")
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        grid_id = await imagined(fake, "a <@&1> lantern *at* dusk")
        grid = fake.messages[grid_id]
        assert "Showcase" in labels(fake, grid_id)  # under the image, beside ✉️

        no_channel = await press_star(fake, grid_id)
        assert "no showcase channel" in no_channel and not showcase_posts(fake)

        assert "now posts" in await set_showcase(fake)
        paid = {k: v for k, v in simulator.requests.items() if k in PAID}

        refused = await press_star(fake, grid_id, OTHER_MEMBER, locale="zh-CN")
        assert "只有生成这张图片的成员" in refused and not showcase_posts(fake)

        # Two presses at once by its member: one post.
        first, second = await asyncio.gather(press_star(fake, grid_id), press_star(fake, grid_id))
        (post,) = showcase_posts(fake)
        assert sorted(["Posted to the showcase" in first, "Posted to the showcase" in second]) == [False, True]
        assert "already in the showcase" in first + second or "being posted" in first + second
        assert post.attachments[0].data == grid.attachments[0].data  # the image itself, not an expiring link
        assert f"<@{fake.default_user_id}>" in post.content  # credited, but pinged by no one
        assert r"a <@&1> lantern \*at\* dusk" in post.content  # the prompt, its markdown kept literal
        assert f"https://discord.com/channels/{GUILD_ID}/{fake.channel_id}/{grid_id}" in post.content
        link = f"https://discord.com/channels/{GUILD_ID}/{SHOWCASE}/{post.id}"
        assert link in first + second

        again = await press_star(fake, grid_id, OWNER_USER_ID)  # a moderator: told where it is
        assert "already in the showcase" in again and link in again and len(showcase_posts(fake)) == 1

        # A moderator posts a member's upscale.
        await fake.click(grid_id, button(fake, grid_id, "U2"))
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        upscale = await wait_final(fake, bot_messages(fake)[1].id)
        assert "Posted to the showcase" in await press_star(fake, upscale.id, OWNER_USER_ID)
        assert len(showcase_posts(fake)) == 2
        assert {k: v for k, v in simulator.requests.items() if k in PAID} == {**paid, "action": 1}  # ⭐ is free
        rows = await bot.jobs.ledger.fetch_all("SELECT job_id, actor_id FROM showcase_posts ORDER BY job_id")
        assert [(r[0], r[1]) for r in rows] == [(1, fake.default_user_id), (2, OWNER_USER_ID)]
    assert_no_pings(fake)


async def test_a_post_that_fails_is_told_and_can_be_tried_again(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    fake.add_text_channel(SHOWCASE, "showcase")
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        grid_id = await imagined(fake, "a copper kettle")
        await set_showcase(fake)
        channel = fake.channels.pop(SHOWCASE)  # deleted in Discord meanwhile
        refused = await press_star(fake, grid_id)
        assert "cannot post in" in refused and f"<#{SHOWCASE}>" in refused
        fake.channels[SHOWCASE] = channel
        assert "Posted to the showcase" in await press_star(fake, grid_id)  # the failed claim was given back
        assert len(showcase_posts(fake)) == 1
