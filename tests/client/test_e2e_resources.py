"""What a member's command costs the bot before it is admitted: nothing is downloaded for a member who may
not run a job, and image work never stalls the answers to everyone else."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord
from tests.helpers import job_message_id, png, running_bot, wait_final

pytestmark = pytest.mark.e2e


async def test_no_attachment_is_downloaded_for_a_member_who_cannot_run(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", QUOTA_DAILY_CREDITS="1"):
        first = await fake.invoke_slash("imagine", {"prompt": "the one credit"})
        await wait_final(fake, await job_message_id(fake, first))
        await fake.invoke_slash("imagine", {"prompt": "no credit left"}, attachments={"image": png()})
        await fake.wait_for(lambda: any("used your 1 credits" in m.content for m in fake.messages.values()))
        assert not [r.path for r in fake.requests if "/attachments/" in r.path]  # refused from memory, unread
        assert len(simulator.tasks) == 1
