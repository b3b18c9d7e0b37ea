"""The ledger's database: SQLite (one file, the default) or PostgreSQL (shared by several processes)."""

from __future__ import annotations

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


__all__ = ["Connection", "Row", "Storage", "is_postgres", "open_storage", "shown"]
