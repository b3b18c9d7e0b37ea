"""The SQLite backend (aiosqlite, WAL): one file, one process.

Transactions are `BEGIN IMMEDIATE`: a writer holds the whole database until it commits, so the locks
PostgreSQL needs between processes are nothing here.
"""

from __future__ import annotations

import asyncio
import sqlite3
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.core.migrations import Backend, migrations
from bot.core.storage.base import Params, Row

BUSY_SECONDS = 10.0  # the longest a write waits for another process's


class _Connection:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    async def execute(self, sql: str, params: Params = ()) -> None:
        await self._db.execute(sql, tuple(params))

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        async with self._db.execute(sql, tuple(params)) as cur:
            row: Row | None = await cur.fetchone()
            return row

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._db.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def insert(self, sql: str, params: Params = ()) -> int:
        async with self._db.execute(sql, tuple(params)) as cur:
            assert cur.lastrowid is not None
            return cur.lastrowid

    async def lock_guild(self, guild_id: int) -> None:
        """`BEGIN IMMEDIATE` already holds the whole database."""

    async def lock_job(self, job_id: int) -> None:
        """`BEGIN IMMEDIATE` already holds the whole database."""


class SqliteStorage:
    backend: Backend = "sqlite"

    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
        self._db = db
        self._conn = _Connection(db)
        self._path = path

    @classmethod
    async def open(cls, path: Path | str, *, read_only: bool = False) -> SqliteStorage:
        """`read_only`: SQLite itself refuses every write (the operator's read-only commands)."""
        if read_only:
            uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"
            db = await aiosqlite.connect(uri, uri=True, isolation_level=None)
            pragmas: tuple[str, ...] = ("busy_timeout=5000",)
        else:
            if str(path) != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode; transactions are explicit so their extent is visible in the code.
            db = await aiosqlite.connect(str(path), isolation_level=None)
            # busy_timeout first: processes opening a new file together wait for each other's switch to WAL.
            pragmas = ("busy_timeout=5000", "journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON")
        db.row_factory = aiosqlite.Row
        storage = cls(db, str(path))
        try:
            for pragma in pragmas:
                await storage._retry_locked(f"PRAGMA {pragma}")
        except BaseException:
            await db.close()  # its thread would keep the process alive
            raise
        return storage

    @property
    def where(self) -> str:
        return self._path

    async def close(self) -> None:
        await self._db.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Connection]:
        await self._begin()
        try:
            yield self._conn
        except BaseException:
            await self._db.execute("ROLLBACK")
            raise
        await self._db.execute("COMMIT")

    async def _begin(self) -> None:
        """BEGIN IMMEDIATE. When another process shares the file (shards) and wrote since a read still open
        on this connection began, SQLite answers "locked" at once instead of waiting (busy_timeout does not
        apply: waiting could not help that read); it ends within moments, so try again."""
        await self._retry_locked("BEGIN IMMEDIATE")

    async def _retry_locked(self, sql: str) -> None:
        loop = asyncio.get_running_loop()
        deadline, delay = loop.time() + BUSY_SECONDS, 0.002
        while True:
            try:
                await self._db.execute(sql)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or loop.time() >= deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        return await self._conn.fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._conn.fetch_all(sql, params)

    async def schema_version(self) -> int:
        row = await self.fetch_one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def journal_mode(self) -> str:
        row = await self.fetch_one("PRAGMA journal_mode")
        return str(row[0]) if row else ""

    async def migrate(self) -> list[int]:
        # One IMMEDIATE transaction: a second process starting at once waits, then finds nothing to do.
        applied = []
        async with self.transaction() as db:
            current = await self.schema_version()
            for migration in migrations(self.backend):
                if migration.version <= current:
                    continue
                for statement in migration.statements():
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {migration.version}")
                applied.append(migration.version)
        return applied
