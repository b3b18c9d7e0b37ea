"""Video without Discord: button faces and rows, both dialects' video answers, MP4 bytes, what fits an
upload, the setting and the cost, the ledger column."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from PIL import Image

from bot.core.buttons import bot_video_buttons, describe_button, layout
from bot.core.images import ImageFetcher
from bot.core.ledger import Ledger
from bot.core.models import Job, JobAction, JobStatus, UpstreamButton
from bot.core.providers.acedata import parse_response, parse_task_item
from bot.core.providers.proxy import parse_task
from bot.core.quota import GuildConfig
from bot.core.text import Text
from bot.core.videos import fitting, is_mp4
from bot.simulator.server import SimTask, Simulator
from bot.simulator.videos import stand_in_mp4
from cogs.admin.commands import AdminError, apply_setting
from cogs.generation.video_files import video_files
from tests.helpers import TESTER

H = "3b7a4c1e-0d2f-4a55-9e61-1c2d3e4f5a6b"


# -- faces ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("custom_id", "action", "label", "title"),
    [
        (f"MJ::JOB::animate_high::1::{H}::SOLO", JobAction.VIDEO, "Animate (High motion)",
         Text("title-animate", motion="high")),
        (f"MJ::JOB::animate_low::1::{H}::SOLO", JobAction.VIDEO, "Animate (Low motion)",
         Text("title-animate", motion="low")),
        (f"MJ::JOB::animate_high_extend::1::{H}", JobAction.VIDEO_EXTEND, "Extend (High motion)",
         Text("title-video-extend", motion="high")),
        (f"MJ::JOB::animate_low_extend::1::{H}", JobAction.VIDEO_EXTEND, "Extend (Low motion)",
         Text("title-video-extend", motion="low")),
        (f"MJ::JOB::video_virtual_upscale::3::{H}", JobAction.VIDEO_UPSCALE, "U3", Text("title-video", n=3)),
        ("video::animate::high", JobAction.VIDEO, "Animate (High motion)", Text("title-animate", motion="high")),
        ("video::extend::low", JobAction.VIDEO_EXTEND, "Extend (Low motion)", Text("title-video-extend", motion="low")),
    ],
)  # fmt: skip
def test_video_faces(custom_id: str, action: JobAction, label: str, title: Text) -> None:
    face = describe_button(UpstreamButton(custom_id))
    assert face is not None
    assert (face.action, face.label, face.title) == (action, label, title)
    assert face.emoji == ("🎞️" if action is not JobAction.VIDEO_UPSCALE else None)


def test_the_bots_own_video_buttons_are_not_taken_for_others() -> None:
    assert [b.custom_id for b in bot_video_buttons(extend=False)] == ["video::animate::high", "video::animate::low"]
    assert describe_button(UpstreamButton("video::animate::medium")) is None  # neither the bot's nor AceData's
    assert describe_button(UpstreamButton("video::animate::high::x")) is None


def _rows(placed: list) -> dict[int, list[str]]:
    rows: dict[int, list[str]] = {}
    for _, face in placed:
        rows.setdefault(face.row, []).append(face.label or face.emoji or "")
    return rows


def test_animate_sits_beside_the_heart_and_video_off_hides_it() -> None:
    single = SimTask(id="1", action="UPSCALE", prompt="p", submitted=0, image_hash=H, kind="single")
    buttons = [UpstreamButton.from_json(b) for b in Simulator().buttons(single)]
    assert _rows(layout(buttons))[3] == ["Animate (High motion)", "Animate (Low motion)", "❤️"]
    without = _rows(layout(buttons, video=False))
    assert without[3] == ["❤️"] and without[0][0] == "Upscale (Subtle)"


def test_a_video_result_has_video_u_and_extend_rows() -> None:
    video = SimTask(id="2", action="VIDEO", prompt="p", submitted=0, image_hash=H, kind="video", videos=4)
    buttons = [UpstreamButton.from_json(b) for b in Simulator().buttons(video)]
    assert _rows(layout(buttons)) == {0: ["U1", "U2", "U3", "U4"], 3: ["Extend (High motion)", "Extend (Low motion)"]}
    assert layout(buttons, video=False) == []


# -- what the dialects answer ------------------------------------------------------------------------------
def test_proxy_video_task_parses_urls_and_cover() -> None:
    raw = {
        "id": "1751816807896",
        "action": "VIDEO",
        "status": "SUCCESS",
        "progress": "100%",
        "imageUrl": "https://cdn.example/cover.png",
        "videoUrl": "https://cdn.example/0.mp4",
        "videoUrls": [
            {"url": f"https://cdn.example/{i}.mp4", "thumbnail": "https://cdn.example/t.webp"} for i in range(4)
        ],
        "buttons": [{"customId": f"MJ::JOB::video_virtual_upscale::{i}::{H}", "label": f"U{i}"} for i in range(1, 5)],
    }
    snap = parse_task(raw)
    assert snap is not None and snap.status is JobStatus.SUCCEEDED
    assert snap.video_urls == tuple(f"https://cdn.example/{i}.mp4" for i in range(4))
    assert snap.image_url == "https://cdn.example/cover.png" and len(snap.buttons) == 4
    # Only `videoUrl`: the one video; still running: none yet.
    only = parse_task({**raw, "videoUrls": None})
    assert only is not None and only.video_urls == ("https://cdn.example/0.mp4",)
    running = parse_task({**raw, "status": "IN_PROGRESS"})
    assert running is not None and running.video_urls == ()
    assert parse_task({**raw, "videoUrls": [{"url": "javascript:x"}], "videoUrl": ""}).video_urls == ()  # type: ignore[union-attr]


ACEDATA_VIDEO = {
    "success": True,
    "task_id": "6f0c7b4e-2f35-4f3e-9d7a-0b1c2d3e4f50",
    "video_id": "1751816807896311",
    "video_urls": [f"https://storage.fonedis.cc/v/{i}.mp4" for i in range(4)],
    "image_url": "https://storage.fonedis.cc/v/cover.png",
    "image_width": 560,
    "image_height": 688,
    "progress": 100,
}


def test_acedata_video_answer_parses_with_its_video_id_as_the_ref() -> None:
    snap = parse_response(ACEDATA_VIDEO)
    assert snap is not None and snap.status is JobStatus.SUCCEEDED
    assert snap.video_urls == tuple(ACEDATA_VIDEO["video_urls"])  # type: ignore[arg-type]
    assert snap.image_url == ACEDATA_VIDEO["image_url"] and snap.action_ref == "1751816807896311"
    assert snap.buttons == ()  # AceData has no video buttons: the bot adds its own Extend
    item = {"id": ACEDATA_VIDEO["task_id"], "type": "videos", "state": "finished", "response": ACEDATA_VIDEO}
    polled = parse_task_item(item)
    assert polled is not None and polled.video_urls == snap.video_urls
    pending = parse_response({"success": True, "task_id": "t", "progress": 40})
    assert pending is not None and pending.status is JobStatus.RUNNING and pending.video_urls == ()
    # An image result still goes by its image_id.
    image = parse_response({"success": True, "task_id": "t", "image_id": "42", "image_url": "https://x/i.png",
                            "progress": 100, "actions": ["upscale1"]})  # fmt: skip
    assert image is not None and image.action_ref == "42" and image.video_urls == ()


# -- bytes ------------------------------------------------------------------------------------------------
def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def test_mp4_is_told_by_its_ftyp_box() -> None:
    stand_in = stand_in_mp4("seed", 1)
    assert is_mp4(stand_in) and stand_in[4:12] == b"ftypisom" and b"mdat" in stand_in
    assert stand_in == stand_in_mp4("seed", 1) != stand_in_mp4("seed", 2)  # deterministic, one per video
    assert not is_mp4(_png())
    assert not is_mp4(b"<html><title>Gateway</title>Video expired</html>")
    assert not is_mp4(b"\x00\x00\x00\x18ftyp")  # cut short
    assert not is_mp4(b"\xff\xff\xff\xffftypisom\x00\x00\x02\x00")  # a first box longer than the file


def test_fitting_attaches_in_order_within_the_limit() -> None:
    assert fitting([100, 100, 100], 250) == [0, 1]
    assert fitting([300, 100, 100], 250) == [1, 2]  # one too big alone is linked, the rest still attached
    assert fitting([], 10) == []


async def test_video_files_attach_what_fits_and_link_the_rest() -> None:
    bodies = {f"https://v.example/{n}.mp4": stand_in_mp4("s", n) + b"\0" * 100 for n in range(1, 4)}
    bodies["https://v.example/4.mp4"] = b"<html>gone</html>"

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=bodies[str(request.url)])

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        job = Job(7, 1, 2, 3, JobAction.VIDEO, "p", JobStatus.SUCCEEDED, 0, 0, video_urls=list(bodies))
        size = len(bodies["https://v.example/1.mp4"])
        files, links = await video_files(ImageFetcher(client), job, limit=2 * size + 10)
    assert [f.filename for f in files] == ["mj_7_video_1.mp4", "mj_7_video_2.mp4"]
    assert links == ["https://v.example/3.mp4", "https://v.example/4.mp4"]  # over the limit; not an MP4


# -- settings, cost, ledger ------------------------------------------------------------------------------------
def test_video_setting_and_cost() -> None:
    config = GuildConfig()
    assert config.video and config.cost(JobAction.VIDEO) == config.cost(JobAction.VIDEO_EXTEND) == 8
    assert config.cost(JobAction.VIDEO_UPSCALE) == config.cost(JobAction.UPSCALE) == 1
    apply_setting(config, "video", "OFF")
    apply_setting(config, "cost_video", "5")
    again = GuildConfig.from_json(config.to_json())
    assert not again.video and again.cost(JobAction.VIDEO) == 5
    with pytest.raises(AdminError):
        apply_setting(config, "video", "sometimes")


async def test_the_ledger_keeps_video_urls(tmp_path: Path) -> None:
    ledger = await Ledger.open(tmp_path / "db.sqlite3")
    try:
        job = await ledger.create_job(TESTER, provider="proxy", action=JobAction.VIDEO, prompt="p")
        urls = ["https://v.example/1.mp4", "https://v.example/2.mp4"]
        stored = await ledger.update(job.id, video_urls=urls)
        assert stored.video_urls == urls and (await ledger.get(job.id)).video_urls == urls  # type: ignore[union-attr]
        assert job.video_urls == []  # a job made before any result: none
    finally:
        await ledger.close()
