"""The real bot on PostgreSQL (DATABASE_URL) against the fake Discord: a grid, a paid press, a refusal from
the shared ledger, the operator's export; nothing is written to a SQLite file."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.devtools.pg import ThrowawayPostgres
from bot.simulator.server import Simulator
from tests.fakes.discord_server import DEFAULT_USER_ID, FakeDiscord
from tests.helpers import ROOT, bot_messages, running_bot, wait_final
from tests.pg import truncated

SIMULATOR_DURATION = 0.6


async def test_the_bot_runs_on_postgres(
    fake: FakeDiscord, simulator: Simulator, postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    url = await truncated(postgres)
    sqlite = tmp_path / "db.sqlite3"
    async with running_bot(fake, simulator.base_url, sqlite, DATABASE_URL=url, QUOTA_DAILY_CREDITS="2") as bot:
        assert bot.jobs.ledger.storage.backend == "postgres"  # type: ignore[attr-defined]
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a harbour"})).response_message_id
        assert grid_id is not None
        assert (await wait_final(fake, grid_id)).attachments
        u1 = next(b["custom_id"] for b in fake.message_buttons(grid_id) if b.get("label") == "U1")
        await fake.click(grid_id, u1)
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        assert (await wait_final(fake, bot_messages(fake)[1].id)).attachments
        await fake.invoke_slash("imagine", {"prompt": "one too many"})
        await fake.wait_for(lambda: any("used your 2 credits" in m.content for m in fake.messages.values()))
        rows = await bot.jobs.ledger.fetch_all(  # type: ignore[attr-defined]
            "SELECT user_id, kind, amount FROM credit_entries ORDER BY id"
        )
        assert [tuple(r) for r in rows] == [(DEFAULT_USER_ID, "charge", 1)] * 2
    assert not sqlite.exists()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("MJ_", "DISCORD_", "DATABASE_"))}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "ledger", "export", "--format", "jsonl", cwd=tmp_path,
        env=env | {"PYTHONPATH": str(ROOT), "DATABASE_URL": url}, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0
    lines = out.decode().splitlines()
    assert sum('"record": "job"' in line for line in lines) == 2
    assert sum('"kind": "charge"' in line for line in lines) == 2
    assert not sqlite.exists()
