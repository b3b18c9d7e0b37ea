"""Who may spend what: charges in the same transaction as the job, refunds, grants, the queue order.

No Discord here: the caller passes the member's role ids.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from bot.core import lifecycle, quota
from bot.core.ledger import Ledger, row_to_job
from bot.core.models import Job, JobAction, JobStatus, Requester
from bot.core.moderation import banned_word
from bot.core.quota import Allowance, Balance, Defaults, GuildConfig


class Refusal(Exception):
    """A job refused for the member's limits or the server's rules; nothing was charged."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


@dataclass(frozen=True)
class _Decision:
    """How one job is written: its first status, what it costs and from which pools."""

    status: JobStatus = JobStatus.SUBMITTING
    cost: int = 0
    running_limit: int = 0
    split: tuple[int, int] = (0, 0)  # from the daily allowance, from bonus credits
    day: str = ""  # the server-local day the charge counts against
    source: Job | None = None  # single flight: the upscale this one shows for free


@dataclass(frozen=True)
class Stats:
    jobs: int
    failed: int
    charged: int
    refunded: int
    strikes: int = 0


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

    async def open_job(
        self,
        requester: Requester,
        role_ids: list[int],
        *,
        single_flight: bool = False,
        **job: Any,
    ) -> Job:
        """Admit, decide and charge a job, and write its row, in one transaction, before anything is paid.

        The job counts against the member's limits from this moment, never before. `single_flight`
        (upscales): if the same button of the same parent already made or is making this image, the
        new job shows that result for free. Raises `Refusal` (nothing written but a strike).
        """
        action = job["action"]
        assert isinstance(action, JobAction)
        refusal: Refusal | None = None
        async with self.ledger.transaction() as db:
            decision = _Decision()
            if requester.guild_id is not None:
                config = await quota.load_config(db, requester.guild_id)
                refusal = await self._admit(db, requester, config, [str(job.get("prompt") or "")], job_id=None)
                if refusal is None:
                    source = await _same_upscale(db, job) if single_flight else None
                    if source is not None:
                        decision = _Decision(
                            JobStatus.SUCCEEDED if source.status is JobStatus.SUCCEEDED else JobStatus.MIRRORING,
                            source=source,
                        )
                    else:
                        decided = await self._decide(db, requester, config, role_ids, action)
                        if isinstance(decided, Refusal):
                            refusal = decided
                        else:
                            decision = decided
            if refusal is None:
                job_id = await self._insert(db, requester, decision, job)
        if refusal is not None:
            raise refusal
        opened = await self.ledger.get(job_id)
        assert opened is not None
        return opened

    async def admit(
        self, requester: Requester, texts: list[str], *, job_id: int | None = None, check_channel: bool = True
    ) -> None:
        """The server's rules (block, strikes, channel, banned words) outside `open_job`. Raises `Refusal`.

        For what is no job (❤️) and for a Remix prompt, typed after its job was opened.
        """
        if requester.guild_id is None:
            return
        async with self.ledger.transaction() as db:
            config = await quota.load_config(db, requester.guild_id)
            refusal = await self._admit(db, requester, config, texts, job_id=job_id, check_channel=check_channel)
        if refusal is not None:
            raise refusal

    async def _insert(self, db: aiosqlite.Connection, requester: Requester, decision: _Decision, job: Any) -> int:
        source = decision.source
        if source is not None:
            job = {**job, "source_id": source.id}
        job_id = await self.ledger.insert_job(
            db, requester, status=decision.status, cost=decision.cost, running_limit=decision.running_limit, **job
        )
        if source is not None and decision.status is JobStatus.SUCCEEDED:
            await db.execute(
                """UPDATE jobs SET upstream_task_id = ?, action_ref = ?, progress = 100, image_url = ?, buttons = ?,
                                   finished_at = ? WHERE id = ?""",
                (
                    source.upstream_task_id,
                    source.action_ref,
                    source.image_url,
                    json.dumps([b.to_json() for b in source.buttons]),
                    self._clock(),
                    job_id,
                ),
            )
        await self._write_charge(db, requester, job_id, decision)
        return job_id

    async def _admit(
        self,
        db: aiosqlite.Connection,
        requester: Requester,
        config: GuildConfig,
        texts: list[str],
        *,
        job_id: int | None,
        check_channel: bool = True,
    ) -> Refusal | None:
        """Whether the server lets this member run this at all; a banned word is recorded as a strike."""
        assert requester.guild_id is not None
        now = self._clock()
        if requester.user_id in config.blocked:
            return Refusal("You are blocked from using this bot in this server.")
        today = quota.local_day(config, now)
        strikes = await self._strikes(db, requester.guild_id, requester.user_id, today)
        if config.moderation_strikes and strikes >= config.moderation_strikes:
            return Refusal(_blocked_for_strikes(strikes, config, now))
        if check_channel and not config.allows_channel(requester.channel_id, requester.parent_channel_id):
            channels = ", ".join(f"<#{c}>" for c in config.allowed_channels)
            return Refusal(f"This bot works only in {channels} on this server.")
        word = next((w for w in (banned_word(t, config.banned_words) for t in texts) if w), None)
        if word is None:
            return None
        reason = f"Your prompt contains a word this server does not allow: `{word}`."
        strikes = await self._add_strike(db, requester.guild_id, requester.user_id, today, job_id, f"word: {word}")
        return Refusal(reason + _strike_note(strikes, config, now))

    async def _decide(
        self,
        db: aiosqlite.Connection,
        requester: Requester,
        config: GuildConfig,
        role_ids: list[int],
        action: JobAction,
    ) -> _Decision | Refusal:
        """How a new job is charged and whether it runs or waits; or why it is refused."""
        assert requester.guild_id is not None
        now = self._clock()
        limits = quota.allowance(config, self.defaults, role_ids)
        balance = await quota.balance(db, requester.guild_id, requester.user_id, config, limits, now)
        cost = config.cost(action)
        if not balance.can_pay(cost):
            return Refusal(_no_credits(balance, limits, cost, config, now))
        status = JobStatus.SUBMITTING
        server_running = await quota.server_running(db, requester.guild_id)
        user_full = limits.running and balance.running >= limits.running
        server_full = limits.server_running and server_running >= limits.server_running
        if user_full or server_full:
            if limits.waiting and balance.waiting >= limits.waiting:
                return Refusal(
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

    # -- moderation strikes ----------------------------------------------------------------------
    async def strike(self, job: Job, reason: str) -> int:
        """The image service's moderation refused a job of this member: a strike; returns today's count."""
        if job.guild_id is None:
            return 0
        async with self.ledger.transaction() as db:
            config = await quota.load_config(db, job.guild_id)
            today = quota.local_day(config, self._clock())
            return await self._add_strike(db, job.guild_id, job.user_id, today, job.id, reason)

    async def strikes_today(self, guild_id: int, user_id: int) -> int:
        async with self.ledger.transaction() as db:
            config = await quota.load_config(db, guild_id)
            return await self._strikes(db, guild_id, user_id, quota.local_day(config, self._clock()))

    async def _add_strike(
        self, db: aiosqlite.Connection, guild_id: int, user_id: int, day: str, job_id: int | None, reason: str
    ) -> int:
        await db.execute(
            "INSERT INTO strikes (guild_id, user_id, day, job_id, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, user_id, day, job_id, reason[:200], self._clock()),
        )
        return await self._strikes(db, guild_id, user_id, day)

    @staticmethod
    async def _strikes(db: aiosqlite.Connection, guild_id: int, user_id: int, day: str) -> int:
        return await _count(
            db,
            "SELECT COUNT(*) FROM strikes WHERE guild_id = ? AND user_id = ? AND day = ? AND cleared = 0",
            (guild_id, user_id, day),
        )

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
        """Give a member today's allowance back and clear today's strikes; returns the credits restored."""
        async with self.ledger.transaction() as db:
            config = await quota.load_config(db, guild_id)
            now = self._clock()
            today = quota.local_day(config, now)
            used = await quota.daily_used(db, guild_id, user_id, today)
            await db.execute(
                "UPDATE strikes SET cleared = 1 WHERE guild_id = ? AND user_id = ? AND day = ?",
                (guild_id, user_id, today),
            )
            if used > 0:
                await quota.add_entry(
                    db,
                    guild_id=guild_id,
                    user_id=user_id,
                    kind="reset",
                    pool="daily",
                    amount=used,
                    day=today,
                    now=now,
                    actor_id=actor_id,
                )
            return used

    # -- the queue -------------------------------------------------------------------------------
    async def start_waiting(self) -> list[Job]:
        """Waiting jobs that now have a free slot, oldest first, moved to SUBMITTING.

        Only jobs whose message exists: one still being posted starts at the next chance.
        """
        started: list[int] = []
        running_in, running_values = lifecycle.marks(lifecycle.RUNNING)
        async with self.ledger.transaction() as db:
            waiting = await _rows(
                db,
                "SELECT id, guild_id, user_id, running_limit FROM jobs"
                " WHERE status = ? AND message_id IS NOT NULL ORDER BY id",
                (JobStatus.WAITING.value,),
            )
            for row in waiting:
                config = await quota.load_config(db, row["guild_id"])
                server_limit = (
                    config.server_running if config.server_running is not None else self.defaults.server_running
                )
                if server_limit and await quota.server_running(db, row["guild_id"]) >= server_limit:
                    continue
                if row["running_limit"]:
                    user_running = await _count(
                        db,
                        f"SELECT COUNT(*) FROM jobs WHERE guild_id = ? AND user_id = ? AND status IN ({running_in})",
                        (row["guild_id"], row["user_id"], *running_values),
                    )
                    if user_running >= row["running_limit"]:
                        continue
                await lifecycle.move(db, row["id"], JobStatus.SUBMITTING, self._clock())
                started.append(row["id"])
        jobs = [await self.ledger.get(i) for i in started]
        return [j for j in jobs if j is not None]

    async def queue_position(self, job: Job) -> int:
        async with self.ledger.transaction() as db:
            return 1 + await _count(
                db,
                "SELECT COUNT(*) FROM jobs WHERE guild_id IS ? AND status = ? AND id < ?",
                (job.guild_id, JobStatus.WAITING.value, job.id),
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
        strikes = await self.ledger.fetch_all(
            "SELECT COUNT(*) FROM strikes WHERE guild_id = ? AND created_at >= ?", (guild_id, since)
        )
        return Stats(int(jobs[0][0]), int(jobs[0][1]), int(moves[0][0]), int(moves[0][1]), int(strikes[0][0]))

    async def strikes_by_member(self, guild_id: int) -> dict[int, int]:
        """Today's standing strikes (not cleared by a reset) of each member who has any."""
        config = await self.config(guild_id)
        rows = await self.ledger.fetch_all(
            """SELECT user_id, COUNT(*) FROM strikes WHERE guild_id = ? AND day = ? AND cleared = 0
               GROUP BY user_id ORDER BY COUNT(*) DESC""",
            (guild_id, quota.local_day(config, self._clock())),
        )
        return {int(r[0]): int(r[1]) for r in rows}


async def _rows(db: aiosqlite.Connection, sql: str, params: tuple[object, ...] = ()) -> list[aiosqlite.Row]:
    async with db.execute(sql, params) as cur:
        return list(await cur.fetchall())


async def _count(db: aiosqlite.Connection, sql: str, params: tuple[object, ...]) -> int:
    async with db.execute(sql, params) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def _same_upscale(db: aiosqlite.Connection, job: Any) -> Job | None:
    """The paid upscale of the same button of the same parent, made or in the making (not failed)."""
    rows = await _rows(
        db,
        """SELECT * FROM jobs WHERE parent_id = ? AND parent_button = ? AND action = ? AND source_id IS NULL
           AND status NOT IN (?, ?) ORDER BY id LIMIT 1""",
        (job.get("parent_id"), job.get("parent_button"), job["action"].value, JobStatus.FAILED.value,
         JobStatus.MIRRORING.value),
    )  # fmt: skip
    return row_to_job(rows[0]) if rows else None


def _no_credits(balance: Balance, limits: Allowance, cost: int, config: GuildConfig, now: float) -> str:
    """The truth about why a job cannot be paid: all used, or fewer left than it costs."""
    reset = balance.reset_at
    back = f" Your credits come back at {reset:%H:%M} {config.timezone} (in {quota.until(reset, now)})."
    left = (balance.daily_left or 0) + balance.bonus
    if left == 0:
        return f"You have used your {limits.daily} credits for today and this costs {cost}.{back}"
    return f"This costs {cost} credits and you have {left} left today.{back}"


def _strike_note(strikes: int, config: GuildConfig, now: float) -> str:
    if not config.moderation_strikes:
        return ""
    if strikes >= config.moderation_strikes:
        return " " + _blocked_for_strikes(strikes, config, now)
    return f" Strike {strikes} of {config.moderation_strikes} today."


def _blocked_for_strikes(strikes: int, config: GuildConfig, now: float) -> str:
    reset = quota.next_reset(config, now)
    return (
        f"You are blocked for the rest of the day after {strikes} prompts refused by moderation;"
        f" you can use the bot again at {reset:%H:%M} {config.timezone} (in {quota.until(reset, now)})."
    )
