"""The PostgreSQL backend (asyncpg pool): one ledger shared by several bot processes.

How credit reservations stay exact with several processes. A balance is a sum of `credit_entries` and a
server's running jobs are a count, so there is no one row to lock for "this member's credits" or "this
server's slots". Every transaction that checks a limit and then writes against it (a charge, the queue
starting a waiting job, a revoke, a reset) first takes `pg_advisory_xact_lock(guild id)`: a charge of
another process for the same server waits there until this one commits, and then, at READ COMMITTED,
every statement it runs sees that commit. So a check and its write are atomic per server, as
`BEGIN IMMEDIATE` makes them on SQLite, while different servers never wait for each other. A job's
status moves and refunds lock the job's row (`FOR NO KEY UPDATE`, which does not block the foreign-key
checks of its child jobs). Locks are always taken server first, then job, so they cannot deadlock.
SERIALIZABLE with retries was not chosen: a charge also updates the in-memory mirror and is not safe
to run twice, and retries would make the burst of one member slower, not faster.

Within one process, transactions still take turns (the ledger's write lock, as on SQLite), so the mirror
reads back what it wrote. Reads outside a transaction run on the pool, at once.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

import asyncpg

from bot.core.migrations import Backend, migrations
from bot.core.storage.base import Params, Row
from bot.core.storage.location import shown

# Two-key advisory locks live apart from the one-key ones that name servers.
MIGRATION_LOCK = (0x6D6A, 0x626F74)
_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?")


@cache
def numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2 …` (a `?` inside a quoted string stays)."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match[0] != "?":
            return match[0]
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)


class _Connection:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> None:
        await self._conn.execute(numbered(sql), *params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        row: Row | None = await self._conn.fetchrow(numbered(sql), *params)
        return row

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.fetch(numbered(sql), *params))

    async def insert(self, sql: str, params: Params = ()) -> int:
        return int(await self._conn.fetchval(numbered(sql) + " RETURNING id", *params))

    async def lock_guild(self, guild_id: int) -> None:
        await self._conn.execute("SELECT pg_advisory_xact_lock($1)", guild_id)

    async def lock_job(self, job_id: int) -> None:
        await self._conn.execute("SELECT 1 FROM jobs WHERE id = $1 FOR NO KEY UPDATE", job_id)


class PostgresStorage:
    backend: Backend = "postgres"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self._where = shown(url)

    @classmethod
    async def open(cls, url: str, pool_size: int = 10, *, read_only: bool = False) -> PostgresStorage:
        """`read_only`: every transaction of these sessions is read-only, so the server refuses writes."""
        settings = {"default_transaction_read_only": "on"} if read_only else None
        pool = await asyncpg.create_pool(url, min_size=1, max_size=max(1, pool_size), server_settings=settings)
        return cls(pool, url)

    @property
    def where(self) -> str:
        return self._where

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Connection]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield _Connection(conn)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        async with self._pool.acquire() as conn:
            row: Row | None = await conn.fetchrow(numbered(sql), *params)
            return row

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._pool.acquire() as conn:
            return list(await conn.fetch(numbered(sql), *params))

    async def schema_version(self) -> int:
        async with self._pool.acquire() as conn:
            return await _version(conn)

    async def migrate(self) -> list[int]:
        """Each pending migration in its own transaction, all under one session lock: processes that start
        together apply each migration once, the others wait and find nothing left."""
        applied = []
        async with self._pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1, $2)", *MIGRATION_LOCK)
            try:
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations"
                    " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
                )
                current = await _version(conn)
                for migration in migrations(self.backend):
                    if migration.version <= current:
                        continue
                    async with conn.transaction():
                        await conn.execute(migration.sql)
                        await conn.execute(
                            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                            migration.version,
                            migration.name,
                            time.time(),
                        )
                    applied.append(migration.version)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1, $2)", *MIGRATION_LOCK)
        return applied


async def _version(conn: asyncpg.Connection) -> int:
    if await conn.fetchval("SELECT to_regclass('schema_migrations')") is None:
        return 0
    return int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))
