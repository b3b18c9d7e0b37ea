"""Video end to end through the fake Discord: Animate on an upscale, the MP4s, video U1–U4 and Extend,
the charge and refund, and a server's `video off`; the proxy's own buttons and AceData's /midjourney/videos."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot.client.app import MJBot
from bot.simulator.server import Simulator
from tests.fakes.discord_server import OWNER_USER_ID, FakeDiscord
from tests.fakes.records import FakeMessage
from tests.helpers import bot_messages, button, grid_then_upscale, labels, running_bot, wait_final

ANIMATE = ["Animate (High motion)", "Animate (Low motion)"]
EXTEND = ["Extend (High motion)", "Extend (Low motion)"]


def env(dialect: str, **more: str) -> dict[str, str]:
    return {"MJ_PROVIDER": dialect, **more}


async def charged(bot: MJBot) -> list[tuple[int, str, int]]:
    rows = await bot.jobs.ledger.fetch_all("SELECT job_id, kind, amount FROM credit_entries ORDER BY id")
    return [(r[0], r[1], r[2]) for r in rows]


async def press(fake: FakeDiscord, message_id: int, name: str) -> FakeMessage:
    """Press a button and wait for the job it starts to end, in the new message that replies to this one."""
    before = len(bot_messages(fake))
    await fake.click(message_id, button(fake, message_id, name))
    await fake.wait_for(lambda: len(bot_messages(fake)) == before + 1)
    return await wait_final(fake, bot_messages(fake)[before].id)


def mp4s(message: FakeMessage) -> list[str]:
    """The names of the message's attachments, each checked to be an MP4 by its bytes."""
    assert all(a.data[4:8] == b"ftyp" for a in message.attachments), [a.filename for a in message.attachments]
    return [a.filename for a in message.attachments]


async def test_proxy_animate_then_video_upscale(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", **env("proxy")) as bot:
        _, upscale_id = await grid_then_upscale(fake, "a paper boat")
        assert set(ANIMATE) <= set(labels(fake, upscale_id))

        video = await press(fake, upscale_id, "Animate (High motion)")
        assert "Animate (High motion)" in video.content and "❌" not in video.content
        assert mp4s(video) == [f"mj_3_video_{n}.mp4" for n in range(1, 5)]
        assert labels(fake, video.id) == ["U1", "U2", "U3", "U4", *EXTEND]  # the API's, and no ✉️
        task = list(simulator.tasks.values())[-1]
        assert task.action == "VIDEO" and task.custom_id.startswith("MJ::JOB::animate_high::1::")
        job = await bot.jobs.ledger.get(3)
        assert job is not None and len(job.video_urls) == 4 and job.image_url and job.image_url.endswith(".png")

        single = await press(fake, video.id, "U2")
        assert "Video #2" in single.content and mp4s(single) == ["mj_4_video_1.mp4"]
        assert labels(fake, single.id) == EXTEND
        assert list(simulator.tasks.values())[-1].custom_id.startswith("MJ::JOB::video_virtual_upscale::2::")

        extended = await press(fake, single.id, "Extend (Low motion)")
        assert "Extend (Low motion)" in extended.content and len(mp4s(extended)) == 4
        # grid 1, U1 1, Animate 8 (the video cost), video U2 1 (an upscale), Extend 8.
        assert await charged(bot) == [(1, "charge", 1), (2, "charge", 1), (3, "charge", 8), (4, "charge", 1),
                                      (5, "charge", 8)]  # fmt: skip

        # /show posts the videos again, with their buttons.
        await fake.invoke_slash("show", {"job": 3})
        again = bot_messages(fake)[-1]
        assert again.id != video.id and mp4s(again) == mp4s(video) and labels(fake, again.id) == labels(fake, video.id)

        # Named in /job, /history and the export like every other kind of job.
        shown = await fake.invoke_slash("job", {"id": 3})
        assert "video" in fake.messages[shown.response_message_id].content  # type: ignore[index]
        history = await fake.invoke_slash("history", {})
        lines = fake.messages[history.response_message_id].content  # type: ignore[index]
        assert "**#3** video ·" in lines and "**#4** video_upscale ·" in lines and "**#5** video_extend ·" in lines
        export = await fake.invoke_slash("mjadmin", {}, subcommand="export", user_id=OWNER_USER_ID)
        rows = csv.DictReader(io.StringIO(fake.messages[export.response_message_id].attachments[0].data.decode()))  # type: ignore[index]
        assert {(r["job_id"], r["action"], r["amount"]) for r in rows} >= {
            ("3", "video", "8"),
            ("5", "video_extend", "8"),
        }
    assert not fake.errors


@pytest.mark.parametrize("dialect", ["proxy", "acedata"])
async def test_a_failed_video_is_refunded(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path, dialect: str
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", **env(dialect)) as bot:
        _, upscale_id = await grid_then_upscale(fake, "a kite sim:video-fail")
        failed = await press(fake, upscale_id, "Animate (Low motion)")
        assert "❌" in failed.content and not failed.attachments
        assert await charged(bot) == [(1, "charge", 1), (2, "charge", 1), (3, "charge", 8), (3, "refund", 8)]


async def test_video_off_hides_animate_and_refuses_old_presses(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", **env("proxy")) as bot:

        async def admin(setting: str, value: str) -> str:
            done = await fake.invoke_slash(
                "mjadmin", {"setting": setting, "value": value}, subcommand="set", user_id=OWNER_USER_ID
            )
            return fake.messages[done.response_message_id].content  # type: ignore[index]

        grid_id, upscale_id = await grid_then_upscale(fake, "a windmill")
        old_animate = button(fake, upscale_id, "Animate (High motion)")
        await admin("video", "off")
        tasks_before = len(simulator.tasks)
        refused = await fake.click(upscale_id, old_animate)
        await fake.wait_for(lambda: bool(refused.followup_ids))
        answer = fake.messages[refused.followup_ids[0]]
        assert answer.ephemeral and "Video is turned off on this server" in answer.content
        assert len(simulator.tasks) == tasks_before and len(bot_messages(fake)) == 2
        assert await charged(bot) == [(1, "charge", 1), (2, "charge", 1)]  # nothing for the refused press

        upscale2 = await press(fake, grid_id, "U2")
        assert "Zoom Out 2x" in labels(fake, upscale2.id)
        assert not set(ANIMATE) & set(labels(fake, upscale2.id))

        assert "`video` is `on`" in await admin("video", "maybe")
        await admin("cost_video", "3")
        await admin("video", "on")
        video = await press(fake, upscale_id, "Animate (High motion)")
        assert len(mp4s(video)) == 4
        assert (await charged(bot))[-1] == (4, "charge", 3)  # the server's own video cost


async def test_acedata_animate_and_extend_through_the_videos_endpoint(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    # relax is the server's mode: AceData makes no relaxed video, so the video goes at fast.
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", **env("acedata", MJ_MODE="relax")) as bot:
        _, upscale_id = await grid_then_upscale(fake, "a red balloon")
        assert labels(fake, upscale_id)[-4:] == [*ANIMATE, "Send to me", "Showcase"]  # the bot's own, beside ✉️ and ⭐
        upscale_task = list(simulator.tasks.values())[-1]

        video = await press(fake, upscale_id, "Animate (High motion)")
        assert "Animate (High motion)" in video.content and len(mp4s(video)) == 4
        assert labels(fake, video.id) == EXTEND  # AceData has no video U1–U4
        task = list(simulator.tasks.values())[-1]
        sent = simulator.acedata.requests[task.id]
        assert sent["action"] == "generate" and sent["mode"] == "fast" and sent["resolution"] == "480p"
        assert sent["prompt"] == "a red balloon --motion high"
        assert sent["image_url"].endswith(f"/mj/image/{upscale_task.id}/final.png")  # the upscaled image
        assert simulator.requests["midjourney/videos"] == 1

        extended = await press(fake, video.id, "Extend (Low motion)")
        assert "Extend (Low motion)" in extended.content and len(mp4s(extended)) == 4
        sent = simulator.acedata.requests[list(simulator.tasks.values())[-1].id]
        assert (sent["action"], sent["video_id"], sent["video_index"]) == ("extend", f"{task.id}888", 0)
        assert sent["prompt"] == "a red balloon --motion low"
        # The grid and the upscale went at relax, free by the cost table; the videos at fast, 8 each.
        assert [amount for _, _, amount in await charged(bot)] == [8, 8]
    assert not fake.errors


async def test_a_video_that_is_no_mp4_is_refunded(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", **env("proxy")) as bot:
        _, upscale_id = await grid_then_upscale(fake, "a lantern")
        simulator.video_fault = "html"  # the links answer with a web page, as expired gateway links do
        failed = await press(fake, upscale_id, "Animate (High motion)")
        assert "could not be downloaded as MP4" in failed.content and not failed.attachments
        assert (await charged(bot))[-2:] == [(3, "charge", 8), (3, "refund", 8)]
