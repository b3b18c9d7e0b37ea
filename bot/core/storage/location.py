"""Where the ledger is: a SQLite path or a PostgreSQL URL, and how to name it without its password."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

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
