"""End to end: the real bot against the fake Discord and the simulator, every request on loopback."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image

from bot.core.models import JobStatus
from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord, FakeFile
from tests.helpers import TOKEN, assert_no_pings, bot_messages, job_message_id, labels, running_bot, wait_final

GRID = ["U1", "U2", "U3", "U4", "🔄", "V1", "V2", "V3", "V4", "Send to me", "Showcase"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


SIMULATOR_DURATION = 1.5  # long enough for several progress edits


@pytest.fixture
def sim(simulator: Simulator) -> Simulator:
    return simulator


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        return img.size


async def test_imagine_progress_grid_then_u2_upscale(fake: FakeDiscord, sim: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3") as bot:
        assert [c["name"] for c in fake.commands] == [
            "imagine",
            "blend",
            "show",
            "shorten",
            "describe",
            "edit",
            "quota",
            "history",
            "job",
            "mjadmin",
            "prefer",
            "settings",
            "gallery",
        ]
        interaction = await fake.invoke_slash("imagine", {"prompt": "a lighthouse in a storm @everyone"})
        assert interaction.response_type == 4  # answered at once with the public message
        grid_id = interaction.response_message_id
        assert grid_id is not None
        grid = await wait_final(fake, grid_id)

        # Progress was shown: percentages rising, a preview attached while running.
        contents = [v["content"] for v in grid.versions]
        assert "(Waiting to start)" in contents[0] and "<@" in contents[0]
        percents = [int(c.rsplit("(", 1)[1].split("%")[0]) for c in contents if "%)" in c]
        assert percents and percents == sorted(percents)
        assert any("preview.png" in v.get("attachments", []) for v in grid.versions)
        # Never more often than PROGRESS_EDIT_INTERVAL (0.3 s), with a little clock slack.
        gaps = [b - a for a, b in zip(grid.edit_times, grid.edit_times[1:], strict=False)]
        assert all(gap >= 0.25 for gap in gaps), gaps
        assert not fake.ratelimited

        # The final state: the image attached, Midjourney's nine buttons in two rows.
        assert "a lighthouse in a storm" in grid.content and "%" not in grid.content
        assert [a.filename for a in grid.attachments] == ["mj_1_grid.png"]
        assert image_size(grid.attachments[0].data) == (512, 512)
        assert labels(fake, grid_id) == GRID
        assert [b["row"] for b in fake.message_buttons(grid_id)] == [0] * 5 + [1] * 4 + [2, 2]  # ✉️ ⭐

        # U2: acknowledged at once, a new message replying to the grid, an upscale with its buttons.
        press = await fake.click(grid_id, fake.message_buttons(grid_id)[1]["custom_id"])
        assert press.response_type == 6
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        upscale_msg = bot_messages(fake)[1]
        assert upscale_msg.message_reference and int(upscale_msg.message_reference["message_id"]) == grid_id
        upscale = await wait_final(fake, upscale_msg.id)
        assert "Image #2" in upscale.content
        assert image_size(upscale.attachments[0].data) == (512, 512)
        assert labels(fake, upscale.id)[:4] == [
            "Upscale (Subtle)",
            "Upscale (Creative)",
            "Vary (Subtle)",
            "Vary (Strong)",
        ]
        assert "Zoom Out 2x" in labels(fake, upscale.id) and "⬅️" in labels(fake, upscale.id)

        # The ledger has the chain.
        child = await bot.jobs.ledger.get(2)
        assert child is not None and child.parent_id == 1 and child.status is JobStatus.SUCCEEDED
        assert (await bot.jobs.ledger.get(1)).delivered  # type: ignore[union-attr]
        assert sim.tasks[child.upstream_task_id].custom_id.startswith("MJ::JOB::upsample::2::")  # type: ignore[index]
    assert_no_pings(fake)
    assert not fake.errors


async def test_v3_on_the_grid_makes_a_new_grid(fake: FakeDiscord, sim: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3"):
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "koi pond"})).response_message_id
        await wait_final(fake, grid_id)
        v3 = next(b for b in fake.message_buttons(grid_id) if b.get("label") == "V3")
        await fake.click(grid_id, v3["custom_id"])
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        variation = await wait_final(fake, bot_messages(fake)[1].id)
        assert "Variations of image #3" in variation.content
        assert labels(fake, variation.id) == GRID
        assert variation.attachments[0].filename.endswith("_grid.png")
    assert not fake.errors


async def test_buttons_and_jobs_survive_a_restart(fake: FakeDiscord, sim: Simulator, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    async with running_bot(fake, sim.base_url, db, MJ_POLL_INTERVAL="5") as bot:
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a fox in the snow"})).response_message_id
        await fake.wait_for(lambda: sim.tasks and True, 5)
        job = await bot.jobs.ledger.get(1)
        assert job is not None and job.status is JobStatus.QUEUED  # stopped mid-job
    assert not fake.messages[grid_id].components

    async with running_bot(fake, sim.base_url, db):
        grid = await wait_final(fake, grid_id)  # the new process finishes the old message
        assert labels(fake, grid_id) == GRID and grid.attachments
    async with running_bot(fake, sim.base_url, db):
        # A third process, with nothing in memory: the grid's U1 still works.
        await fake.click(grid_id, fake.message_buttons(grid_id)[0]["custom_id"])
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        upscale = await wait_final(fake, bot_messages(fake)[1].id)
        assert "Image #1" in upscale.content and upscale.attachments
    assert not fake.errors


@pytest.mark.parametrize(
    ("prompt", "env", "expected"),
    [
        ("a nude statue", {}, "refused by the image service's filter (banned word: nude)"),
        ("sim:fail a clock", {}, "Simulated failure"),
        ("sim:busy a clock", {}, "queue is full"),
        ("sim:stall a clock", {"JOB_TIMEOUT": "1"}, "longer than"),
    ],
)
async def test_api_failures_end_in_a_clear_message(
    fake: FakeDiscord, sim: Simulator, tmp_path: Path, prompt: str, env: dict[str, str], expected: str
) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env) as bot:
        msg_id = (await fake.invoke_slash("imagine", {"prompt": prompt})).response_message_id
        message = await wait_final(fake, msg_id)
        assert "❌" in message.content and expected in message.content
        assert not message.components and not message.attachments
        assert (await bot.jobs.ledger.get(1)).status is JobStatus.FAILED  # type: ignore[union-attr]


async def test_unreachable_api_is_a_clear_message(fake: FakeDiscord, tmp_path: Path) -> None:
    async with running_bot(fake, "http://127.0.0.1:9", tmp_path / "db.sqlite3"):
        msg_id = (await fake.invoke_slash("imagine", {"prompt": "a bridge"})).response_message_id
        message = await wait_final(fake, msg_id)
        assert "cannot be reached" in message.content


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "blue").save(out, "PNG")
    return out.getvalue()


async def test_reference_image_reaches_the_api(fake: FakeDiscord, sim: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3"):
        ref = FakeFile("ref.png", png_bytes(), "image/png")
        invocation = await fake.invoke_slash("imagine", {"prompt": "in this style"}, attachments={"image": ref})
        msg_id = await job_message_id(fake, invocation)
        assert not fake.messages[msg_id].ephemeral
        await wait_final(fake, msg_id)
        assert [t.reference_images for t in sim.tasks.values()] == [1]


@pytest.mark.parametrize(
    ("options", "attachments", "expected"),
    [
        ({"prompt": "x" * 1501}, {}, "limit is 1500"),
        ({"prompt": "y" * 4000}, {}, "limit is 1500"),
        ({"prompt": "a cat"}, {"image": FakeFile("notes.txt", b"hello", "text/plain")}, "is not an image"),
        (
            {"prompt": "a cat"},
            {"image": FakeFile("fake.png", b"not really a png", "image/png")},
            "not an image the bot can read",
        ),
        ({"prompt": "a cat"}, {"image": FakeFile("huge.png", b"\0" * (9 * 1024 * 1024), "image/png")}, "MB limit"),
    ],
)
async def test_bad_input_is_refused_without_submitting(
    fake: FakeDiscord, sim: Simulator, tmp_path: Path, options: dict, attachments: dict, expected: str
) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3"):
        interaction = await fake.invoke_slash("imagine", options, attachments=attachments)
        assert interaction.response_message_id is not None
        refusal = fake.messages[interaction.response_message_id]
        await fake.wait_for(lambda: expected in refusal.content)
        assert not sim.tasks, "nothing may be submitted (and paid) for refused input"
        # Refused before any public message, privately, with the prompt handed back.
        handed_back = refusal.content + "".join(a.data.decode() for a in refusal.attachments)
        assert refusal.ephemeral and options["prompt"] in handed_back
        assert not [m for m in fake.channel_messages() if not m.ephemeral]


async def test_long_jobs_keep_editing_after_the_interaction_token_expires(sim: Simulator, tmp_path: Path) -> None:
    async with FakeDiscord(token_lifetime=0.8) as fake, running_bot(fake, sim.base_url, tmp_path / "db.sqlite3"):
        msg_id = (await fake.invoke_slash("imagine", {"prompt": "a slow sunrise"})).response_message_id
        message = await wait_final(fake, msg_id)
        assert message.attachments and labels(fake, msg_id) == GRID
        channel_edits = [r for r in fake.requests if r.method == "PATCH" and r.path.startswith("/channels/")]
        assert channel_edits, "after the token expired, edits must go through the channel"


async def test_secrets_never_reach_logs_or_messages(
    fake: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = "sk-very-secret-key-42"
    simulator = Simulator(duration=0.5, api_key=key)
    await simulator.start()
    caplog.set_level(logging.DEBUG)
    try:
        async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", MJ_API_KEY=key):
            msg_id = (await fake.invoke_slash("imagine", {"prompt": "a key"})).response_message_id
            await wait_final(fake, msg_id)
            await asyncio.sleep(0.1)
    finally:
        await simulator.stop()
    assert fake.messages[msg_id].attachments  # the key was accepted
    everything = caplog.text + "".join(m.content for m in fake.messages.values())
    db = (tmp_path / "db.sqlite3").read_bytes()
    assert key not in everything and TOKEN not in everything
    assert key.encode() not in db and TOKEN.encode() not in db


@pytest.mark.parametrize(("in_path", "prefix"), [("false", False), ("true", True)])
async def test_mode_and_bot_options_reach_the_api(
    fake: FakeDiscord, sim: Simulator, tmp_path: Path, in_path: str, prefix: bool
) -> None:
    env = {"MJ_MODE": "fast", "MJ_MODE_IN_PATH": in_path}
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env):
        first = await fake.invoke_slash("imagine", {"prompt": "a fern", "mode": "relax", "bot": "NIJI_JOURNEY"})
        second = await fake.invoke_slash("imagine", {"prompt": "a moss"})  # the server's defaults
        await wait_final(fake, first.response_message_id)  # type: ignore[arg-type]
        await wait_final(fake, second.response_message_id)  # type: ignore[arg-type]
    fern, moss = sorted(sim.tasks.values(), key=lambda t: t.prompt)
    assert (fern.mode, fern.bot_type) == ("relax", "NIJI_JOURNEY")
    assert (moss.mode, moss.bot_type) == ("fast", "MID_JOURNEY")
    assert sim.requests["imagine"] == 2


async def test_notify_hook_push_finishes_a_job(fake: FakeDiscord, sim: Simulator, tmp_path: Path) -> None:
    """The proxy dialect's notifyHook: the task object POSTed to the bot finishes the job without a poll."""
    import socket

    import httpx

    from bot.core.push import push_secret

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hook = f"http://127.0.0.1:{port}"
    env = {"WEBHOOK_PUBLIC_URL": hook, "WEBHOOK_HOST": "127.0.0.1", "WEBHOOK_PORT": str(port), "MJ_POLL_INTERVAL": "60"}
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env) as bot:
        msg_id = (await fake.invoke_slash("imagine", {"prompt": "a pushed kite"})).response_message_id
        await fake.wait_for(lambda: bool(sim.tasks))
        task_id = next(iter(sim.tasks))
        await asyncio.sleep(sim.duration + 0.2)
        async with httpx.AsyncClient() as http:
            task = (await http.get(f"{sim.base_url}/mj/task/{task_id}/fetch")).json()
            assert task["properties"]["finalPrompt"] == "a pushed kite"
            forged = await http.post(f"{hook}/mj/wrong", json=task)
            pushed = await http.post(f"{hook}/mj/{push_secret(TOKEN)}", json=task)
            again = await http.post(f"{hook}/mj/{push_secret(TOKEN)}", json=task)
        assert (forged.status_code, pushed.status_code, again.status_code) == (403, 204, 404)
        message = await wait_final(fake, msg_id, timeout=5)  # type: ignore[arg-type]
        assert message.attachments and labels(fake, msg_id) == GRID  # type: ignore[arg-type]
        assert bot.jobs.polls == 1  # the one poll right after submit; the push did the rest
