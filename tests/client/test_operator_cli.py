"""The operator's commands as they are run: `python -m bot doctor | ledger | imagine | action`."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from bot.cli import generate
from bot.core import requests
from bot.core.images import ImageFetcher
from bot.core.ledger import Ledger
from bot.core.migrations import migrations
from bot.core.models import ImagineRequest, Job, JobAction, JobStatus
from bot.simulator.server import Simulator
from tests.fakes.discord_server import GUILD_ID, FakeDiscord
from tests.helpers import API_KEY, ROOT, TESTER, TOKEN, bot_env, free_port, running_bot, wait_final

pytestmark = pytest.mark.e2e


async def mjbot(env: dict[str, str], *args: str, cwd: Path, timeout: float = 60) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode()


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator(duration=0.6, api_key=API_KEY)
    await simulator.start()
    yield simulator
    await simulator.stop()


async def test_doctor_passes_on_a_good_installation(sim: Simulator, tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        env = bot_env(fake, MJ_PROVIDER="proxy", MJ_API_BASE=sim.base_url, MJ_API_KEY=API_KEY,
                      DATABASE_PATH=str(tmp_path / "bot.sqlite3"), OPS_PORT=str(free_port()))  # fmt: skip
        code, out = await mjbot(env, "doctor", cwd=tmp_path)
    assert code == 0, out
    for row in ("settings", "Discord token", "Discord application", "image API", "ledger", "ops endpoint"):
        assert row in out
    assert f"http://127.0.0.1:{env['OPS_PORT']}: free" in out
    assert "FAIL" not in out and "all checks passed" in out
    assert "fake-bot" in out  # the bot's own name, from Discord
    assert API_KEY not in out and TOKEN not in out
    assert not (tmp_path / "bot.sqlite3").exists()  # the doctor changes nothing


async def test_doctor_names_what_failed(sim: Simulator, tmp_path: Path) -> None:
    async with FakeDiscord(accepted_token="another-token") as fake:
        env = bot_env(fake, MJ_PROVIDER="proxy", MJ_API_BASE=sim.base_url, MJ_API_KEY="sk-wrong-key-123456",
                      DATABASE_PATH=str(tmp_path / "bot.sqlite3"))  # fmt: skip
        code, out = await mjbot(env, "doctor", cwd=tmp_path)
    assert code == 1, out
    assert "failed: Discord token, image API" in out
    assert "sk-wrong-key-123456" not in out and TOKEN not in out


async def test_doctor_reports_a_bad_setting(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        env = bot_env(fake, MJ_POLL_INTERVAL="-1")
        code, out = await mjbot(env, "doctor", cwd=tmp_path)
    assert code == 1 and "MJ_POLL_INTERVAL" in out and "failed: settings" in out


def cli_env(sim: Simulator, database: Path, **extra: str) -> dict[str, str]:
    """The operator's environment: no Discord token needed, the simulator as the API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MJ_", "DISCORD_", "DATABASE_", "QUOTA_"))}
    return env | {"PYTHONPATH": str(ROOT), "MJ_PROVIDER": "proxy", "MJ_API_BASE": sim.base_url,
                  "MJ_API_KEY": API_KEY, "MJ_POLL_INTERVAL": "0.1", "DATABASE_PATH": str(database)} | extra  # fmt: skip


async def test_imagine_then_action_save_pngs_and_land_in_the_ledger(sim: Simulator, tmp_path: Path) -> None:
    env = cli_env(sim, tmp_path / "bot.sqlite3")
    code, out = await mjbot(env, "imagine", "a lighthouse at dusk", "--out", "grid", "--mode", "relax", cwd=tmp_path)
    assert code == 0, out
    task_id = next(line.split()[1] for line in out.splitlines() if line.startswith("task "))
    saved = sorted((tmp_path / "grid").glob("*.png"))
    assert [p.name for p in saved] == [f"{task_id}{s}.png" for s in ("-1", "-2", "-3", "-4", "")]
    grid, first = Image.open(saved[-1]), Image.open(saved[0])
    assert first.size == (grid.size[0] // 2, grid.size[1] // 2)
    assert sim.tasks[task_id].mode == "relax" and sim.tasks[task_id].state.startswith("mjbot:")
    # stdout is a pipe here, as in CI or `| tee`: the progress is a line per change, with its percentage
    progress = [line.split()[1:] for line in out.splitlines() if line.startswith("progress ")]
    percents = [int(p.rstrip("%")) for p, _ in progress]
    assert progress[0] == ["0%", "submitting"] and progress[-1] == ["100%", "succeeded"], out
    assert len(progress) >= 3 and percents == sorted(percents) and len(set(map(tuple, progress))) == len(progress)

    code, out = await mjbot(env, "action", task_id, "U2", "--out", "up", cwd=tmp_path)
    assert code == 0, out
    upscale = next(line.split()[1] for line in out.splitlines() if line.startswith("task "))
    assert sim.tasks[upscale].action == "UPSCALE" and sim.tasks[upscale].index == 2
    assert [p.name for p in (tmp_path / "up").glob("*.png")] == [f"{upscale}.png"]
    code, out = await mjbot(env, "action", upscale, "Animate (Low motion)", "--out", "video", cwd=tmp_path)
    assert code == 0, out
    video = next(line.split()[1] for line in out.splitlines() if line.startswith("task "))
    files = sorted(p.name for p in (tmp_path / "video").iterdir())
    assert files == [f"{video}-video-{n}.mp4" for n in range(1, 5)] + [f"{video}.png"]  # the MP4s and their cover
    assert (tmp_path / "video" / files[0]).read_bytes()[4:8] == b"ftyp"
    Image.new("RGB", (40, 30), "teal").save(tmp_path / "ref.png")
    code, out = await mjbot(env, "imagine", "a teal boat", "--image", "ref.png", "--bot", "niji", cwd=tmp_path)
    assert code == 0, out
    with_image = next(t for t in sim.tasks.values() if t.prompt == "a teal boat")
    assert with_image.reference_images == 1 and with_image.bot_type == "NIJI_JOURNEY"
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        rows = db.execute("SELECT user_id, guild_id, action, status FROM jobs ORDER BY id").fetchall()
        operator = [(0, None, action, "succeeded") for action in ("imagine", "upscale", "video", "imagine")]
        assert rows == operator  # the operator's: user 0, no server
        assert db.execute("SELECT COUNT(*) FROM credit_entries").fetchone() == (0,)


async def test_refused_and_failed_jobs_exit_1_with_one_line(sim: Simulator, tmp_path: Path) -> None:
    env = cli_env(sim, tmp_path / "bot.sqlite3")
    code, out = await mjbot(env, "imagine", "a boat --ar 999:1", cwd=tmp_path)
    assert code == 1 and out.strip().startswith("mjbot: ") and len(out.strip().splitlines()) == 1, out
    assert not sim.tasks  # refused before paying
    code, out = await mjbot(env, "imagine", "sim:fail a boat", cwd=tmp_path)
    assert code == 1 and "Simulated failure" in out and "Traceback" not in out
    code, out = await mjbot(env, "action", "no-such-task", "U1", cwd=tmp_path)
    assert code == 1 and "no finished task no-such-task" in out
    assert API_KEY not in out


async def test_ledger_export_and_stats(sim: Simulator, fake: FakeDiscord, tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    async with running_bot(fake, sim.base_url, database, MJ_API_KEY=API_KEY):
        for prompt in ("one", "two"):
            answer = await fake.invoke_slash("imagine", {"prompt": prompt})
            await wait_final(fake, answer.response_message_id or 0)
    env = cli_env(sim, database)
    code, out = await mjbot(env, "ledger", "export", "--guild", str(GUILD_ID), cwd=tmp_path)
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["record"], r["action"] or r["kind"]) for r in rows] == [
        ("job", "imagine"), ("job", "imagine"), ("credit", "charge"), ("credit", "charge")
    ]  # fmt: skip
    code, out = await mjbot(env, "ledger", "export", "--format", "jsonl", "--out", "l.jsonl", cwd=tmp_path)
    lines = [json.loads(line) for line in (tmp_path / "l.jsonl").read_text().splitlines()]
    assert code == 0 and len(lines) == 4 and "2 jobs and 2 credit entries" in out
    code, out = await mjbot(env, "ledger", "stats", "--png", "usage.png", cwd=tmp_path)
    assert code == 0, out
    assert f"Server {GUILD_ID}" in out and "Today: 2 jobs, 0 failed · 2 credits charged" in out
    chart = Image.open(tmp_path / "usage.png")
    assert chart.format == "PNG" and chart.size == (800, 880)
    code, out = await mjbot(cli_env(sim, tmp_path / "none.sqlite3"), "ledger", "stats", cwd=tmp_path)
    assert code == 1 and "no ledger at DATABASE_PATH=" in out


@pytest.mark.parametrize("task_id", ["../../escaped", "/tmp/escaped", "..", "a/../../b", "C:\\x", ""])
async def test_saved_files_stay_in_the_out_folder_whatever_the_task_id(
    simulator: Simulator, tmp_path: Path, task_id: str
) -> None:
    """The file names come from the API's task id: `..` or a slash in it must not lead out of `--out`."""
    task = simulator.new_task(action="IMAGINE", prompt="x", kind="grid")
    image_url = f"{simulator.base_url}/mj/image/{task.id}/final.png"
    job = Job(7, 0, None, 0, JobAction.IMAGINE, "x", JobStatus.SUCCEEDED, 0, 0, upstream_task_id=task_id,
              image_url=image_url)  # fmt: skip
    out = tmp_path / "deep" / "out"
    async with httpx.AsyncClient() as client:
        paths = await generate._save(ImageFetcher(client), job, out)
    assert len(paths) == 5 and all(p.parent == out and p.exists() for p in paths), paths
    everything = await asyncio.to_thread(lambda: sorted(tmp_path.rglob("*.png")))
    assert everything == sorted(paths)  # nothing written elsewhere


async def test_operator_jobs_leave_the_bots_queue_alone(sim: Simulator, tmp_path: Path) -> None:
    """A queued job of the running bot's is the bot's: `mjbot imagine` and `action` never start it."""
    database = tmp_path / "bot.sqlite3"
    ledger = await Ledger.open(database)
    try:
        request = requests.encode(ImagineRequest("the bot's queued job", (), "MID_JOURNEY", None))
        queued = await ledger.create_job(TESTER, provider="proxy", action=JobAction.IMAGINE, prompt="queued",
                                         status=JobStatus.WAITING, message_id=555, request=request)  # fmt: skip
    finally:
        await ledger.close()
    env = cli_env(sim, database)
    code, out = await mjbot(env, "imagine", "the operator's own", "--out", "o", cwd=tmp_path)
    assert code == 0, out
    task_id = next(line.split()[1] for line in out.splitlines() if line.startswith("task "))
    code, out = await mjbot(env, "action", task_id, "U1", "--out", "o", cwd=tmp_path)
    assert code == 0, out
    assert [t.prompt for t in sim.tasks.values() if t.action == "IMAGINE"] == ["the operator's own"]
    ledger = await Ledger.open(database)
    try:
        still = await ledger.get(queued.id)
        assert still is not None and still.status is JobStatus.WAITING and still.upstream_task_id is None
    finally:
        await ledger.close()


async def test_ledger_export_and_stats_write_nothing(sim: Simulator, tmp_path: Path) -> None:
    """Read-only commands: an old ledger is not migrated (they say so), a current one is not changed."""
    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(old) as db:
        for migration in migrations("sqlite")[:3]:
            for statement in migration.statements():
                db.execute(statement)
        db.execute("PRAGMA user_version = 3")
    db.close()
    before = old.read_bytes()
    for args in (("ledger", "export"), ("ledger", "stats")):
        code, out = await mjbot(cli_env(sim, old), *args, cwd=tmp_path)
        assert code == 1 and "schema 3" in out and "mjbot db upgrade" in out and "Traceback" not in out, out
        assert old.read_bytes() == before and user_version(old) == 3
    current = tmp_path / "bot.sqlite3"
    ledger = await Ledger.open(current)
    await ledger.create_job(TESTER, provider="proxy", action=JobAction.IMAGINE, prompt="kept")
    await ledger.close()
    before = current.read_bytes()
    code, out = await mjbot(cli_env(sim, current), "ledger", "export", cwd=tmp_path)
    assert code == 0 and "kept" in out, out
    code, out = await mjbot(cli_env(sim, current), "ledger", "stats", "--png", "s.png", cwd=tmp_path)
    assert code == 0, out
    assert current.read_bytes() == before


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
    db.close()
    return version
