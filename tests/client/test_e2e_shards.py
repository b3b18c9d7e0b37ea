"""Two bot processes as shards 0 and 1 of 2 over one shared ledger, against the fake Discord.

Each process follows only its own server's jobs; one killed with -9 and started again finishes its job
while the other carries on, and does not touch the other's job (held in its paid submit meanwhile); an
old button on its server's message still works; a burst of 30 by one member gives exactly 13 paid submits.
Which process handled a job is read from each process's log ("job N accepted", "resuming job N").
"""

from __future__ import annotations

import asyncio
import re
import signal
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.devtools.pg import ThrowawayPostgres
from bot.simulator import proxy as simulated_proxy
from bot.simulator.server import Simulator
from tests.fakes.discord_server import GUILD_ID, FakeDiscord
from tests.helpers import API_KEY, TOKEN, bot_env, button, guild_on_shard, start_bot, wait_final

pytestmark = pytest.mark.e2e

OTHER_GUILD = guild_on_shard(1, 2)
OTHER_CHANNEL = 1_300_000_000_000_000_910
BURSTER = 1_300_000_000_000_000_920
HOLD_SECONDS = 8.0  # shard 0's submit is held this long: across shard 1's restart and recovery


@pytest.fixture
async def shared_ledger(postgres: ThrowawayPostgres, tmp_path: Path) -> dict[str, str]:
    """The ledger both processes share: a new, empty PostgreSQL database (both processes migrate it as they
    start together). DATABASE_PATH only names the processes' crash journals: no SQLite file is written."""
    url = await postgres.create_database(f"shards_{uuid.uuid4().hex[:12]}")
    return {"DATABASE_URL": url, "DATABASE_PATH": str(tmp_path / "shared.sqlite3")}


@pytest.fixture
async def sim(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Simulator]:
    monkeypatch.setattr(simulated_proxy, "HOLD_SECONDS", HOLD_SECONDS)
    simulator = Simulator(duration=1.5, api_key=API_KEY)
    await simulator.start()
    yield simulator
    await simulator.stop()


def jobs_in(log: Path, what: str) -> set[int]:
    """Job ids a process's log says it `accepted` (submitted) or was `resuming` (after a restart)."""
    pattern = r"job (\d+) accepted as upstream task" if what == "accepted" else r"resuming job (\d+) "
    return {int(n) for n in re.findall(pattern, log.read_text())}


def journals(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.posted"))


def sqlite_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.suffix.startswith(".sqlite") or p.name.endswith(("-wal", "-shm"))]


def ours(fake: FakeDiscord, channel: int) -> list[int]:
    return [m.id for m in fake.channel_messages(channel) if m.author_id == fake.bot_user_id]


async def test_two_shard_processes_share_one_ledger(
    sim: Simulator, tmp_path: Path, shared_ledger: dict[str, str]
) -> None:
    assert (GUILD_ID >> 22) % 2 == 0 and (OTHER_GUILD >> 22) % 2 == 1
    async with FakeDiscord(shard_count=2, channel_edit_limit=(100, 1.0)) as fake:
        fake.add_guild(OTHER_GUILD, "Second Guild", OTHER_CHANNEL)
        fake.add_user(BURSTER, "burster")
        env = bot_env(
            fake,
            MJ_PROVIDER="proxy",
            MJ_API_BASE=sim.base_url,
            MJ_API_KEY=API_KEY,
            PROGRESS_EDIT_INTERVAL="0.2",
            SHARD_COUNT="2",
            **shared_ledger,
        )
        logs = [tmp_path / "shard0.log", tmp_path / "shard1.log"]
        # Both at once, on a ledger neither has created yet.
        procs = [await start_bot({**env, "SHARD_IDS": str(i)}, logs[i]) for i in (0, 1)]
        try:
            await fake.wait_shards_ready(timeout=30)
            await fake.wait_for(lambda: bool(fake.commands), 15)

            # Shard 1's job is in progress when its process is killed.
            b_msg = (
                await fake.invoke_slash("imagine", {"prompt": "a harbour"}, channel_id=OTHER_CHANNEL)
            ).response_message_id
            assert b_msg is not None
            await fake.wait_for(lambda: "%)" in fake.messages[b_msg].content, 15)
            procs[1].send_signal(signal.SIGKILL)
            assert await asyncio.wait_for(procs[1].wait(), 10) == -signal.SIGKILL
            (b_job,) = jobs_in(logs[1], "accepted")

            # Shard 0 carries on: its job's paid submit is held by the API across shard 1's restart.
            a_msg = (await fake.invoke_slash("imagine", {"prompt": "a lighthouse sim:hold"})).response_message_id
            assert a_msg is not None
            await fake.wait_for(lambda: any(t.state for t in sim.tasks.values() if "hold" in t.prompt), 15)
            procs[1] = await start_bot({**env, "SHARD_IDS": "1"}, logs[1])
            await fake.wait_for(lambda: b_job in jobs_in(logs[1], "resuming"), 30)
            assert jobs_in(logs[0], "accepted") == set()  # shard 0's submit was still on its way meanwhile
            await fake.wait_shards_ready(timeout=30)

            b_grid = await wait_final(fake, b_msg, timeout=30)
            assert b_grid.attachments and "❌" not in b_grid.content
            # An old button on shard 1's message works after the restart, in shard 1's process.
            await fake.click(b_msg, button(fake, b_msg, "U1"))
            await fake.wait_for(lambda: len(ours(fake, OTHER_CHANNEL)) == 2, 15)
            assert (await wait_final(fake, ours(fake, OTHER_CHANNEL)[1], timeout=30)).attachments

            # A burst in shard 1's server: the member's 3 running and 10 waiting slots, nothing more.
            tag = "burst-shard1"
            answers = await asyncio.gather(
                *(
                    fake.invoke_slash(
                        "imagine", {"prompt": f"fox {i} {tag}"}, user_id=BURSTER, channel_id=OTHER_CHANNEL
                    )
                    for i in range(30)
                )
            )
            shown = [fake.messages[a.response_message_id or 0] for a in answers]
            assert sum(m.ephemeral for m in shown) == 17
            assert all("3 jobs running and 10 waiting" in m.content for m in shown if m.ephemeral)
            for message in [m for m in shown if not m.ephemeral]:
                assert (await wait_final(fake, message.id, timeout=30)).attachments
            assert sum(tag in t.prompt for t in sim.tasks.values()) == 13  # paid submits

            a_grid = await wait_final(fake, a_msg, timeout=30)
            assert a_grid.attachments and "❌" not in a_grid.content
            a_job = int(button(fake, a_msg, "U1").split(":")[2])  # mj:job:<ledger id>:<button>
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.send_signal(signal.SIGTERM)
            codes = [await asyncio.wait_for(p.wait(), 20) for p in procs]
        assert codes == [0, 0], [log.read_text()[-2000:] for log in logs]

    a_jobs, b_jobs = jobs_in(logs[0], "accepted"), jobs_in(logs[1], "accepted")
    assert a_jobs == {a_job}, "shard 0's job was submitted, recovered or delivered by another process"
    assert not re.search(rf"\bjob {a_job}\b", logs[1].read_text())
    assert len(b_jobs) == 1 + 1 + 13  # the grid, its upscale, the burst's paid jobs
    assert b_job in b_jobs and not a_jobs & b_jobs
    assert jobs_in(logs[0], "resuming") == set() and jobs_in(logs[1], "resuming") == {b_job}
    # Each process keeps its own crash journal; the ledger is PostgreSQL only: no SQLite file anywhere.
    assert journals(tmp_path) == ["shared.sqlite3.shards-0of2.posted", "shared.sqlite3.shards-1of2.posted"]
    assert not sqlite_files(tmp_path)
    for log in logs:
        output = log.read_text()
        assert "Traceback" not in output, output[-3000:]
        assert API_KEY not in output and TOKEN not in output
