"""What a member's command costs the bot before it is admitted: nothing is downloaded for a member who may
not run a job, and image work never stalls the answers to everyone else."""

from __future__ import annotations

import asyncio
import contextlib
import io
import time
from pathlib import Path

import pytest
from PIL import Image

from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord
from tests.helpers import button, job_message_id, png, running_bot, wait_final

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


class LoopGaps:
    """The longest the event loop went without running a 5 ms ticker: how long no member could be answered."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last)
            last = now

    async def __aenter__(self) -> LoopGaps:
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0.02)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def test_a_large_images_region_mask_is_drawn_off_the_event_loop(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        big = png("teal", (6000, 6000))  # a small file (one colour), 36 megapixels to draw a mask for
        invocation = await fake.invoke_slash("edit", {"prompt": "a door", "area": "parts"}, attachments={"image": big})
        picker = invocation.response_message_id
        assert picker is not None
        await fake.wait_for(lambda: bool(fake.messages[picker].components))
        select_id = fake.messages[picker].components[0]["components"][0]["custom_id"]
        await fake.select(picker, select_id, ["0", "4", "8"])
        async with LoopGaps() as gaps:
            await fake.click(picker, button(fake, picker, "Edit these parts"))
            await fake.wait_for(lambda: "/channels/" in fake.messages[picker].content)
        await fake.wait_for(lambda: bool(simulator.tasks))
        task = next(iter(simulator.tasks.values()))
        assert task.mask is not None and Image.open(io.BytesIO(task.mask)).size == (6000, 6000)
        assert gaps.longest < 0.15, f"the event loop stood still for {gaps.longest * 1000:.0f} ms"
