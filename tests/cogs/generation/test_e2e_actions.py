"""End to end through the fake Discord: every button after an upscale, the dialogs, /blend and /describe."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from bot.simulator.server import Simulator
from tests.fakes.discord_server import OWNER_USER_ID, FakeDiscord, FakeFile
from tests.helpers import (
    bot_messages,
    button,
    grid_then_upscale,
    job_message_id,
    labels,
    png,
    running_bot,
    wait_final,
)

SIMULATOR_DURATION = 0.8


async def test_every_post_upscale_button(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        _, upscale_id = await grid_then_upscale(fake)
        one_click = ["Upscale (Subtle)", "Upscale (Creative)", "Vary (Subtle)", "Vary (Strong)", "Zoom Out 2x",
                     "Zoom Out 1.5x", "⬅️", "➡️", "⬆️", "⬇️"]  # fmt: skip
        for name in one_click:
            press = await fake.click(upscale_id, button(fake, upscale_id, name))
            assert press.response_type == 6
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2 + len(one_click))
        results = [await wait_final(fake, m.id) for m in bot_messages(fake)[2:]]
        titles = ["Upscale (Subtle)", "Upscale (Creative)", "Variations (Subtle)", "Variations (Strong)",
                  "Zoom Out 2x", "Zoom Out 1.5x", "Pan Left", "Pan Right", "Pan Up", "Pan Down"]  # fmt: skip
        for result, title in zip(results, titles, strict=True):
            assert title in result.content and result.attachments, result.content
            assert int(result.message_reference["message_id"]) == upscale_id  # type: ignore[index]
        # HD upscales give a bigger single image and no further HD buttons; the others give grids.
        hd = results[0]
        with Image.open(io.BytesIO(hd.attachments[0].data)) as img:
            assert img.size == (1024, 1024)
        assert "Upscale (Subtle)" not in labels(fake, hd.id) and "Vary (Strong)" in labels(fake, hd.id)
        assert labels(fake, results[2].id)[:5] == ["U1", "U2", "U3", "U4", "🔄"]

        # ❤️ makes no image: the presser alone hears it was saved.
        heart = await fake.click(upscale_id, button(fake, upscale_id, "❤️"))
        await fake.wait_for(lambda: bool(heart.followup_ids))
        assert "Saved" in fake.messages[heart.followup_ids[0]].content
        assert fake.messages[heart.followup_ids[0]].ephemeral
        assert sum(t.bookmarked for t in simulator.tasks.values()) == 1
    assert not fake.errors


async def test_custom_zoom_asks_for_prompt_and_zoom(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        _, upscale_id = await grid_then_upscale(fake, "a castle")
        press = await fake.click(upscale_id, button(fake, upscale_id, "Custom Zoom"))
        assert press.response_type == 9 and press.modal is not None
        inputs = [c["components"][0] for c in press.modal["components"]]
        assert [i["value"] for i in inputs] == ["a castle", "2"]
        before = len(simulator.tasks)

        wrong = await fake.submit_modal(press, {inputs[0]["custom_id"]: "a castle", inputs[1]["custom_id"]: "3"})
        assert "1.0 to 2.0" in fake.messages[wrong.response_message_id].content  # type: ignore[index]
        assert len(simulator.tasks) == before  # nothing submitted

        press = await fake.click(upscale_id, button(fake, upscale_id, "Custom Zoom"))
        ids = [row["components"][0]["custom_id"] for row in press.modal["components"]]  # type: ignore[index]
        fields = dict(zip(ids, ["a castle at dusk", "1.5"], strict=True))
        await fake.submit_modal(press, fields)
        await fake.wait_for(lambda: len(bot_messages(fake)) == 3)
        zoomed = await wait_final(fake, bot_messages(fake)[2].id)
        assert "Custom Zoom" in zoomed.content and zoomed.attachments
        assert list(simulator.tasks.values())[-1].prompt == "a castle at dusk --zoom 1.5"


async def test_remix_asks_for_the_prompt_when_the_api_wants_it(fake: FakeDiscord, tmp_path: Path) -> None:
    sim = Simulator(duration=SIMULATOR_DURATION, remix=True)
    await sim.start()
    try:
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3"):
            grid_id = (await fake.invoke_slash("imagine", {"prompt": "a robot"})).response_message_id
            await wait_final(fake, grid_id)  # type: ignore[arg-type]
            await fake.click(grid_id, button(fake, grid_id, "V2"))  # type: ignore[arg-type]
            await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
            waiting_id = bot_messages(fake)[1].id
            await fake.wait_for(lambda: "Waiting for your Remix prompt" in fake.messages[waiting_id].content)
            # The Remix prompt button is on the public message (it survives a reload), for the owner only.
            await fake.wait_for(lambda: labels(fake, waiting_id) == ["Remix prompt", "Cancel"])
            remix_id = fake.message_buttons(waiting_id)[0]["custom_id"]
            other = await fake.click(waiting_id, remix_id, user_id=OWNER_USER_ID)
            assert "Only the member who started this job" in fake.messages[other.response_message_id].content  # type: ignore[index]

            remix = await fake.click(waiting_id, remix_id)
            assert remix.response_type == 9
            field = remix.modal["components"][0]["components"][0]  # type: ignore[index]
            assert field["value"] == "a robot"
            await fake.submit_modal(remix, {field["custom_id"]: "a robot made of moss"})
            await fake.wait_for(lambda: bool(fake.messages[waiting_id].attachments), 15)
            result = fake.messages[waiting_id]
            assert "a robot made of moss" in result.content and result.attachments
            assert list(sim.tasks.values())[-1].prompt == "a robot made of moss"
    finally:
        await sim.stop()


async def test_vary_region_sends_a_mask_of_the_chosen_cells(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        _, upscale_id = await grid_then_upscale(fake, "a garden")
        press = await fake.click(upscale_id, button(fake, upscale_id, "Vary (Region)"))
        picker_id = press.response_message_id
        assert picker_id is not None and fake.messages[picker_id].ephemeral
        select_id = next(c["components"][0]["custom_id"] for c in fake.messages[picker_id].components)
        await fake.select(picker_id, select_id, ["0", "4", "8"])
        assert "🟩⬛⬛\n⬛🟩⬛\n⬛⬛🟩" in fake.messages[picker_id].content

        edit = await fake.click(picker_id, button(fake, picker_id, "Edit prompt…"))
        field = edit.modal["components"][0]["components"][0]  # type: ignore[index]
        await fake.submit_modal(edit, {field["custom_id"]: "a garden with a red gate"})
        await fake.wait_for(lambda: len(bot_messages(fake)) == 3)
        result = await wait_final(fake, bot_messages(fake)[2].id)
        assert "Variations (Region)" in result.content and result.attachments

        task = list(simulator.tasks.values())[-1]
        assert task.prompt == "a garden with a red gate"
        with Image.open(io.BytesIO(task.mask)) as mask:  # type: ignore[arg-type]
            assert mask.size == (512, 512)  # the upscaled image's own size
            gray = mask.convert("L")
        # White exactly on the chosen thirds, black everywhere else, pixel for pixel.
        bounds = [i * 512 // 3 for i in range(4)]
        for row in range(3):
            for col in range(3):
                box = (bounds[col], bounds[row], bounds[col + 1], bounds[row + 1])
                expected = 255 if (row, col) in {(0, 0), (1, 1), (2, 2)} else 0
                assert gray.crop(box).getextrema() == (expected, expected), (row, col)


@pytest.mark.parametrize("count", [2, 5])
async def test_blend_two_and_five_images(fake: FakeDiscord, simulator: Simulator, tmp_path: Path, count: int) -> None:
    colors = ["red", "green", "blue", "yellow", "purple"][:count]
    files = {f"image{i + 1}": png(c) for i, c in enumerate(colors)}
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        interaction = await fake.invoke_slash("blend", {"dimensions": "PORTRAIT"}, attachments=files)
        result = await wait_final(fake, await job_message_id(fake, interaction))
        assert f"Blend of {count} images (portrait)" in result.content and result.attachments
        assert labels(fake, result.id)[:5] == ["U1", "U2", "U3", "U4", "🔄"]
        task = next(iter(simulator.tasks.values()))
        assert task.action == "BLEND" and task.reference_images == count


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (FakeFile("notes.txt", b"just text", "text/plain"), "is not an image"),
        (FakeFile("huge.png", b"\0" * (9 * 1024 * 1024), "image/png"), "MB limit"),
        (FakeFile("liar.png", b"GIF? no, text", "image/png"), "not an image the bot can read"),
    ],
)
async def test_blend_refuses_bad_files_before_paying(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path, bad: FakeFile, expected: str
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        await fake.invoke_slash("blend", {}, attachments={"image1": png(), "image2": bad})
        await fake.wait_for(lambda: any(expected in m.content for m in fake.messages.values()))
        assert not simulator.tasks


async def test_describe_then_imagine_a_suggestion(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        interaction = await fake.invoke_slash("describe", {}, attachments={"image": png("orange")})
        described = await wait_final(fake, await job_message_id(fake, interaction))
        assert all(key in described.content for key in ("1️⃣", "2️⃣", "3️⃣", "4️⃣"))
        assert labels(fake, described.id) == ["1️⃣", "2️⃣", "3️⃣", "4️⃣"]
        await fake.click(described.id, button(fake, described.id, "2️⃣"))
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        grid = await wait_final(fake, bot_messages(fake)[1].id)
        imagined = list(simulator.tasks.values())[-1]
        assert imagined.action == "IMAGINE" and imagined.prompt in described.content
        assert labels(fake, grid.id)[:4] == ["U1", "U2", "U3", "U4"]


async def test_an_images_file_name_is_not_judged_as_the_members_prompt(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    """/describe's prompt is the file's name, made by the member's device, not written as a prompt: a server's
    banned word in it is no strike and no refusal."""
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        assert bot.jobs.accounts is not None
        await bot.jobs.accounts.change_config(fake.guild_id, lambda config: config.banned_words.append("gore"))
        image = png("orange")
        image.filename = "gore-test.png"
        interaction = await fake.invoke_slash("describe", {}, attachments={"image": image})
        described = await wait_final(fake, await job_message_id(fake, interaction))
        assert "1️⃣" in described.content
        strikes = await bot.jobs.ledger.fetch_all("SELECT COUNT(*) FROM strikes")
        assert strikes[0][0] == 0
