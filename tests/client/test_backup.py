"""`mjbot backup` while the bot runs and `mjbot restore` into an empty ledger: a ledger with jobs and credits
round-trips, row for row; what cannot be done ends in one line and exit 1."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.core.ledger import Ledger
from bot.core.models import JobAction, Requester
from bot.simulator.server import Simulator
from tests.client.test_operator_cli import cli_env, mjbot, sim  # noqa: F401 (sim: the simulator fixture)
from tests.fakes.discord_server import DEFAULT_USER_ID, GUILD_ID, FakeDiscord
from tests.helpers import API_KEY, running_bot, wait_final

pytestmark = pytest.mark.e2e


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}


async def test_backup_while_running_then_restore_round_trips(
    sim: Simulator,  # noqa: F811 (the fixture imported above)
    fake: FakeDiscord,
    tmp_path: Path,
) -> None:
    database, copy, restored = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3", tmp_path / "new" / "bot.sqlite3"
    async with running_bot(fake, sim.base_url, database, MJ_API_KEY=API_KEY) as bot:
        for prompt in ("a red kite", "sim:fail a blue kite"):
            answer = await fake.invoke_slash("imagine", {"prompt": prompt})
            await wait_final(fake, answer.response_message_id or 0)
        assert bot.jobs.accounts is not None
        await bot.jobs.accounts.grant(GUILD_ID, DEFAULT_USER_ID, 5, actor_id=1, note="thanks")
        code, out = await mjbot(cli_env(sim, database), "backup", str(copy), cwd=tmp_path)  # the bot runs on
        assert code == 0 and f"backed up to {copy}: 2 jobs, 4 credit entries" in out, out
    original = dump(database)
    kinds = [(row[4], row[6]) for row in original["credit_entries"]]  # kind, amount
    assert kinds == [("charge", 1), ("charge", 1), ("refund", 1), ("grant", 5)]

    code, out = await mjbot(cli_env(sim, restored), "restore", str(copy), cwd=tmp_path)
    assert code == 0 and "2 jobs, 4 credit entries" in out, out
    again = dump(restored)
    for table in ("jobs", "credit_entries", "meta", "guild_settings"):
        assert again.get(table) == original.get(table), table
    ledger = await Ledger.open(restored)  # the bot's own way in: the same ledger (its instance name too)
    try:
        row = await ledger.storage.fetch_one("SELECT value FROM meta WHERE key = 'instance'")
        assert row is not None and row[0] == next(v for k, v in original["meta"] if k == "instance")
    finally:
        await ledger.close()


def test_what_cannot_be_backed_up_or_restored_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env is read
    for name in ("DATABASE_URL", "DATABASE_PATH", "MJ_PROVIDER"):
        monkeypatch.delenv(name, raising=False)

    def mjbot_here(database: str, *args: str) -> tuple[int, str]:
        monkeypatch.setenv("DATABASE_PATH", database)
        code = main(list(args))
        return code, capsys.readouterr().err

    asyncio.run(_ledger_with_a_job(tmp_path / "full.sqlite3"))
    code, out = mjbot_here("full.sqlite3", "backup", "copy.sqlite3")
    assert code == 0 and Path("copy.sqlite3").is_file()
    code, out = mjbot_here("full.sqlite3", "restore", "copy.sqlite3")
    assert code == 1 and "is not empty: restore into a new DATABASE_PATH" in out, out
    code, out = mjbot_here("full.sqlite3", "backup", "copy.sqlite3")
    assert code == 1 and "exists already: give a new file name" in out
    Path("junk.sqlite3").write_bytes(b"not a database at all" * 100)
    code, out = mjbot_here("a.sqlite3", "restore", "junk.sqlite3")
    assert code == 1 and out.startswith("mjbot: ") and "is not a readable SQLite ledger" in out, out
    assert not Path("a.sqlite3").exists()
    code, out = mjbot_here("none.sqlite3", "backup", "b.sqlite3")
    assert code == 1 and "no ledger at DATABASE_PATH=none.sqlite3" in out
    monkeypatch.setenv("DATABASE_URL", "postgresql://mjbot:pw-secret-99@db:5432/mjbot")
    code, out = mjbot_here("x.sqlite3", "backup", "b.dump")
    assert code == 1 and "pg_dump --format=custom --file b.dump" in out and "pw-secret-99" not in out
    code, out = mjbot_here("x.sqlite3", "restore", "b.dump")
    assert code == 1 and "pg_restore" in out and "pw-secret-99" not in out


async def _ledger_with_a_job(path: Path) -> None:
    ledger = await Ledger.open(path)
    await ledger.create_job(Requester(1, GUILD_ID, 2), provider="proxy", action=JobAction.IMAGINE, prompt="x")
    await ledger.close()
