"""/edit end to end: the whole image or parts picked on the 3×3 grid, on AceData (`/midjourney/edits`) and the
proxy (`/mj/submit/edits`); refused at once where the API cannot edit; charged, and refunded when it fails."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import httpx
import pytest
from PIL import Image

from bot.simulator.server import Simulator
from tests.fakes.discord_server import OWNER_USER_ID, FakeDiscord
from tests.helpers import bot_messages, button, job_message_id, labels, png, running_bot, wait_final

KEY = "edit-key-47"
SIZE = (90, 60)  # the member's image: the mask must have its size


@pytest.fixture
def sim(simulator: Simulator) -> Simulator:
    return simulator  # conftest's, on loopback, taking any key


def env(dialect: str, **more: str) -> dict[str, str]:
    return {"MJ_PROVIDER": dialect, "MJ_API_KEY": KEY, **more}


async def credits(bot: object) -> list[tuple[str, int]]:
    rows = await bot.jobs.ledger.fetch_all("SELECT kind, amount FROM credit_entries ORDER BY id")  # type: ignore[attr-defined]
    return [(r[0], r[1]) for r in rows]


async def pick_parts(fake: FakeDiscord, prompt: str, cells: list[str]) -> int:
    """/edit with `area: parts`, the cells chosen on the private picker, then go; the job's message id."""
    invocation = await fake.invoke_slash(
        "edit", {"prompt": prompt, "area": "parts"}, attachments={"image": png("teal", SIZE)}
    )
    picker_id = invocation.response_message_id
    assert picker_id is not None
    await fake.wait_for(lambda: bool(fake.messages[picker_id].components))
    assert fake.messages[picker_id].ephemeral and "/edit" in fake.messages[picker_id].content
    select_id = fake.messages[picker_id].components[0]["components"][0]["custom_id"]
    await fake.select(picker_id, select_id, cells)
    await fake.click(picker_id, button(fake, picker_id, "Edit these parts"))
    await fake.wait_for(lambda: "/channels/" in fake.messages[picker_id].content)  # "started: <link>"
    return int(fake.messages[picker_id].content.rsplit("/", 1)[1])


def mask_cells(mask: bytes) -> set[int]:
    """The 3×3 cells a mask paints white (and it is the member's image's size)."""
    with Image.open(io.BytesIO(mask)) as img:
        assert img.size == SIZE
        gray = img.convert("L")
    width, height = SIZE
    white = set()
    for cell in range(9):
        row, col = divmod(cell, 3)
        box = (col * width // 3, row * height // 3, (col + 1) * width // 3, (row + 1) * height // 3)
        extrema = gray.crop(box).getextrema()
        assert extrema in ((0, 0), (255, 255)), (cell, extrema)
        if extrema == (255, 255):
            white.add(cell)
    return white


async def test_acedata_edit_of_the_whole_image(fake: FakeDiscord, sim: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env("acedata")) as bot:
        invocation = await fake.invoke_slash("edit", {"prompt": "make the sky purple"}, attachments={"image": png()})
        result = await wait_final(fake, await job_message_id(fake, invocation))
        assert "make the sky purple" in result.content and "Edit by" in result.content and result.attachments
        assert labels(fake, result.id)[:5] == ["U1", "U2", "U3", "U4", "🔄"]
        task = list(sim.tasks.values())[-1]
        assert task.action == "edits" and task.mask is None
        sent = sim.acedata.requests[task.id]
        assert sent["image_url"].startswith(fake.api_base.split("/api")[0]) and sent["async"] is True
        job = await bot.jobs.ledger.get(1)
        assert job is not None and job.action.value == "edit" and job.cost == 1
        assert await credits(bot) == [("charge", 1)]

        # Its grid's buttons work like any other: U1 of the edit.
        await fake.click(result.id, button(fake, result.id, "U1"))
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        assert (await wait_final(fake, bot_messages(fake)[1].id)).attachments
    assert not fake.errors


async def test_acedata_edit_of_parts_picked_on_the_grid(fake: FakeDiscord, sim: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env("acedata")):
        message_id = await pick_parts(fake, "a red door", ["2", "4"])
        result = await wait_final(fake, message_id)
        assert "a red door" in result.content and result.attachments
        task = list(sim.tasks.values())[-1]
        assert task.action == "edits" and task.mask is not None
        assert mask_cells(task.mask) == {2, 4}
    assert not fake.errors


async def test_proxy_edit_sends_image_and_mask(fake: FakeDiscord, sim: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env("proxy")) as bot:
        invocation = await fake.invoke_slash("edit", {"prompt": "a lighthouse"}, attachments={"image": png()})
        whole = await wait_final(fake, await job_message_id(fake, invocation))
        assert whole.attachments and list(sim.tasks.values())[-1].action == "EDIT"
        assert sim.requests["edits"] == 1

        parts = await wait_final(fake, await pick_parts(fake, "a lighthouse at night", ["0", "8"]))
        assert parts.attachments
        task = list(sim.tasks.values())[-1]
        assert task.prompt == "a lighthouse at night" and task.mask is not None
        assert mask_cells(task.mask) == {0, 8}
        assert await credits(bot) == [("charge", 1), ("charge", 1)]


async def test_edit_is_refused_at_once_where_the_api_cannot(fake: FakeDiscord, tmp_path: Path) -> None:
    """The open-source proxy has no edits endpoint: MJ_EDITS=false, and the bot says so before anything."""
    sim = Simulator(duration=0.6, api_key=KEY, edits=False)
    await sim.start()
    try:
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env("proxy", MJ_EDITS="false")) as bot:
            for area in ("whole", "parts"):
                options = {"prompt": "make it snow", "area": area}
                invocation = await fake.invoke_slash("edit", options, attachments={"image": png()})
                answer = fake.messages[invocation.response_message_id or 0]
                assert invocation.response_type == 4 and answer.ephemeral  # at once, privately
                assert "cannot edit images" in answer.content and "make it snow" in answer.content
            assert not sim.tasks and sim.requests["edits"] == 0
            assert await credits(bot) == [] and not bot_messages(fake)
    finally:
        await sim.stop()


@pytest.mark.parametrize("dialect", ["acedata", "proxy"])
async def test_a_failed_edit_is_refunded(fake: FakeDiscord, sim: Simulator, tmp_path: Path, dialect: str) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env(dialect)) as bot:
        options = {"setting": "cost_edit", "value": "3"}
        await fake.invoke_slash("mjadmin", options, subcommand="set", user_id=OWNER_USER_ID)
        invocation = await fake.invoke_slash("edit", {"prompt": "sim:fail a castle"}, attachments={"image": png()})
        failed = await wait_final(fake, await job_message_id(fake, invocation))
        assert "❌" in failed.content and not failed.attachments
        assert await credits(bot) == [("charge", 3), ("refund", 3)]
        job = await bot.jobs.ledger.get(1)
        assert job is not None and job.refunded
        history = fake.messages[(await fake.invoke_slash("history")).response_message_id or 0].content
        shown = fake.messages[(await fake.invoke_slash("job", {"id": 1})).response_message_id or 0].content
        assert "edit" in history and "3 refunded" in history and "edit" in shown and "sim:fail a castle" in shown


async def test_edit_masks_of_another_size_are_refused_by_the_simulator(sim: Simulator) -> None:
    """The simulator checks masks as the services do: the image's own size, in both dialects."""

    def encoded(size: tuple[int, int]) -> str:
        return base64.b64encode(png("white", size).data).decode("ascii")

    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=sim.base_url, headers=headers) as http:
        body = {"prompt": "x", "image": f"data:image/png;base64,{encoded(SIZE)}"}
        wrong = await http.post(
            "/mj/submit/edits", json={**body, "maskBase64": f"data:image/png;base64,{encoded((9, 9))}"}
        )
        right = await http.post(
            "/mj/submit/edits", json={**body, "maskBase64": f"data:image/png;base64,{encoded(SIZE)}"}
        )
        assert wrong.json()["code"] == 4 and right.json()["code"] == 1

        # AceData fetches the image from its link: here the simulator's own drawing of that task.
        task = sim.tasks[right.json()["result"]]
        image = {"prompt": "x", "image_url": f"{sim.base_url}/mj/image/{task.id}/final.png", "async": True}
        own = await sim.image_size(task)
        wrong = await http.post("/midjourney/edits", json={**image, "mask": encoded(SIZE)})
        right = await http.post("/midjourney/edits", json={**image, "mask": encoded(own)})
        assert wrong.status_code == 400 and "same size" in wrong.text
        assert right.status_code == 200 and right.json()["task_id"] in sim.tasks


async def test_the_server_rules_come_before_the_picker(fake: FakeDiscord, sim: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env("acedata")) as bot:
        options = {"word": "castle", "banned": True}
        await fake.invoke_slash("mjadmin", options, subcommand="banword", user_id=OWNER_USER_ID)
        invocation = await fake.invoke_slash(
            "edit", {"prompt": "a castle", "area": "parts"}, attachments={"image": png()}
        )
        answer_id = invocation.response_message_id or 0
        await fake.wait_for(lambda: "castle" in fake.messages[answer_id].content)
        answer = fake.messages[answer_id]
        assert answer.ephemeral and not answer.components and "Nothing was submitted" in answer.content
        assert not sim.tasks and await credits(bot) == []
