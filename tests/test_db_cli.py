"""`python -m bot db status | upgrade`, the doctor's ledger row and the bot's start-up, on SQLite and
PostgreSQL, as run."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import uuid
from pathlib import Path

import pytest

from bot.core.migrations import latest, migrations
from bot.devtools.pg import ThrowawayPostgres
from tests.fakes.discord_server import FakeDiscord
from tests.helpers import ROOT, bot_env, start_bot

PASSWORD = "pw-s3cret-0042"  # the throwaway server trusts loopback: any password is let in, none may show


async def mjbot(env: dict[str, str], *args: str, cwd: Path) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode()


def operator_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MJ_", "DISCORD_", "DATABASE_"))}
    return env | {"PYTHONPATH": str(ROOT)} | settings


async def test_status_and_upgrade_of_a_sqlite_ledger(tmp_path: Path) -> None:
    env = operator_env(DATABASE_PATH=str(tmp_path / "data" / "bot.sqlite3"))
    code, out = await mjbot(env, "db", "status", cwd=tmp_path)
    assert code == 0 and "does not exist yet" in out, out
    assert not (tmp_path / "data").exists()  # status changes nothing
    code, out = await mjbot(env, "db", "upgrade", cwd=tmp_path)
    assert code == 0 and f"applied {', '.join(str(m.version) for m in migrations('sqlite'))}" in out, out
    code, out = await mjbot(env, "db", "status", cwd=tmp_path)
    n = latest("sqlite")
    assert code == 0 and f"(sqlite), schema {n} of {n}" in out and "pending" not in out, out
    code, out = await mjbot(env, "db", "upgrade", cwd=tmp_path)
    assert code == 0 and "up to date" in out, out


async def test_status_upgrade_and_doctor_on_postgres(postgres: ThrowawayPostgres, tmp_path: Path) -> None:
    name = f"cli_{uuid.uuid4().hex[:8]}"
    await postgres.create_database(name, template="template0")
    url = postgres.url(name).replace("postgres@", f"postgres:{PASSWORD}@")
    shown = postgres.url(name)
    env = operator_env(DATABASE_URL=url, DATABASE_PATH=str(tmp_path / "unused.sqlite3"))
    n, count = latest("postgres"), len(migrations("postgres"))
    outputs = []
    code, out = await mjbot(env, "db", "status", cwd=tmp_path)
    outputs.append(out)
    assert code == 0 and f"ledger: {shown} (postgres), schema 0 of {n}" in out and f"{count} pending" in out, out
    code, out = await mjbot(env, "ledger", "export", cwd=tmp_path)
    outputs.append(out)
    assert code == 1 and "schema 0" in out and "mjbot db upgrade" in out, out  # read-only: not migrated
    code, out = await mjbot(env, "db", "upgrade", cwd=tmp_path)
    outputs.append(out)
    assert code == 0 and f"schema {n}" in out, out
    code, out = await mjbot(env, "ledger", "stats", cwd=tmp_path)  # read-only sessions read a current ledger
    outputs.append(out)
    assert code == 0, out
    code, out = await mjbot(env, "db", "status", cwd=tmp_path)
    outputs.append(out)
    assert code == 0 and out.count("applied") == count, out
    async with FakeDiscord() as fake:
        code, out = await mjbot(bot_env(fake, DATABASE_URL=url), "doctor", cwd=tmp_path)
    outputs.append(out)
    assert code == 0, out
    assert f"PostgreSQL at {shown}, schema {n}" in out, out
    assert all(PASSWORD not in o for o in outputs)
    assert not (tmp_path / "unused.sqlite3").exists()  # nothing written to a SQLite file


@pytest.mark.parametrize("url", ["mysql://u:p@h/db", "postgresql-ish"])
async def test_a_database_url_that_is_not_postgres_is_refused(tmp_path: Path, url: str) -> None:
    code, out = await mjbot(operator_env(DATABASE_URL=url), "db", "status", cwd=tmp_path)
    assert code == 1 and "DATABASE_URL must be a URL starting with postgresql://" in out, out
    assert url not in out


def test_without_postgresql_the_postgres_tests_fail_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.pg import start_postgres

    monkeypatch.setenv("PG_BIN", str(tmp_path / "nowhere"))
    with pytest.raises(pytest.fail.Exception, match=r"PostgreSQL could not start.*no PostgreSQL programs in"):
        start_postgres()


async def test_an_unreachable_postgres_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe closes
    async with FakeDiscord() as fake:
        env = bot_env(fake, DATABASE_URL=f"postgresql://bot:{PASSWORD}@127.0.0.1:{port}/mjbot")
        proc = await start_bot(env, tmp_path / "bot.log")
        code = await asyncio.wait_for(proc.wait(), 40)
    lines = (tmp_path / "bot.log").read_text().strip().splitlines()
    assert code == 1
    assert lines[-1].startswith(
        f"mjbot: cannot open the ledger at DATABASE_URL=postgresql://bot@127.0.0.1:{port}/mjbot"
    )
    text = "\n".join(lines)
    assert "Traceback" not in text and PASSWORD not in text
