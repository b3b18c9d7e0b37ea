"""The ledger: every job, kept across restarts, on SQLite or PostgreSQL (`bot.core.storage`).

Schema changes are numbered SQL files (`bot.core.migrations`), applied in order when the ledger opens.
Writes that belong together run in one transaction.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.core import lifecycle, metrics
from bot.core.migrations import latest
from bot.core.models import Job, JobAction, JobStatus, Requester, UpstreamButton
from bot.core.storage import Connection, Row, Storage, open_storage
from bot.core.text import Text

_UPDATABLE = frozenset(
    {
        "message_id",
        "provider",  # set before the submit: a job that fails over is sent to (and followed at) another API
        "upstream_task_id",
        "progress",
        "image_url",
        "preview_url",
        "buttons",
        "error",
        "finished_at",
        "delivered",
        "prompt",
        "action_ref",
        "descriptions",
        "video_urls",
        "image_width",
        "image_height",
        "refunded",
        "request",
        "submitted_at",
        "input_since",
    }
)


class SchemaMismatch(Exception):
    """The ledger is not at the schema this code reads, and it may not be migrated now."""

    def __init__(self, version: int, latest: int) -> None:
        super().__init__(f"the ledger is at schema {version}, this version of the bot reads schema {latest}")
        self.version = version
        self.latest = latest


class Ledger:
    def __init__(self, storage: Storage, clock: Callable[[], float] = time.time) -> None:
        self.storage = storage
        self._clock = clock
        # Transactions take turns in one process: on SQLite one connection serves every coroutine (a
        # statement would land inside another's transaction), and on both the in-memory mirror reads
        # back what it wrote with no other write of this process in between.
        self._write_lock = asyncio.Lock()
        self._move_listeners: list[Callable[[Job, JobStatus], Awaitable[None]]] = [metrics.job_moved]
        self.instance = ""  # set at open: a random name made when the ledger was created

    @classmethod
    async def open(
        cls, where: Path | str, clock: Callable[[], float] = time.time, *, pool_size: int = 10, read_only: bool = False
    ) -> Ledger:
        """The ledger at a SQLite path or a `postgresql://` URL, migrated to the latest schema.

        `read_only`: nothing is migrated or written (the database refuses it); a ledger not at the latest
        schema raises `SchemaMismatch`, since this code could misread it."""
        storage = await open_storage(where, pool_size=pool_size, read_only=read_only)
        try:
            if not read_only:
                await storage.migrate()
            elif (version := await storage.schema_version()) != latest(storage.backend):
                raise SchemaMismatch(version, latest(storage.backend))
            row = await storage.fetch_one("SELECT value FROM meta WHERE key = 'instance'")
        except BaseException:
            await storage.close()
            raise
        assert row is not None
        ledger = cls(storage, clock)
        ledger.instance = str(row[0])
        return ledger

    async def close(self) -> None:
        await self.storage.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._write_lock:
            with metrics.counted_on_commit():
                async with self.storage.transaction() as db:
                    yield db

    async def schema_version(self) -> int:
        return await self.storage.schema_version()

    # -- jobs ----------------------------------------------------------------------------------
    async def create_job(self, requester: Requester, **fields: Any) -> Job:
        async with self.transaction() as db:
            job_id = await self.insert_job(db, requester, **fields)
        job = await self.get(job_id)
        assert job is not None
        return job

    async def insert_job(
        self,
        db: Connection,
        requester: Requester,
        *,
        provider: str,
        action: JobAction,
        prompt: str,
        title: Text | None = None,
        message_id: int | None = None,
        parent_id: int | None = None,
        parent_button: int | None = None,
        status: JobStatus = JobStatus.SUBMITTING,
        cost: int = 0,
        running_limit: int = 0,
        locale: str = "en-US",
        mode: str | None = None,
        bot_type: str | None = None,
        source_id: int | None = None,
        request: str | None = None,
    ) -> int:
        """A new job row, inside the caller's transaction (so a charge can share it)."""
        if status not in lifecycle.INITIAL:
            raise lifecycle.IllegalTransition(0, None, status)
        now = self._clock()
        metrics.job_written(action.value, mode, status)
        return await db.insert(
            """INSERT INTO jobs (user_id, guild_id, channel_id, message_id, parent_id, parent_button, provider,
                                 action, title, prompt, status, cost, running_limit, locale, mode, bot_type,
                                 source_id, request, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                requester.user_id,
                requester.guild_id,
                requester.channel_id,
                message_id,
                parent_id,
                parent_button,
                provider,
                action.value,
                title.to_json() if title else "",
                prompt,
                status.value,
                cost,
                running_limit,
                locale,
                mode,
                bot_type,
                source_id,
                request,
                now,
                now,
            ),
        )

    async def request_of(self, job_id: int) -> str | None:
        row = await self.storage.fetch_one("SELECT request FROM jobs WHERE id = ?", (job_id,))
        return row[0] if row else None

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        return await self.storage.fetch_all(sql, tuple(params))

    async def jobs_where(self, where: str, params: Iterable[Any] = (), suffix: str = "ORDER BY id") -> list[Job]:
        return [row_to_job(r) for r in await self.fetch_all(f"SELECT * FROM jobs WHERE {where} {suffix}", params)]

    async def update(self, job_id: int, **fields: Any) -> Job:
        """Set columns of one job and return it as stored."""
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        values = {k: _to_db(v) for k, v in fields.items()}
        values["updated_at"] = self._clock()
        assignments = ", ".join(f"{name} = ?" for name in values)
        async with self.transaction() as db:
            await db.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", (*values.values(), job_id))
        job = await self.get(job_id)
        if job is None:
            raise KeyError(job_id)
        return job

    def on_move(self, listener: Callable[[Job, JobStatus], Awaitable[None]]) -> None:
        """Call `listener(job, former status)` after each `transition` is written."""
        self._move_listeners.append(listener)

    async def transition(
        self,
        job_id: int,
        status: JobStatus,
        *,
        within: Callable[[Connection], Awaitable[None]] | None = None,
        **fields: Any,
    ) -> Job:
        """Move a job to `status` (with other columns) through the lifecycle table; see `lifecycle.move`.

        `within` runs in the same transaction once the move is allowed (a refund): both land, or neither.
        """
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        async with self.transaction() as db:
            former = await lifecycle.move(db, job_id, status, self._clock(), {k: _to_db(v) for k, v in fields.items()})
            if within is not None:
                await within(db)
        job = await self.get(job_id)
        assert job is not None
        for listener in self._move_listeners:
            await listener(job, former)
        return job

    async def get(self, job_id: int) -> Job | None:
        row = await self.storage.fetch_one("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return row_to_job(row) if row else None

    async def jobs_with_status(self, statuses: Iterable[JobStatus]) -> list[Job]:
        wanted = [s.value for s in statuses]
        return await self.jobs_where(f"status IN ({', '.join('?' for _ in wanted)})", wanted)

    async def undelivered(self) -> list[Job]:
        """Finished jobs whose final state never reached Discord (the bot stopped in between)."""
        finished, values = lifecycle.marks(lifecycle.FINISHED)
        return await self.jobs_where(f"delivered = 0 AND status IN ({finished}) AND message_id IS NOT NULL", values)


def _to_db(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return json.dumps([b.to_json() if isinstance(b, UpstreamButton) else b for b in value])
    if isinstance(value, JobStatus):
        return value.value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Text):
        return value.to_json()
    return value


def row_to_job(row: Row) -> Job:
    return Job(
        id=row["id"],
        user_id=row["user_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        parent_id=row["parent_id"],
        parent_button=row["parent_button"],
        upstream_task_id=row["upstream_task_id"],
        action=JobAction(row["action"]),
        title=Text.from_stored(row["title"]) if row["title"] else None,
        prompt=row["prompt"],
        status=JobStatus(row["status"]),
        progress=row["progress"],
        image_url=row["image_url"],
        preview_url=row["preview_url"],
        buttons=[UpstreamButton.from_json(b) for b in json.loads(row["buttons"] or "[]")],
        error=Text.from_stored(row["error"]) if row["error"] else None,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
        delivered=bool(row["delivered"]),
        action_ref=row["action_ref"],
        descriptions=list(json.loads(row["descriptions"] or "[]")),
        video_urls=list(json.loads(row["video_urls"] or "[]")),
        image_width=row["image_width"],
        image_height=row["image_height"],
        cost=row["cost"],
        refunded=bool(row["refunded"]),
        running_limit=row["running_limit"],
        locale=row["locale"],
        mode=row["mode"],
        bot_type=row["bot_type"],
        submitted_at=row["submitted_at"],
        input_since=row["input_since"],
        source_id=row["source_id"],
        provider=row["provider"] or "",
    )
