"""`kill -9`, or a SIGTERM, at each step of a job's life, then a restart: no paid result lost, no message
left waiting.

The bot runs as a real process; `MJBOT_CRASH_AT` (bot/core/crashpoints.py) kills it at one named point
(or, with `MJBOT_CRASH_SIGNAL=SIGTERM`, asks it there to stop gracefully), and `sim:hold` lets the test
signal it while the paid submit is on its way. A graceful stop must exit 0 within 10 s, refusing new
work meanwhile. After the restart every job message must end (an image, or a ❌ line), and the ledger
must have charged exactly the jobs delivered. On both ledgers: a SQLite file, and a PostgreSQL database
per case.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from bot.core.crashpoints import POINTS
from bot.devtools.pg import ThrowawayPostgres
from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord
from tests.helpers import API_KEY, bot_env, bot_messages, button, start_bot, wait_final

pytestmark = pytest.mark.e2e
BACKENDS = ("sqlite", "postgres")

WAITING_WORDS = ("Waiting", "Queued", "%)", "Submitting")


@dataclass
class Case:
    crash_at: str  # a crash point, or "submit.held": the test kills the bot while the API holds the submit
    prompt: str
    press_u1: bool = False  # crash on the U1 press of a finished grid instead of on the /imagine
    stop: signal.Signals = signal.SIGKILL  # SIGTERM: a graceful stop at that step

    @property
    def name(self) -> str:
        return self.crash_at + ("" if self.stop is signal.SIGKILL else ".term")


CASES = (
    Case("ack.before", "a lighthouse"),
    Case("ack.sent", "a lighthouse"),
    Case("ack.after", "a lighthouse"),
    Case("submit.held", "a lighthouse sim:hold"),
    Case("submit.answered", "a lighthouse"),
    Case("progress", "a lighthouse"),
    Case("upload", "a lighthouse"),
    Case("press.sent", "a lighthouse", press_u1=True),
    Case("press.posted", "a lighthouse", press_u1=True),
    Case("failed", "a lighthouse sim:fail"),  # the failure and its refund land together, or neither
    # A graceful stop at each step: whatever was taken on is submitted, recorded and resumed.
    Case("ack.before", "a lighthouse", stop=signal.SIGTERM),
    Case("submit.held", "a lighthouse sim:hold", stop=signal.SIGTERM),  # longer than the stop may wait
    Case("progress", "a lighthouse", stop=signal.SIGTERM),
    Case("upload", "a lighthouse", stop=signal.SIGTERM),
    Case("press.posted", "a lighthouse", press_u1=True, stop=signal.SIGTERM),
)
GRACEFUL_STOP_SECONDS = 10.0


JOBS_SQL = "SELECT id, status, upstream_task_id, message_id FROM jobs ORDER BY id"
NET_SQL = (
    "SELECT job_id, SUM(CASE kind WHEN 'charge' THEN amount ELSE -amount END) FROM credit_entries"
    " WHERE job_id IS NOT NULL AND kind IN ('charge', 'refund') GROUP BY job_id"
)
Rows = tuple[list[tuple[int, str, str | None, int | None]], dict[int, int]]


async def ledger_rows(database: Path, url: str | None) -> Rows:
    """(id, status, upstream task, message) of every job, and each job's charges minus refunds."""
    if url is None:
        with sqlite3.connect(database) as db:
            return db.execute(JOBS_SQL).fetchall(), dict(db.execute(NET_SQL).fetchall())
    conn = await asyncpg.connect(url)
    try:
        jobs = [tuple(r) for r in await conn.fetch(JOBS_SQL)]
        return jobs, {r[0]: int(r[1]) for r in await conn.fetch(NET_SQL)}
    finally:
        await conn.close()


async def run_case(case: Case, sim: Simulator, tmp: Path, url: str | None) -> None:
    tag = "case-" + case.name.replace(".", "-")  # tells this case's tasks from the others' in the simulator
    database = tmp / "bot.sqlite3"
    async with FakeDiscord() as fake:
        env = bot_env(
            fake,
            MJ_PROVIDER="proxy",
            MJ_API_BASE=sim.base_url,
            MJ_API_KEY=API_KEY,
            DATABASE_PATH=str(database),
            PROGRESS_EDIT_INTERVAL="0.2",
            **({"DATABASE_URL": url} if url else {}),
        )
        log = tmp / "bot.log"
        armed = {} if case.crash_at == "submit.held" else {"MJBOT_CRASH_AT": case.crash_at}
        first = await start_bot({**env, **armed, "MJBOT_CRASH_SIGNAL": case.stop.name}, log)
        graceful = case.stop is signal.SIGTERM
        try:
            await fake.wait_ready(timeout=30)
            await fake.wait_for(lambda: bool(fake.commands), 15)
            invocation = await fake.invoke_slash("imagine", {"prompt": f"{case.prompt} {tag}"})
            if case.press_u1:
                grid = await wait_final(fake, invocation.response_message_id or 0, timeout=30)
                await fake.click(grid.id, button(fake, grid.id, "U1"))
            if case.crash_at == "submit.held":
                await fake.wait_for(lambda: any(t.state for t in sim.tasks.values() if tag in t.prompt), 15)
                first.send_signal(case.stop)
                signalled = asyncio.get_running_loop().time()
                if graceful:  # while it stops, new work is refused, privately and in the member's language
                    await fake.wait_for(lambda: "stopping: no new jobs" in log.read_text(), 5)
                    late = await fake.invoke_slash("imagine", {"prompt": f"too late {tag}"}, locale="zh-CN")
                    answer = fake.messages[late.response_message_id or 0]
                    assert answer.ephemeral and "机器人正在重启" in answer.content, answer.content
            code = await asyncio.wait_for(first.wait(), 30)
            assert code == (0 if graceful else -signal.SIGKILL), log.read_text()[-2000:]
            if case.crash_at == "submit.held" and graceful:
                assert asyncio.get_running_loop().time() - signalled < GRACEFUL_STOP_SECONDS
        finally:
            if first.returncode is None:
                first.kill()
                await first.wait()
        if graceful:
            stopped = re.findall(r"stopped in ([\d.]+) s", log.read_text())
            assert len(stopped) == 1 and float(stopped[0]) < GRACEFUL_STOP_SECONDS, log.read_text()[-2000:]
        tasks_before = {t.id for t in sim.tasks.values() if tag in t.prompt}

        second = await start_bot(env, log)
        try:
            await fake.wait_ready(timeout=30)
            for message in bot_messages(fake):
                await wait_final(fake, message.id, timeout=40)
            if case.press_u1 and not graceful:  # the press that died can be made again, and works
                grid_id = bot_messages(fake)[0].id
                await fake.click(grid_id, button(fake, grid_id, "U1"))
                await fake.wait_for(lambda: len(bot_messages(fake)) == 3, 15)
                await wait_final(fake, bot_messages(fake)[2].id, timeout=30)
        finally:
            second.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(second.wait(), 20) == 0, log.read_text()[-3000:]

    output = log.read_text()
    assert "Traceback" not in output, output[-3000:]
    assert API_KEY not in output
    shown = {m.id: m.content for m in bot_messages(fake)}
    for content in shown.values():
        assert not any(word in content for word in WAITING_WORDS), (case.name, shown)
    jobs, net = await ledger_rows(database, url)
    assert url is None or not database.exists()  # on PostgreSQL nothing goes to a SQLite file
    for job_id, status, _, message_id in jobs:
        assert status in ("succeeded", "failed"), (case.name, jobs)
        assert message_id in shown, (case.name, job_id, "has no message")
        if status == "succeeded":
            assert net.get(job_id, 0) > 0 and fake.messages[message_id].attachments, (case.name, job_id)
        else:
            assert net.get(job_id, 0) == 0 and "❌" in shown[message_id], (case.name, job_id, shown)
    # Every task the API accepted for this bot and did not fail was delivered: none paid for and lost.
    delivered = {upstream for _, status, upstream, _ in jobs if status == "succeeded"}
    ours = {
        t.id
        for t in sim.tasks.values()
        if t.id in tasks_before and t.state.startswith("mjbot:") and sim.status(t)[0] != "FAILURE"
    }
    assert ours <= delivered, (case.name, ours, jobs)
    CHECKS[case.name](jobs, shown)


def _nothing(jobs: list, shown: dict[int, str]) -> None:
    assert jobs == [] and shown == {}  # never answered: Discord tells the member the bot did not respond


def _ended_unrecorded(jobs: list, shown: dict[int, str]) -> None:
    assert jobs == [] and len(shown) == 1
    assert "restarted before this job started. Nothing was charged" in next(iter(shown.values()))


def _delivered(jobs: list, shown: dict[int, str]) -> None:
    assert [status for _, status, _, _ in jobs] == ["succeeded"]


def _failed_refunded(jobs: list, shown: dict[int, str]) -> None:
    assert [status for _, status, _, _ in jobs] == ["failed"]
    assert "Simulated failure" in next(iter(shown.values()))


def _press_refunded(jobs: list, shown: dict[int, str]) -> None:
    assert [status for _, status, _, _ in jobs] == ["succeeded", "failed", "succeeded"]


def _both_delivered(jobs: list, shown: dict[int, str]) -> None:
    assert [status for _, status, _, _ in jobs] == ["succeeded", "succeeded"]


CHECKS: dict[str, Callable[[list, dict[int, str]], None]] = {
    "ack.before": _nothing,
    "ack.sent": _ended_unrecorded,
    "ack.after": _ended_unrecorded,
    "submit.held": _delivered,
    "submit.answered": _delivered,
    "progress": _delivered,
    "upload": _delivered,
    "press.sent": _press_refunded,
    "press.posted": _press_refunded,
    "failed": _failed_refunded,
    "ack.before.term": _delivered,  # answered as the stop began: taken on, so submitted and resumed
    "submit.held.term": _delivered,
    "progress.term": _delivered,
    "upload.term": _delivered,
    "press.posted.term": _both_delivered,
}


async def test_kill_at_every_step_loses_nothing(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    postgres: ThrowawayPostgres | None = request.getfixturevalue("postgres") if backend == "postgres" else None
    assert {c.crash_at for c in CASES} - {"submit.held"} == set(POINTS)
    sim = Simulator(duration=1.5, api_key=API_KEY)
    await sim.start()
    try:
        # Four at a time: each case starts the bot twice, and the machine has two cores.
        gate = asyncio.Semaphore(4)

        async def gated(case: Case) -> None:
            (tmp_path / case.name).mkdir()
            async with gate:
                url = await postgres.create_database(f"crash_{uuid.uuid4().hex[:12]}") if postgres else None
                await run_case(case, sim, tmp_path / case.name, url)

        await asyncio.gather(*(gated(c) for c in CASES))
    finally:
        await sim.stop()
