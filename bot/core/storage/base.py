"""What the ledger needs from a database, whichever it is: the `Storage` and `Connection` protocols.

SQL is written once, with `?` placeholders and in the dialect both SQLite and PostgreSQL accept; each
backend adapts the placeholders in one place.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from bot.core.migrations import Backend


class Row(Protocol):
    """A result row: by position or column name (`sqlite3.Row`, `asyncpg.Record`); `dict(row)` works."""

    def __getitem__(self, key: Any, /) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...
    def keys(self) -> Any: ...


Params = Sequence[Any]


class Connection(Protocol):
    """Statements inside one transaction."""

    async def execute(self, sql: str, params: Params = ()) -> None: ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one `INSERT` and return the new row's `id`."""
        ...

    async def lock_guild(self, guild_id: int) -> None:
        """Hold this server's credits until the transaction ends: another process's charge for the same
        server waits here, then reads what this one wrote."""
        ...

    async def lock_job(self, job_id: int) -> None:
        """Hold this job's row until the transaction ends (its status and refund are read, then written)."""
        ...


class Storage(Protocol):
    backend: Backend

    @property
    def where(self) -> str:
        """The database, fit for logs and the doctor: never a password."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """One transaction. Callers take turns (the ledger's write lock): SQLite has one connection."""
        ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def schema_version(self) -> int:
        """The last migration applied (0: none)."""
        ...

    async def migrate(self) -> list[int]:
        """Apply the pending migrations under a lock (several processes may start together); their numbers."""
        ...

    async def close(self) -> None: ...
