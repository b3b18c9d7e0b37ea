"""The ledger's database: SQLite (one file, the default) or PostgreSQL (shared by several processes)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from bot.core.storage.base import Connection, Row, Storage
from bot.core.storage.location import is_postgres, shown


async def open_storage(where: Path | str, *, pool_size: int = 10, read_only: bool = False) -> Storage:
    """A `postgresql://` URL opens PostgreSQL; anything else is a SQLite file (or `:memory:`). Not migrated.
    `read_only`: the database itself refuses writes."""
    if is_postgres(where):
        from bot.core.storage.postgres import PostgresStorage

        return await PostgresStorage.open(str(where), pool_size, read_only=read_only)
    from bot.core.storage.sqlite import SqliteStorage

    return await SqliteStorage.open(where, read_only=read_only)


def storage_errors() -> tuple[type[Exception], ...]:
    """What opening or using a ledger can raise. asyncpg's errors only once PostgreSQL was opened: asyncpg is
    imported only then (~10 MB a SQLite bot does not need), and none of its errors can arise before."""
    asyncpg = sys.modules.get("asyncpg")
    if asyncpg is None:
        return (sqlite3.Error,)
    return (sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError)


__all__ = ["Connection", "Row", "Storage", "is_postgres", "open_storage", "shown", "storage_errors"]
