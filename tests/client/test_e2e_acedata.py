"""End to end on the AceData dialect: streamed progress, a broken stream, a restart, masks, push."""

from __future__ import annotations

import io
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from bot.core.models import JobStatus
from bot.core.push import push_secret
from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord
from tests.helpers import TOKEN, bot_messages, labels, running_bot, wait_final

KEY = "ace-secret-key-555"
GRID = ["U1", "U2", "U3", "U4", "🔄", "V1", "V2", "V3", "V4", "Send to me", "Showcase"]


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator(duration=1.5, api_key=KEY)
    await simulator.start()
    yield simulator
    await simulator.stop()


def acedata(**env: str) -> dict[str, str]:
    return {"MJ_PROVIDER": "acedata", "MJ_API_KEY": KEY, **env}


def percents(contents: list[str]) -> list[int]:
    return [int(c.rsplit("(", 1)[1].split("%")[0]) for c in contents if "%)" in c]


async def test_streamed_progress_grid_then_upscale(fake: FakeDiscord, sim: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **acedata()) as bot:
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a lantern festival"})).response_message_id
        grid = await wait_final(fake, grid_id)  # type: ignore[arg-type]
        shown = percents([v["content"] for v in grid.versions])
        assert len(shown) >= 2 and shown == sorted(shown), shown  # progress came in as edits
        assert labels(fake, grid.id) == GRID and grid.attachments
        assert sim.requests["midjourney/tasks"] == 0  # the stream alone carried the job
        job = await bot.jobs.ledger.get(1)
        assert job is not None and job.action_ref and job.action_ref != job.upstream_task_id  # the image_id

        await fake.click(grid.id, fake.message_buttons(grid.id)[1]["custom_id"])
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        upscale = await wait_final(fake, bot_messages(fake)[1].id)
        assert "Image #2" in upscale.content and upscale.attachments
        assert {"Upscale (Subtle)", "Vary (Strong)", "Vary (Region)", "Zoom Out 2x", "⬅️"} <= set(
            labels(fake, upscale.id)
        )
    assert not fake.errors


async def test_a_cut_stream_finishes_by_polling(fake: FakeDiscord, sim: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **acedata()):
        msg_id = (await fake.invoke_slash("imagine", {"prompt": "sim:cut a lighthouse"})).response_message_id
        message = await wait_final(fake, msg_id)  # type: ignore[arg-type]
        assert message.attachments and labels(fake, message.id) == GRID
        assert sim.requests["midjourney/tasks"] >= 1


async def test_restart_during_a_job_finishes_it(fake: FakeDiscord, sim: Simulator, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    async with running_bot(fake, sim.base_url, db, **acedata()) as bot:
        msg_id = (await fake.invoke_slash("imagine", {"prompt": "a glacier"})).response_message_id
        await fake.wait_for(lambda: "%)" in fake.messages[msg_id].content)  # type: ignore[index]
        assert (await bot.jobs.ledger.get(1)).status is JobStatus.RUNNING  # type: ignore[union-attr]
    async with running_bot(fake, sim.base_url, db, **acedata()):
        message = await wait_final(fake, msg_id)  # type: ignore[arg-type]
        assert message.attachments and labels(fake, message.id) == GRID


async def test_vary_region_is_one_call_with_the_mask(fake: FakeDiscord, sim: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **acedata()):
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a harbour"})).response_message_id
        await wait_final(fake, grid_id)  # type: ignore[arg-type]
        await fake.click(grid_id, fake.message_buttons(grid_id)[0]["custom_id"])  # type: ignore[arg-type]
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        upscale = await wait_final(fake, bot_messages(fake)[1].id)
        region = next(b for b in fake.message_buttons(upscale.id) if b.get("label") == "Vary (Region)")
        picker = await fake.click(upscale.id, region["custom_id"])
        picker_id = picker.response_message_id
        select_id = fake.messages[picker_id].components[0]["components"][0]["custom_id"]  # type: ignore[index]
        await fake.select(picker_id, select_id, ["2"])  # type: ignore[arg-type]
        go = next(b for b in fake.message_buttons(picker_id) if b.get("label") == "Repaint")  # type: ignore[arg-type]
        await fake.click(picker_id, go["custom_id"])  # type: ignore[arg-type]
        await fake.wait_for(lambda: len(bot_messages(fake)) == 3)
        repainted = await wait_final(fake, bot_messages(fake)[2].id)
        assert "Variations (Region)" in repainted.content and repainted.attachments
        task = list(sim.tasks.values())[-1]
        assert task.mask is not None
        with Image.open(io.BytesIO(task.mask)) as mask:
            gray = mask.convert("L")
            w, h = gray.size
            assert (w, h) == (512, 512)
            assert gray.getpixel((w - 5, 5)) == 255 and gray.getpixel((5, 5)) == 0  # top right only


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_push_finishes_jobs_and_forged_callbacks_are_refused(
    fake: FakeDiscord, sim: Simulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}"
    env = acedata(WEBHOOK_PUBLIC_URL=hook, WEBHOOK_HOST="127.0.0.1", WEBHOOK_PORT=str(port), MJ_POLL_INTERVAL="60")
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env):
        # The stream breaks and the next poll is a minute away: only the callbacks can finish this job.
        msg_id = (await fake.invoke_slash("imagine", {"prompt": "sim:cut a comet"})).response_message_id
        message = await wait_final(fake, msg_id, timeout=10)  # type: ignore[arg-type]
        assert message.attachments and labels(fake, message.id) == GRID
        assert sim.requests["midjourney/tasks"] == 0

        secret = push_secret(TOKEN)
        body = {"success": True, "task_id": "forged", "image_id": "1", "image_url": "http://evil/x.png",
                "progress": 100, "actions": ["upscale1"]}  # fmt: skip
        async with httpx.AsyncClient() as http:
            wrong = await http.post(f"{hook}/acedata/not-the-secret", json=body)
            unknown = await http.post(f"{hook}/acedata/{secret}", json=body)
            garbage = await http.post(f"{hook}/acedata/{secret}", content=b"not json")
        assert (wrong.status_code, unknown.status_code, garbage.status_code) == (403, 404, 400)
    assert "wrong secret" in caplog.text and "not a job in flight" in caplog.text
    assert secret not in caplog.text
