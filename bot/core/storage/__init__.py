"""The ledger's database: SQLite (one file, the default) or PostgreSQL (shared by several processes)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bot.core.storage.base import Connection, Row, Storage

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(where: Path | str) -> bool:
    return isinstance(where, str) and where.startswith(POSTGRES_SCHEMES)


def shown(where: Path | str) -> str:
    """Where the ledger is, fit for logs and messages: a URL without its password."""
    if not is_postgres(where):
        return str(where)
    parts = urlsplit(str(where))
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{user}{parts.hostname or ''}{port}{parts.path}"


async def open_storage(where: Path | str, *, pool_size: int = 10) -> Storage:
    """A `postgresql://` URL opens PostgreSQL; anything else is a SQLite file (or `:memory:`). Not migrated."""
    if is_postgres(where):
        from bot.core.storage.postgres import PostgresStorage

        return await PostgresStorage.open(str(where), pool_size)
    from bot.core.storage.sqlite import SqliteStorage

    return await SqliteStorage.open(where)


__all__ = ["Connection", "Row", "Storage", "is_postgres", "open_storage", "shown"]
