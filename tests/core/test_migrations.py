"""Migrations as numbered SQL files: an existing SQLite ledger upgrades in place, processes starting together
apply each migration once, both backends know the same changes."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import uuid
from pathlib import Path

from bot.core.accounts import Accounts
from bot.core.ledger import Ledger
from bot.core.migrations import latest, migrations, well_numbered
from bot.core.models import JobAction, JobStatus, Requester
from bot.core.quota import Defaults
from bot.core.storage.postgres import numbered
from bot.devtools.pg import ThrowawayPostgres

# Made by the bot before migrations became files (schema 6 in PRAGMA user_version): two jobs in a server
# on Shanghai time, a charge, a refunded failure and a grant of 3.
FIXTURE = Path(__file__).parent / "fixtures" / "ledger_v6.sqlite3"
GUILD, MEMBER = 900000000000000001, 800000000000000002


def test_both_backends_number_the_same_changes() -> None:
    sqlite, postgres = migrations("sqlite"), migrations("postgres")
    assert [(m.version, m.name) for m in sqlite] == [(m.version, m.name) for m in postgres]
    assert latest("sqlite") == latest("postgres") >= 6
    assert all(m.statements() for m in sqlite)


def test_migrations_are_numbered_without_gaps_or_repeats() -> None:
    """The schema version is the last migration applied: a number skipped and added later would never run."""
    assert well_numbered([1, 2, 3, 4, 5, 6, 7, 8]) and well_numbered([])
    assert not well_numbered([1, 2, 3, 4, 5, 6, 8])  # 7 missing
    assert not well_numbered([1, 2, 3, 4, 5, 6, 7, 7, 8])  # the same number twice
    assert not well_numbered([2, 3])
    assert well_numbered([1, 2, 3, 4, 5, 6, 7, 8, 10])  # 9 is reserved for another branch


def test_placeholders_become_numbered_outside_quoted_text() -> None:
    sql = "SELECT * FROM jobs WHERE a = ? AND note = 'why? it''s ?' AND b IN (?, ?)"
    assert numbered(sql) == "SELECT * FROM jobs WHERE a = $1 AND note = 'why? it''s ?' AND b IN ($2, $3)"


async def test_a_ledger_of_the_previous_version_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    shutil.copy(FIXTURE, path)
    ledger = await Ledger.open(path)
    try:
        assert await ledger.schema_version() == latest("sqlite")
        assert ledger.instance == "a922c6928a"  # its name, and so its jobs' submit states, are kept
        jobs = await ledger.jobs_where("1 = 1")
        assert [(j.status, j.cost, j.refunded, j.guild_id, j.user_id) for j in jobs] == [
            (JobStatus.SUCCEEDED, 1, False, GUILD, MEMBER),
            (JobStatus.FAILED, 1, True, GUILD, MEMBER),
        ]
        accounts = Accounts(ledger, Defaults(daily_credits=5))
        assert (await accounts.config(GUILD)).timezone == "Asia/Shanghai"
        standing = await accounts.status(GUILD, MEMBER, [])
        assert standing[0].bonus == 3
        job = await accounts.open_job(Requester(MEMBER, GUILD, 1), [], provider="proxy",
                                      action=JobAction.IMAGINE, prompt="after the upgrade")  # fmt: skip
        assert job.id == 3 and job.cost == 1
    finally:
        await ledger.close()


async def test_a_ledger_at_schema_3_gets_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        for migration in migrations("sqlite")[:3]:
            for statement in migration.statements():
                db.execute(statement)
        db.execute(
            "INSERT INTO jobs (user_id, channel_id, provider, action, prompt, status, upstream_task_id, created_at,"
            " updated_at) VALUES (1, 2, 'proxy', 'imagine', 'old', 'running', 'T9', 100.0, 150.0)"
        )
        db.execute("PRAGMA user_version = 3")
    db.close()
    ledger = await Ledger.open(path)
    try:
        assert await ledger.schema_version() == latest("sqlite")
        old = await ledger.get(1)
        assert old is not None and old.locale == "en-US" and old.submitted_at == 100.0  # set by migration 5
        assert len(ledger.instance) == 10
    finally:
        await ledger.close()


async def test_sqlite_ledgers_opened_together_migrate_once(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    ledgers = await asyncio.gather(*(Ledger.open(path) for _ in range(3)))
    try:
        assert len({ledger.instance for ledger in ledgers}) == 1  # migration 6 ran once: one name
        assert [await ledger.schema_version() for ledger in ledgers] == [latest("sqlite")] * 3
    finally:
        for ledger in ledgers:
            await ledger.close()


async def test_postgres_processes_starting_together_apply_each_migration_once(postgres: ThrowawayPostgres) -> None:
    url = await postgres.create_database(f"m_{uuid.uuid4().hex[:8]}", template="template0")
    ledgers = await asyncio.gather(*(Ledger.open(url, pool_size=2) for _ in range(4)))
    try:
        assert len({ledger.instance for ledger in ledgers}) == 1
        rows = await ledgers[0].fetch_all("SELECT version, name FROM schema_migrations ORDER BY version")
        assert [(r["version"], r["name"]) for r in rows] == [(m.version, m.name) for m in migrations("postgres")]
        assert await ledgers[1].storage.migrate() == []  # nothing left for a later start
    finally:
        for ledger in ledgers:
            await ledger.close()


async def test_snowflakes_fit_on_postgres(postgres: ThrowawayPostgres) -> None:
    url = await postgres.create_database(f"s_{uuid.uuid4().hex[:8]}")
    ledger = await Ledger.open(url)
    try:
        big = 2**63 - 1  # the largest id Discord could ever hand out
        job = await ledger.create_job(Requester(big, big - 1, big - 2), provider="p", action=JobAction.IMAGINE,
                                      prompt="x", message_id=big - 3)  # fmt: skip
        assert (job.user_id, job.guild_id, job.channel_id, job.message_id) == (big, big - 1, big - 2, big - 3)
    finally:
        await ledger.close()
