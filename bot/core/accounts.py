"""Who may spend what: charges in the same transaction as the job, refunds, grants, the queue order.

No Discord here: the caller passes the member's role ids.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import aiosqlite

from bot.core import quota
from bot.core.ledger import Ledger
from bot.core.models import Job, JobAction, JobStatus, Requester
from bot.core.quota import Allowance, Balance, Defaults, GuildConfig


class Refusal(Exception):
    """A job refused for the member's limits or the server's rules; nothing was charged."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


@dataclass(frozen=True)
class _Decision:
    """How one job is charged; the defaults are an uncharged job that runs at once."""

    status: JobStatus = JobStatus.SUBMITTING
    cost: int = 0
    running_limit: int = 0
    split: tuple[int, int] = (0, 0)  # from the daily allowance, from bonus credits
    day: str = ""  # the server-local day the charge counts against


@dataclass(frozen=True)
class Stats:
    jobs: int
    failed: int
    charged: int
    refunded: int


class Accounts:
    def __init__(self, ledger: Ledger, defaults: Defaults, clock: Callable[[], float] = time.time) -> None:
        self.ledger = ledger
        self.defaults = defaults
        self._clock = clock

    # -- configuration -------------------------------------------------------------------------
    async def config(self, guild_id: int | None) -> GuildConfig:
        if guild_id is None:
            return GuildConfig()
        async with self.ledger.transaction() as db:
            return await quota.load_config(db, guild_id)

    async def change_config(self, guild_id: int, change: Callable[[GuildConfig], None]) -> GuildConfig:
        async with self.ledger.transaction() as db:
            config = await quota.load_config(db, guild_id)
            change(config)
            await quota.save_config(db, guild_id, config)
        return config

    # -- checks and charges ----------------------------------------------------------------------
    async def status(self, guild_id: int, user_id: int, role_ids: list[int]) -> tuple[Balance, Allowance]:
        async with self.ledger.transaction() as db:
            config = await quota.load_config(db, guild_id)
            limits = quota.allowance(config, self.defaults, role_ids)
            return await quota.balance(db, guild_id, user_id, config, limits, self._clock()), limits

    async def check(self, requester: Requester, role_ids: list[int], action: JobAction) -> None:
        """The same rules as `open_job`, without writing: to refuse early and privately."""
        if requester.guild_id is None:
            return
        async with self.ledger.transaction() as db:
            await self._decide(db, requester, role_ids, action)

    async def open_job(
        self,
        requester: Requester,
        role_ids: list[int],
        *,
        charge: bool = True,
        request: str | None = None,
        **job: object,
    ) -> Job:
        """The job row and its charge, in one transaction, before anything is paid upstream.

        With `charge=False` the row is written uncharged (its input is still to be checked) and
        `charge()` follows. Raises `Refusal` when the member's limits or the server's rules say no.
        """
        action = job["action"]
        assert isinstance(action, JobAction)
        async with self.ledger.transaction() as db:
            decision = _Decision()
            if charge and requester.guild_id is not None:
                decision = await self._decide(db, requester, role_ids, action)
            job_id = await self.ledger.insert_job(
                db,
                requester,
                status=decision.status,
                cost=decision.cost,
                running_limit=decision.running_limit,
                **job,  # type: ignore[arg-type]
            )
            if request is not None:
                await db.execute("UPDATE jobs SET request = ? WHERE id = ?", (request, job_id))
            await self._write_charge(db, requester, job_id, decision)
        opened = await self.ledger.get(job_id)
        assert opened is not None
        return opened

    async def charge(self, job: Job, role_ids: list[int], request: str | None = None) -> Job:
        """Charge a job opened uncharged, once its input passed every check."""
        requester = Requester(job.user_id, job.guild_id, job.channel_id)
        async with self.ledger.transaction() as db:
            decision = _Decision()
            if job.guild_id is not None:
                decision = await self._decide(db, requester, role_ids, job.action, exclude_job=job.id)
            await db.execute(
                "UPDATE jobs SET status = ?, cost = ?, running_limit = ?, request = ?, updated_at = ? WHERE id = ?",
                (decision.status.value, decision.cost, decision.running_limit, request, self._clock(), job.id),
            )
            await self._write_charge(db, requester, job.id, decision)
        charged = await self.ledger.get(job.id)
        assert charged is not None
        return charged

    async def _decide(
        self,
        db: aiosqlite.Connection,
        requester: Requester,
        role_ids: list[int],
        action: JobAction,
        exclude_job: int = 0,
    ) -> _Decision:
        """How a new job is charged and whether it runs or waits; or a Refusal."""
        assert requester.guild_id is not None
        now = self._clock()
        config = await quota.load_config(db, requester.guild_id)
        if requester.user_id in config.blocked:
            raise Refusal("You are blocked from using this bot in this server.")
        if config.allowed_channels and requester.channel_id not in config.allowed_channels:
            channels = ", ".join(f"<#{c}>" for c in config.allowed_channels)
            raise Refusal(f"This bot works only in {channels} on this server.")
        limits = quota.allowance(config, self.defaults, role_ids)
        balance = await quota.balance(db, requester.guild_id, requester.user_id, config, limits, now, exclude_job)
        cost = config.cost(action)
        if not balance.can_pay(cost):
            reset = balance.reset_at
            raise Refusal(
                f"You have used your {limits.daily} credits for today and this costs {cost}."
                f" Your credits come back at {reset:%H:%M} {config.timezone} (in {quota.until(reset, now)})."
            )
        status = JobStatus.SUBMITTING
        server_running = await quota.server_running(db, requester.guild_id, exclude_job)
        user_full = limits.running and balance.running >= limits.running
        server_full = limits.server_running and server_running >= limits.server_running
        if user_full or server_full:
            if limits.waiting and balance.waiting >= limits.waiting:
                raise Refusal(
                    f"You already have {balance.running} jobs running and {balance.waiting} waiting, the most"
                    " allowed. A slot frees as soon as one of them finishes."
                )
            status = JobStatus.WAITING
        return _Decision(status, cost, limits.running, balance.split(cost), quota.local_day(config, now))

    async def _write_charge(
        self, db: aiosqlite.Connection, requester: Requester, job_id: int, decision: _Decision
    ) -> None:
        if requester.guild_id is None:
            return
        for pool, amount in zip(("daily", "bonus"), decision.split, strict=True):
            if amount:
                await quota.add_entry(
                    db,
                    guild_id=requester.guild_id,
                    user_id=requester.user_id,
                    kind="charge",
                    pool=pool,
                    amount=amount,
                    day=decision.day,
                    now=self._clock(),
                    job_id=job_id,
                )

    async def refund(self, job: Job) -> bool:
        """Give back what a job was charged (once), into the pools and day it came from."""
        async with self.ledger.transaction() as db:
            async with db.execute("SELECT refunded FROM jobs WHERE id = ?", (job.id,)) as cur:
                row = await cur.fetchone()
            if row is None or row[0]:
                return False
            charges = await _rows(db, "SELECT * FROM credit_entries WHERE job_id = ? AND kind = 'charge'", (job.id,))
            for c in charges:
                await quota.add_entry(
                    db,
                    guild_id=c["guild_id"],
                    user_id=c["user_id"],
                    kind="refund",
                    pool=c["pool"],
                    amount=c["amount"],
                    day=c["day"],
                    now=self._clock(),
                    job_id=job.id,
                )
            await db.execute("UPDATE jobs SET refunded = 1 WHERE id = ?", (job.id,))
        return bool(charges)

    # -- admin movements ---------------------------------------------------------------------------
    async def grant(self, guild_id: int, user_id: int, amount: int, actor_id: int, note: str = "") -> int:
        """Bonus credits (they never expire); returns the new bonus balance."""
        return await self._bonus_move(guild_id, user_id, "grant", amount, actor_id, note)

    async def revoke(self, guild_id: int, user_id: int, amount: int, actor_id: int, note: str = "") -> int:
        """Take back bonus credits, never below zero; returns the new bonus balance."""
        return await self._bonus_move(guild_id, user_id, "revoke", amount, actor_id, note)

    async def _bonus_move(self, guild_id: int, user_id: int, kind: str, amount: int, actor_id: int, note: str) -> int:
        async with self.ledger.transaction() as db:
            config = await quota.load_config(db, guild_id)
            limits = quota.allowance(config, self.defaults, [])
            now = self._clock()
            before = await quota.balance(db, guild_id, user_id, config, limits, now)
            amount = min(amount, before.bonus) if kind == "revoke" else amount
            if amount > 0:
                await quota.add_entry(
                    db,
                    guild_id=guild_id,
                    user_id=user_id,
                    kind=kind,
                    pool="bonus",
                    amount=amount,
                    day=quota.local_day(config, now),
                    now=now,
                    actor_id=actor_id,
                    note=note,
                )
            return before.bonus + (amount if kind == "grant" else -amount)

    async def reset_day(self, guild_id: int, user_id: int, actor_id: int) -> int:
        """Give a member today's allowance back; returns the credits restored."""
        async with self.ledger.transaction() as db:
            config = await quota.load_config(db, guild_id)
            limits = quota.allowance(config, self.defaults, [])
            now = self._clock()
            used = (await quota.balance(db, guild_id, user_id, config, limits, now)).daily_used
            if used > 0:
                await quota.add_entry(
                    db,
                    guild_id=guild_id,
                    user_id=user_id,
                    kind="reset",
                    pool="daily",
                    amount=used,
                    day=quota.local_day(config, now),
                    now=now,
                    actor_id=actor_id,
                )
            return used

    # -- the queue -------------------------------------------------------------------------------
    async def start_waiting(self) -> list[Job]:
        """Waiting jobs that now have a free slot, oldest first, moved to SUBMITTING."""
        started: list[int] = []
        async with self.ledger.transaction() as db:
            waiting = await _rows(
                db, "SELECT id, guild_id, user_id, running_limit FROM jobs WHERE status = 'waiting' ORDER BY id"
            )
            for row in waiting:
                config = await quota.load_config(db, row["guild_id"])
                server_limit = (
                    config.server_running if config.server_running is not None else self.defaults.server_running
                )
                if server_limit and await quota.server_running(db, row["guild_id"]) >= server_limit:
                    continue
                if row["running_limit"]:
                    marks = ",".join("?" * len(quota.RUNNING))
                    user_running = await _count(
                        db,
                        f"SELECT COUNT(*) FROM jobs WHERE guild_id = ? AND user_id = ? AND status IN ({marks})",
                        (row["guild_id"], row["user_id"], *quota.RUNNING),
                    )
                    if user_running >= row["running_limit"]:
                        continue
                await db.execute(
                    "UPDATE jobs SET status = 'submitting', updated_at = ? WHERE id = ?", (self._clock(), row["id"])
                )
                started.append(row["id"])
        jobs = [await self.ledger.get(i) for i in started]
        return [j for j in jobs if j is not None]

    async def queue_position(self, job: Job) -> int:
        async with self.ledger.transaction() as db:
            return 1 + await _count(
                db,
                "SELECT COUNT(*) FROM jobs WHERE guild_id IS ? AND status = 'waiting' AND id < ?",
                (job.guild_id, job.id),
            )

    # -- reports -------------------------------------------------------------------------------
    async def history(self, guild_id: int, user_id: int, *, offset: int, limit: int) -> list[Job]:
        return await self.ledger.jobs_where(
            "guild_id = ? AND user_id = ?",
            (guild_id, user_id),
            f"ORDER BY id DESC LIMIT {int(limit)} OFFSET {int(offset)}",
        )

    async def export_csv(self, guild_id: int) -> str:
        """Every credit movement of a server, with its job, as CSV."""
        rows = await self.ledger.fetch_all(
            """SELECT e.id, e.created_at, e.user_id, e.kind, e.pool, e.amount, e.day, e.job_id, j.action, j.status,
                      e.actor_id, e.note
               FROM credit_entries e LEFT JOIN jobs j ON j.id = e.job_id WHERE e.guild_id = ? ORDER BY e.id""",
            (guild_id,),
        )
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["entry", "time_utc", "user_id", "kind", "pool", "amount", "day", "job_id", "action",
                         "job_status", "actor_id", "note"])  # fmt: skip
        for r in rows:
            when = datetime.fromtimestamp(r["created_at"], UTC).strftime("%Y-%m-%d %H:%M:%S")
            writer.writerow([r["id"], when, r["user_id"], r["kind"], r["pool"], r["amount"], r["day"], r["job_id"],
                             r["action"], r["status"], r["actor_id"], r["note"]])  # fmt: skip
        return out.getvalue()

    async def stats(self, guild_id: int, since: float) -> Stats:
        jobs = await self.ledger.fetch_all(
            "SELECT COUNT(*), COALESCE(SUM(status = 'failed'), 0) FROM jobs WHERE guild_id = ? AND created_at >= ?",
            (guild_id, since),
        )
        moves = await self.ledger.fetch_all(
            """SELECT COALESCE(SUM(CASE WHEN kind = 'charge' THEN amount END), 0),
                      COALESCE(SUM(CASE WHEN kind = 'refund' THEN amount END), 0)
               FROM credit_entries WHERE guild_id = ? AND created_at >= ?""",
            (guild_id, since),
        )
        return Stats(int(jobs[0][0]), int(jobs[0][1]), int(moves[0][0]), int(moves[0][1]))


async def _rows(db: aiosqlite.Connection, sql: str, params: tuple[object, ...] = ()) -> list[aiosqlite.Row]:
    async with db.execute(sql, params) as cur:
        return list(await cur.fetchall())


async def _count(db: aiosqlite.Connection, sql: str, params: tuple[object, ...]) -> int:
    async with db.execute(sql, params) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0
