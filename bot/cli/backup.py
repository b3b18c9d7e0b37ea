"""`mjbot backup PATH` and `mjbot restore PATH`: the SQLite ledger copied out and back, safely.

Backup uses SQLite's online backup API, so the bot may keep running: the copy is one consistent moment of
the ledger, written beside PATH and renamed into place once checked. Restore copies a backup into a ledger
that holds no job and no credit entry yet (stop the bot first), then applies any migration the backup
predates. PostgreSQL has its own tools for both (pg_dump, pg_restore); for it these commands say how.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from pathlib import Path

from bot.core.ledger import Ledger
from bot.core.migrations import latest
from bot.core.storage import shown
from bot.settings import Settings


class BackupError(Exception):
    """The backup or restore cannot be made; one line."""


def backup(settings: Settings, path: Path) -> int:
    if settings.database_url is not None:
        raise BackupError(
            f"the ledger is PostgreSQL ({shown(settings.database)}): back it up with its own tool, while the bot"
            f' runs: pg_dump --format=custom --file {path} "$DATABASE_URL"'
        )
    source = settings.database_path
    if not source.exists():
        raise BackupError(f"no ledger at DATABASE_PATH={source}")
    if path.exists():
        raise BackupError(f"{path} exists already: give a new file name")
    partial = path.with_name(f".{path.name}.partial")
    try:
        with _open(source, "ro") as db, _open(partial, "rwc") as copy:
            db.backup(copy)  # page by page, consistent even while the bot writes
            _check(copy, str(path))
            jobs, entries = _counts(copy)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    print(f"ledger {source} backed up to {path}: {jobs} jobs, {entries} credit entries")
    return 0


def restore(settings: Settings, path: Path) -> int:
    if settings.database_url is not None:
        raise BackupError(
            f"the ledger is PostgreSQL ({shown(settings.database)}): restore a pg_dump backup with its own tool"
            f' into an empty database: pg_restore --no-owner --dbname "$DATABASE_URL" {path}'
        )
    if not path.is_file():
        raise BackupError(f"no backup at {path}")
    target = settings.database_path
    with _open(path, "ro") as source:
        _check(source, str(path))
        version = int(source.execute("PRAGMA user_version").fetchone()[0])
        if version > latest("sqlite"):
            raise BackupError(f"{path} has schema {version}, newer than this version of the bot knows")
        jobs, entries = _counts(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        with _open(target, "rwc") as into:
            if _has_table(into, "jobs") and _counts(into) != (0, 0):
                raise BackupError(
                    f"the ledger at DATABASE_PATH={target} is not empty: restore into a new DATABASE_PATH"
                )
            source.backup(into)
    asyncio.run(_migrate(target))
    print(f"{path} restored into {target}: {jobs} jobs, {entries} credit entries")
    return 0


def _open(path: Path, mode: str) -> contextlib.closing[sqlite3.Connection]:
    try:
        return contextlib.closing(sqlite3.connect(f"file:{path}?mode={mode}", uri=True))
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened: {exc}") from None


def _check(db: sqlite3.Connection, name: str) -> None:
    try:
        verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
        if not _has_table(db, "jobs"):
            raise BackupError(f"{name} is not an mjbot ledger (it has no jobs table)")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{name} is not a readable SQLite ledger: {exc}") from None
    if verdict != "ok":
        raise BackupError(f"{name} fails SQLite's integrity check: {verdict}")


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _counts(db: sqlite3.Connection) -> tuple[int, int]:
    jobs = int(db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0])
    entries = int(db.execute("SELECT COUNT(*) FROM credit_entries").fetchone()[0])
    return jobs, entries


async def _migrate(target: Path) -> None:
    ledger = await Ledger.open(target, pool_size=1)  # an older backup is brought to the current schema
    await ledger.close()
