"""Start-up faults an operator meets first: one clear line and exit 1, never a traceback; a missing API
only warns."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import pytest

from tests.fakes.discord_server import FakeDiscord
from tests.helpers import TOKEN, bot_env, free_port, start_bot

pytestmark = pytest.mark.e2e


def lines_of(log: Path) -> list[str]:
    return log.read_text().strip().splitlines()


async def run_to_exit(env: dict[str, str], log: Path, timeout: float = 40) -> tuple[int, list[str]]:
    proc = await start_bot(env, log)
    code = await asyncio.wait_for(proc.wait(), timeout)
    return code, lines_of(log)


async def test_discord_unreachable_is_retried_then_one_line(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        env = bot_env(fake, DATABASE_PATH=str(tmp_path / "db.sqlite3"), STARTUP_RETRY_SECONDS="2.5")
    env["DISCORD_API_BASE"] = f"http://127.0.0.1:{free_port()}/api/v10"  # nothing listens there
    code, lines = await run_to_exit(env, tmp_path / "bot.log")
    assert code == 1
    assert lines[-1].startswith("mjbot: cannot reach Discord at DISCORD_API_BASE=http://127.0.0.1:")
    assert "check the network" in lines[-1]
    assert sum("trying again" in line for line in lines) >= 2  # retried with backoff
    text = "\n".join(lines)
    assert "Traceback" not in text and TOKEN not in text


async def test_a_refused_token_is_one_line(tmp_path: Path) -> None:
    async with FakeDiscord(accepted_token="the-right-token") as fake:
        env = bot_env(fake, DATABASE_PATH=str(tmp_path / "db.sqlite3"))
        code, lines = await run_to_exit(env, tmp_path / "bot.log")
    assert code == 1
    assert lines[-1] == "mjbot: DISCORD_TOKEN was refused by Discord (check the token)"
    assert "Traceback" not in "\n".join(lines) and TOKEN not in "\n".join(lines)


async def test_an_unwritable_ledger_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    async with FakeDiscord() as fake:
        env = bot_env(fake, DATABASE_PATH=str(blocker / "bot.sqlite3"))
        code, lines = await run_to_exit(env, tmp_path / "bot.log")
    assert code == 1 and lines[-1].startswith("mjbot: cannot open the ledger at DATABASE_PATH=")
    assert "Traceback" not in "\n".join(lines)


async def test_an_unreachable_api_warns_and_the_bot_starts(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        env = bot_env(
            fake,
            MJ_PROVIDER="proxy",
            MJ_API_BASE=f"http://127.0.0.1:{free_port()}",
            DATABASE_PATH=str(tmp_path / "db.sqlite3"),
        )
        log = tmp_path / "bot.log"
        proc = await start_bot(env, log)
        try:
            await fake.wait_ready(timeout=30)
            await fake.wait_for(lambda: bool(fake.commands), 15)
        finally:
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 20) == 0
    text = log.read_text()
    assert "does not answer as it should" in text and "starting anyway" in text
    assert "Traceback" not in text


async def test_a_discord_that_never_answers_is_reported_at_once_then_one_line(tmp_path: Path) -> None:
    """Packets dropped (a firewall, a dead route): the connection opens, no answer ever comes."""
    hole = socket.create_server(("127.0.0.1", 0))  # accepts (the kernel does), never reads or answers
    try:
        async with FakeDiscord() as fake:
            env = bot_env(fake, DATABASE_PATH=str(tmp_path / "db.sqlite3"), STARTUP_RETRY_SECONDS="7")
        env["DISCORD_API_BASE"] = f"http://127.0.0.1:{hole.getsockname()[1]}/api/v10"
        log = tmp_path / "bot.log"
        proc = await start_bot(env, log)
        loop = asyncio.get_running_loop()
        try:
            # The clock starts once the bot is up (its ledger open, the next step is the login): a loaded machine
            # may take seconds to start Python, which says nothing about how soon the bot speaks.
            up_by = loop.time() + 30
            while not any("ledger:" in line for line in lines_of(log)):
                assert loop.time() < up_by and proc.returncode is None, log.read_text()[-2000:]
                await asyncio.sleep(0.05)
            started = loop.time()
            while not any("trying again in" in line for line in lines_of(log)):
                assert loop.time() - started < 8, "nothing said while Discord does not answer"
                await asyncio.sleep(0.1)
            first = next(line for line in lines_of(log) if "trying again in" in line)
            assert "cannot reach Discord at http://127.0.0.1:" in first and "no answer within" in first
            code = await asyncio.wait_for(proc.wait(), 30)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    finally:
        hole.close()
    lines = lines_of(log)
    assert code == 1 and lines[-1].startswith("mjbot: cannot reach Discord at DISCORD_API_BASE=http://127.0.0.1:")
    assert "Traceback" not in "\n".join(lines) and "Unclosed" not in "\n".join(lines)  # each attempt's session closed
