"""The SQLite ledger: every job, kept across restarts (aiosqlite, WAL).

Schema changes are numbered migrations applied in order; `PRAGMA user_version` records the last one.
Writes that belong together run in one `BEGIN IMMEDIATE` transaction.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core import lifecycle
from bot.core.models import Job, JobAction, JobStatus, Requester, UpstreamButton
from bot.core.text import Text

MIGRATIONS: tuple[str, ...] = (
    # 1: jobs
    """
    CREATE TABLE jobs (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id          INTEGER NOT NULL,
        guild_id         INTEGER,
        channel_id       INTEGER NOT NULL,
        message_id       INTEGER,
        parent_id        INTEGER REFERENCES jobs(id),
        parent_button    INTEGER,
        provider         TEXT NOT NULL,
        upstream_task_id TEXT,
        action           TEXT NOT NULL,
        title            TEXT NOT NULL DEFAULT '',
        prompt           TEXT NOT NULL,
        status           TEXT NOT NULL,
        progress         INTEGER NOT NULL DEFAULT 0,
        image_url        TEXT,
        preview_url      TEXT,
        buttons          TEXT NOT NULL DEFAULT '[]',
        error            TEXT,
        created_at       REAL NOT NULL,
        updated_at       REAL NOT NULL,
        finished_at      REAL,
        delivered        INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX jobs_by_status ON jobs(status);
    CREATE INDEX jobs_by_user ON jobs(user_id, created_at);
    CREATE INDEX jobs_by_message ON jobs(message_id);
    """,
    # 2: what actions address (AceData image ids), /describe results, delivered image size
    """
    ALTER TABLE jobs ADD COLUMN action_ref TEXT;
    ALTER TABLE jobs ADD COLUMN descriptions TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE jobs ADD COLUMN image_width INTEGER;
    ALTER TABLE jobs ADD COLUMN image_height INTEGER;
    """,
    # 3: credits, per-server settings, queued requests
    """
    ALTER TABLE jobs ADD COLUMN cost INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN refunded INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN request TEXT;
    ALTER TABLE jobs ADD COLUMN running_limit INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX jobs_by_guild_status ON jobs(guild_id, status);
    CREATE TABLE credit_entries (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id   INTEGER NOT NULL,
        user_id    INTEGER NOT NULL,
        job_id     INTEGER REFERENCES jobs(id),
        kind       TEXT NOT NULL CHECK (kind IN ('charge', 'refund', 'grant', 'revoke', 'reset')),
        pool       TEXT NOT NULL CHECK (pool IN ('daily', 'bonus')),
        amount     INTEGER NOT NULL CHECK (amount >= 0),
        day        TEXT NOT NULL,
        actor_id   INTEGER,
        note       TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL
    );
    CREATE INDEX credit_entries_by_user ON credit_entries(guild_id, user_id, day);
    CREATE INDEX credit_entries_by_job ON credit_entries(job_id);
    CREATE TABLE guild_settings (
        guild_id INTEGER PRIMARY KEY,
        data     TEXT NOT NULL DEFAULT '{}'
    );
    """,
    # 4: the language of the member who started a job, for its public message
    """
    ALTER TABLE jobs ADD COLUMN locale TEXT NOT NULL DEFAULT 'en-US';
    """,
    # 5: the mode a job goes with, the moments its time limits count from, shared upscales, strikes
    """
    ALTER TABLE jobs ADD COLUMN mode TEXT;
    ALTER TABLE jobs ADD COLUMN bot_type TEXT;
    ALTER TABLE jobs ADD COLUMN submitted_at REAL;
    ALTER TABLE jobs ADD COLUMN input_since REAL;
    ALTER TABLE jobs ADD COLUMN source_id INTEGER REFERENCES jobs(id);
    UPDATE jobs SET submitted_at = created_at WHERE upstream_task_id IS NOT NULL;
    UPDATE jobs SET input_since = updated_at WHERE status = 'needs_input';
    CREATE INDEX jobs_by_parent ON jobs(parent_id, parent_button, action);
    CREATE INDEX jobs_by_source ON jobs(source_id);
    CREATE TABLE strikes (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id   INTEGER NOT NULL,
        user_id    INTEGER NOT NULL,
        day        TEXT NOT NULL,
        job_id     INTEGER REFERENCES jobs(id),
        reason     TEXT NOT NULL,
        cleared    INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE INDEX strikes_by_user ON strikes(guild_id, user_id, day);
    """,
    # 6: this ledger's own name, so that its jobs are told from another ledger's on a shared API account
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta (key, value) VALUES ('instance', lower(hex(randomblob(5))));
    """,
    # 7: a video job's MP4 links (its image_url is their cover)
    """
    ALTER TABLE jobs ADD COLUMN video_urls TEXT NOT NULL DEFAULT '[]';
    """,
)

_UPDATABLE = frozenset(
    {
        "message_id",
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


class Ledger:
    def __init__(self, db: aiosqlite.Connection, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock
        # One connection serves every coroutine: writes take turns, or one coroutine's statement would
        # land inside (and roll back with) another's transaction.
        self._write_lock = asyncio.Lock()
        self._move_listeners: list[Callable[[Job, JobStatus], Awaitable[None]]] = []
        self.instance = ""  # set at open: a random name made when the ledger was created

    @classmethod
    async def open(cls, path: Path | str, clock: Callable[[], float] = time.time) -> Ledger:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode; transactions are explicit so their extent is visible in the code.
        db = await aiosqlite.connect(str(path), isolation_level=None)
        db.row_factory = aiosqlite.Row
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=5000"):
            await db.execute(f"PRAGMA {pragma}")
        ledger = cls(db, clock)
        await ledger._migrate()
        async with db.execute("SELECT value FROM meta WHERE key = 'instance'") as cur:
            row = await cur.fetchone()
        assert row is not None
        ledger.instance = str(row[0])
        return ledger

    async def close(self) -> None:
        await self._db.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        current = await self.schema_version()
        for version, script in enumerate(MIGRATIONS, start=1):
            if version <= current:
                continue
            async with self.transaction() as db:
                for statement in filter(str.strip, script.split(";")):
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {version}")

    # -- jobs ----------------------------------------------------------------------------------
    async def create_job(self, requester: Requester, **fields: Any) -> Job:
        async with self.transaction() as db:
            job_id = await self.insert_job(db, requester, **fields)
        job = await self.get(job_id)
        assert job is not None
        return job

    async def insert_job(
        self,
        db: aiosqlite.Connection,
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
        cur = await db.execute(
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
        assert cur.lastrowid is not None
        return cur.lastrowid

    async def request_of(self, job_id: int) -> str | None:
        async with self._db.execute("SELECT request FROM jobs WHERE id = ?", (job_id,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._db.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

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
        within: Callable[[aiosqlite.Connection], Awaitable[None]] | None = None,
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
        async with self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)) as cur:
            row = await cur.fetchone()
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


def row_to_job(row: aiosqlite.Row) -> Job:
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
    )
