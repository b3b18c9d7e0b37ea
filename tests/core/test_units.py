"""Small pure pieces: button faces and rows, log redaction, image checks."""

from __future__ import annotations

import io
import logging

import pytest
from PIL import Image

from bot.core import requests
from bot.core.buttons import describe_button, layout
from bot.core.errors import InvalidInput
from bot.core.images import check_reference_image, fit_for_upload
from bot.core.models import EditRequest, ImagineRequest, JobAction, ReferenceImage, UpstreamButton
from bot.core.text import Text
from bot.log import RedactingFormatter
from bot.simulator.server import Simulator

H = "3785da15-4f70-4034-9128-f3ff1ac634fa"


def grid_buttons() -> list[UpstreamButton]:
    return (
        [UpstreamButton(f"MJ::JOB::upsample::{i}::{H}", f"U{i}") for i in range(1, 5)]
        + [UpstreamButton(f"MJ::JOB::reroll::0::{H}::SOLO", "", "🔄")]
        + [UpstreamButton(f"MJ::JOB::variation::{i}::{H}", f"V{i}") for i in range(1, 5)]
    )


def test_grid_rows_follow_midjourney() -> None:
    placed = layout(grid_buttons())
    rows = [[(f.label or f.emoji) for _, f in placed if f.row == r] for r in (0, 1)]
    assert rows == [["U1", "U2", "U3", "U4", "🔄"], ["V1", "V2", "V3", "V4"]]


def test_faces_come_from_custom_ids_not_api_labels() -> None:
    # trueai sends custom emoji names such as "upscale_1" and empty labels.
    face = describe_button(UpstreamButton(f"MJ::JOB::upsample::2::{H}", "", "upscale_1"))
    assert face is not None and (face.label, face.action, face.title) == (
        "U2",
        JobAction.UPSCALE,
        Text("title-image", n=2),
    )
    assert (
        describe_button(UpstreamButton(f"MJ::JOB::upsample_v6r1_2x_creative::1::{H}::SOLO")).label
        == "Upscale (Creative)"
    )  # type: ignore[union-attr]
    assert describe_button(UpstreamButton(f"MJ::JOB::upsample_v5_4x::1::{H}::SOLO")).label == "Upscale (4x)"  # type: ignore[union-attr]
    assert describe_button(UpstreamButton(f"MJ::Outpaint::75::1::{H}::SOLO")).label == "Zoom Out 1.5x"  # type: ignore[union-attr]
    assert describe_button(UpstreamButton(f"MJ::JOB::pan_up::1::{H}::SOLO")).emoji == "⬆️"  # type: ignore[union-attr]
    assert describe_button(UpstreamButton("")) is None


def test_post_upscale_layout_fits_discord() -> None:
    sim = Simulator()
    from bot.simulator.server import SimTask

    task = SimTask(id="1", action="UPSCALE", prompt="p", submitted=0, image_hash=H, kind="single")
    buttons = [UpstreamButton.from_json(b) for b in sim.buttons(task)]
    placed = layout(buttons)
    rows: dict[int, list[str]] = {}
    for _, face in placed:
        rows.setdefault(face.row, []).append(face.label or face.emoji or "")
    assert rows[0] == ["Upscale (Subtle)", "Upscale (Creative)", "Vary (Subtle)", "Vary (Strong)", "Vary (Region)"]
    assert rows[1] == ["Zoom Out 2x", "Zoom Out 1.5x", "Custom Zoom"]
    assert rows[2] == ["⬅️", "➡️", "⬆️", "⬇️"]
    assert rows[3] == ["Animate (High motion)", "Animate (Low motion)", "❤️"]  # the API's, on accounts with video
    assert all(len(r) <= 5 for r in rows.values()) and max(rows) < 5


def test_overfull_rows_spill_over_and_stop_at_five_rows() -> None:
    many = [UpstreamButton(f"MJ::JOB::upsample::{i % 4 + 1}::{H}{i}", "U") for i in range(30)]
    placed = layout(many)
    assert len(placed) == 25
    assert all(sum(1 for _, f in placed if f.row == r) == 5 for r in range(5))


def test_log_lines_never_carry_secrets() -> None:
    formatter = RedactingFormatter("%(message)s", ["tok-SECRET-1", "sk-key-2"])
    try:
        raise RuntimeError("bad header Bearer sk-key-2")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "token %s", ("tok-SECRET-1",), None)
        import sys

        record.exc_info = sys.exc_info()
    text = formatter.format(record)
    assert "tok-SECRET-1" not in text and "sk-key-2" not in text and text.count("[redacted]") >= 2


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "PNG")
    return out.getvalue()


def test_reference_images_are_judged_by_their_bytes() -> None:
    assert check_reference_image(png(), "a.png", 1000).content_type == "image/png"
    with pytest.raises(InvalidInput, match="not an image"):
        check_reference_image(b"hello, I am text", "photo.png", 1000)
    with pytest.raises(InvalidInput, match="limit"):
        check_reference_image(png(), "a.png", 10)


def test_decompression_bombs_are_refused() -> None:
    bomb = png((1, 1))
    # Pillow's guard counts pixels from the header: forge a huge one on a tiny file.
    big = Image.new("1", (12000, 12000))
    out = io.BytesIO()
    big.save(out, "PNG")
    with pytest.raises(InvalidInput, match="too many pixels"):
        check_reference_image(out.getvalue(), "bomb.png", 10**8)
    assert check_reference_image(bomb, "ok.png", 10**8)


def test_oversized_results_are_reencoded_to_fit() -> None:
    noisy = Image.effect_noise((900, 900), 100).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    data = out.getvalue()
    fitted = fit_for_upload(data, len(data) // 2)
    assert fitted is not None and len(fitted) <= len(data) // 2 and fitted[:2] == b"\xff\xd8"
    assert fit_for_upload(data, len(data)) is data


async def test_simulator_memory_stays_flat() -> None:
    from bot.simulator.tasks import IMAGE_CACHE

    sim = Simulator()
    tasks = [sim.new_task(action="IMAGINE", prompt=f"p{i}", kind="grid") for i in range(IMAGE_CACHE + 5)]
    first = await sim.final_image(tasks[0])
    for task in tasks[1:]:
        await sim.final_image(task)
    assert sum(1 for t in tasks if t.images) == IMAGE_CACHE
    assert await sim.final_image(tasks[0]) == first  # drawn again, identical


@pytest.mark.parametrize("mask", [None, b"\x89PNG mask"])
def test_an_edit_waiting_in_the_queue_keeps_its_image_and_mask(mask: bytes | None) -> None:
    edit = EditRequest(ReferenceImage(b"\x89PNG", "image/png", url="https://cdn/x.png"), "a door", mask, "relax")
    assert requests.decode(requests.encode(edit)) == edit
    imagine = ImagineRequest("一只猫", translate=True)
    assert requests.decode(requests.encode(imagine)) == imagine
    # A request stored before `translate` existed reads as untranslated.
    old = '{"kind": "imagine", "prompt": "x", "images": [], "bot_type": "MID_JOURNEY", "mode": null}'
    assert requests.decode(old) == ImagineRequest("x")
