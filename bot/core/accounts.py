"""Who may spend what: charges in the same transaction as the job, refunds, grants, the queue order.

No Discord here: the caller passes the member's role ids.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from bot.core import lifecycle, quota
from bot.core.errors import UserFacingError
from bot.core.ledger import Ledger, row_to_job
from bot.core.models import Job, JobAction, JobStatus, Requester
from bot.core.moderation import banned_word
from bot.core.pricing import Price
from bot.core.quota import Allowance, Balance, Defaults, GuildConfig
from bot.core.standing import Decision, Standing, decide
from bot.core.standing import read as read_standing
from bot.core.storage import Connection, Row
from bot.core.text import Text

log = logging.getLogger(__name__)
_DEFAULT = GuildConfig()
RESTARTING = Text("refusal-restarting")


class Refusal(UserFacingError):
    """A job refused for the member's limits or the server's rules; nothing was charged."""


@dataclass(frozen=True)
class Ticket:
    """A job admitted and decided in memory, before any I/O; `open_job` writes it to the ledger."""

    requester: Requester
    decision: Decision
    source: Job | None = None  # single flight: the upscale this one shows for free
    price: Price = field(default_factory=lambda: Price(0))  # what it is charged, and why (= decision.cost)


@dataclass(frozen=True)
class Stats:
    jobs: int
    failed: int
    charged: int
    refunded: int
    strikes: int = 0


Key = tuple[int, int]  # (guild, member)


class Accounts:
    """Credits and limits, decided from an in-memory mirror of the ledger and confirmed in it.

    Interactions must be answered before any I/O, so `reserve()` decides from memory: each member's
    standing and each server's running jobs, loaded at start (`load`), changed at once by every
    reservation, and read back from the ledger after every other change. The ledger stays the record:
    `open_job` writes the reservation in one transaction with its charge, after checking it there too.
    """

    def __init__(self, ledger: Ledger, defaults: Defaults, clock: Callable[[], float] = time.time) -> None:
        self.ledger = ledger
        self.defaults = defaults
        self._clock = clock
        self._configs: dict[int, GuildConfig] = {}
        self._members: dict[Key, Standing] = {}
        self._servers: dict[int, int] = {}  # jobs running per server
        self._pending: dict[Key, list[Ticket]] = defaultdict(list)  # reserved, not yet in the ledger
        self._strike_writes: list[tuple[int, int, str, str]] = []  # strikes decided in memory, to store
        self.closing = False  # a graceful stop: no new work (`JobService.drain`)
        ledger.on_move(self._moved)

    async def load(self) -> None:
        """Mirror the ledger: every server's settings and running jobs, and every member with a standing."""
        async with self.ledger.transaction() as db:
            for row in await _rows(db, "SELECT guild_id, data FROM guild_settings"):
                self._configs[int(row[0])] = GuildConfig.from_json(row[1])
            since = self._clock() - 2 * 86400
            running_in, running_values = lifecycle.marks(lifecycle.UNFINISHED)
            members = await _rows(
                db,
                f"""SELECT DISTINCT guild_id, user_id FROM jobs WHERE status IN ({running_in}) AND guild_id IS NOT NULL
                    UNION SELECT DISTINCT guild_id, user_id FROM credit_entries WHERE pool = 'bonus' OR created_at >= ?
                    UNION SELECT DISTINCT guild_id, user_id FROM strikes WHERE created_at >= ?""",
                (*running_values, since, since),
            )
            for guild_id, user_id in members:
                await self._read_back(db, (int(guild_id), int(user_id)))

    def cached_config(self, guild_id: int | None) -> GuildConfig:
        """A server's settings from memory (read only: change them with `change_config`)."""
        return self._configs.get(guild_id, _DEFAULT) if guild_id is not None else _DEFAULT

    # -- configuration -------------------------------------------------------------------------
    async def config(self, guild_id: int | None) -> GuildConfig:
        if guild_id is None:
            return GuildConfig()
        if guild_id in self._configs:
            return self._configs[guild_id]
        async with self.ledger.transaction() as db:
            return await self._config_in(db, guild_id)

    async def _config_in(self, db: Connection, guild_id: int) -> GuildConfig:
        """A server's settings inside the caller's transaction: from memory, read once otherwise."""
        if guild_id not in self._configs:
            self._configs[guild_id] = await quota.load_config(db, guild_id)
        return self._configs[guild_id]

    async def change_config(self, guild_id: int, change: Callable[[GuildConfig], None]) -> GuildConfig:
        async with self.ledger.transaction() as db:
            await db.lock_guild(guild_id)  # two admins' changes in two processes: neither is lost
            config = await quota.load_config(db, guild_id)
            change(config)
            await quota.save_config(db, guild_id, config)
            self._configs[guild_id] = config
        return config

    # -- checks and charges ----------------------------------------------------------------------
    async def status(self, guild_id: int, user_id: int, role_ids: list[int]) -> tuple[Balance, Allowance]:
        async with self.ledger.transaction() as db:
            config = await self._config_in(db, guild_id)
            limits = quota.allowance(config, self.defaults, role_ids)
            now = self._clock()
            on_record = await read_standing(db, guild_id, user_id, quota.local_day(config, now))
            return on_record.balance(limits, quota.next_reset(config, now)), limits

    def price(
        self, guild_id: int | None, action: JobAction, mode: str | None, prompt: str, provider: str = ""
    ) -> Price:
        """What the job would cost the member now (from memory): the server's cost table applied."""
        if guild_id is None:
            return Price(0)
        return self.cached_config(guild_id).price(self.defaults, action, mode, prompt, provider)

    def reserve(
        self,
        requester: Requester,
        role_ids: list[int],
        action: JobAction,
        texts: list[str],
        mode: str | None = None,
        provider: str = "",
        *,
        priced: str | None = None,
    ) -> Ticket:
        """Admit and decide a job from memory, with no I/O, and count it at once. Raises `Refusal`.

        `texts` are what the member wrote for the job (checked against the server's banned words); `priced`
        (default: the first of them) is the prompt whose parameters set the price, with `mode` at `provider`'s
        table (pricing.py). A press is priced by its parent's prompt but judged by nothing it did not write.
        """
        if self.closing:
            raise Refusal(RESTARTING)
        if requester.guild_id is None:
            return Ticket(requester, Decision())
        key = (requester.guild_id, requester.user_id)
        config = self.cached_config(requester.guild_id)
        now = self._clock()
        standing = self._members.get(key, Standing(quota.local_day(config, now))).on(quota.local_day(config, now))
        self._admit(requester, config, standing, texts, now)
        limits = quota.allowance(config, self.defaults, role_ids)
        if priced is None:
            priced = texts[0] if texts else ""
        price = config.price(self.defaults, action, mode, priced, provider)
        decided = decide(config, limits, standing, self._servers.get(key[0], 0), price.credits, now)
        if isinstance(decided, Text):
            raise Refusal(decided)
        ticket = Ticket(requester, decided, price=price)
        self._count(key, standing, ticket)
        return ticket

    def _count(self, key: Key, standing: Standing, ticket: Ticket) -> None:
        self._members[key] = standing.plus(ticket.decision.status, ticket.decision.split)
        self._servers[key[0]] = self._servers.get(key[0], 0) + (ticket.decision.status in lifecycle.RUNNING)
        self._pending[key].append(ticket)

    def _admit(
        self, requester: Requester, config: GuildConfig, standing: Standing, texts: list[str], now: float
    ) -> None:
        """The server's rules: block, today's strikes, channel, banned words (a strike). Raises `Refusal`."""
        if requester.user_id in config.blocked:
            raise Refusal(Text("refusal-blocked"))
        if config.moderation_strikes and standing.strikes >= config.moderation_strikes:
            raise Refusal(_blocked_for_strikes(standing.strikes, config, now))
        if not config.allows_channel(requester.channel_id, requester.parent_channel_id):
            channels = ", ".join(f"<#{c}>" for c in config.allowed_channels)
            raise Refusal(Text("refusal-channels", channels=channels))
        word = next((w for w in (banned_word(t, config.banned_words) for t in texts) if w), None)
        if word is None:
            return
        assert requester.guild_id is not None
        key = (requester.guild_id, requester.user_id)
        self._members[key] = replace(standing, strikes=standing.strikes + 1)
        self._strike_writes.append((*key, standing.day, f"word: {word}"))
        raise Refusal(_with_strike(Text("refusal-banned-word", word=word), standing.strikes + 1, config, now))

    async def admit(self, requester: Requester, texts: list[str]) -> None:
        """The server's rules for what is no new job (❤️, a Remix prompt). Raises `Refusal`."""
        if self.closing:
            raise Refusal(RESTARTING)
        if requester.guild_id is None:
            return
        key = (requester.guild_id, requester.user_id)
        await self._ensure(key)
        config = self.cached_config(requester.guild_id)
        now = self._clock()
        standing = self._members[key].on(quota.local_day(config, now))
        try:
            self._admit(requester, config, standing, texts, now)
        finally:
            await self.store_strikes()

    async def store_strikes(self) -> None:
        """Write the strikes `reserve` counted in memory (it may do no I/O itself)."""
        while self._strike_writes:
            guild_id, user_id, day, reason = self._strike_writes.pop(0)
            async with self.ledger.transaction() as db:
                await db.execute(
                    "INSERT INTO strikes (guild_id, user_id, day, reason, created_at) VALUES (?, ?, ?, ?, ?)",
                    (guild_id, user_id, day, reason[:200], self._clock()),
                )

    async def open_job(
        self,
        requester: Requester,
        role_ids: list[int],
        *,
        single_flight: bool = False,
        ticket: Ticket | None = None,
        texts: list[str] | None = None,
        **job: Any,
    ) -> Job:
        """Write a job and its charge in one transaction, before anything is paid; reserve it first if needed.

        The job counts against the member's limits from its reservation, never before. `single_flight`
        (upscales): if the same button of the same parent already made or is making this image, the new
        job shows that result for free. `texts`: what the member wrote, judged by the server's rules (None: a
        command's prompt; nothing for a press, whose prompt is its parent's). Raises `Refusal`.
        """
        action = job["action"]
        assert isinstance(action, JobAction)
        if ticket is not None:
            return await self._write(ticket, role_ids, action, job)
        if texts is None:  # a command's prompt is the member's; a press's is its parent's unless given
            texts = [] if job.get("parent_id") is not None else [str(job.get("prompt") or "")]
        refusal: Refusal | None = None
        key = (requester.guild_id or 0, requester.user_id)
        try:
            async with self.ledger.transaction() as db:
                if requester.guild_id is not None:
                    await db.lock_guild(requester.guild_id)  # other processes' charges for this server wait
                    self._configs[requester.guild_id] = await quota.load_config(db, requester.guild_id)
                    await self._read_back(db, key)  # exact here: the ledger, plus what is reserved
                source = await _same_upscale(db, job) if single_flight else None
                try:
                    ticket = (
                        self._free_copy(requester, source, texts)
                        if source
                        else self.reserve(
                            requester,
                            role_ids,
                            action,
                            texts,
                            job.get("mode"),
                            job.get("provider", ""),
                            priced=str(job.get("prompt") or ""),
                        )
                    )
                except Refusal as refused:
                    refusal = refused
                else:
                    job_id = await self._insert(db, requester, ticket, job)
                    self._settle(key, ticket)
        except BaseException:
            if ticket is not None:  # a fault of the ledger: the reservation goes with the job it was for
                await self._release(key, ticket)
            raise
        await self.store_strikes()
        if refusal is not None:
            raise refusal
        opened = await self.ledger.get(job_id)
        assert opened is not None
        return opened

    def _free_copy(self, requester: Requester, source: Job, texts: list[str]) -> Ticket:
        if self.closing:
            raise Refusal(RESTARTING)
        config = self.cached_config(requester.guild_id)
        now = self._clock()
        if requester.guild_id is not None:
            key = (requester.guild_id, requester.user_id)
            self._admit(requester, config, self._members[key].on(quota.local_day(config, now)), texts, now)
        status = JobStatus.SUCCEEDED if source.status is JobStatus.SUCCEEDED else JobStatus.MIRRORING
        return Ticket(requester, Decision(status), source)

    async def _write(self, ticket: Ticket, role_ids: list[int], action: JobAction, job: Any) -> Job:
        requester = ticket.requester
        key = (requester.guild_id or 0, requester.user_id)
        try:
            async with self.ledger.transaction() as db:
                written = ticket
                if ticket.source is None and requester.guild_id is not None:
                    await db.lock_guild(requester.guild_id)  # other processes' charges for this server wait
                    written = replace(ticket, decision=await self._confirm(db, ticket, role_ids))
                job_id = await self._insert(db, requester, written, job)
                self._settle(key, ticket)
                if written != ticket:  # another process took the slot the mirror counted on: it waits
                    await self._read_back(db, key)
        except BaseException:
            await self._release(key, ticket)
            raise
        opened = await self.ledger.get(job_id)
        assert opened is not None
        return opened

    async def _confirm(self, db: Connection, ticket: Ticket, role_ids: list[int]) -> Decision:
        """The ledger's decision, which wins over the reservation's: they differ only when another process
        wrote jobs this one's mirror has not read yet (it runs, waits or is refused by the ledger's numbers).
        The price stays the one reserved, which the member may have been shown."""
        requester = ticket.requester
        assert requester.guild_id is not None
        config = await quota.load_config(db, requester.guild_id)
        now = self._clock()
        on_record = await read_standing(db, requester.guild_id, requester.user_id, ticket.decision.day)
        running = await quota.server_running(db, requester.guild_id)
        limits = quota.allowance(config, self.defaults, role_ids)
        decided = decide(config, limits, on_record, running, ticket.price.credits, now)
        if isinstance(decided, Text):
            log.warning("the ledger refuses a job the mirror admitted (user %s): %s", requester.user_id, decided)
            raise Refusal(decided)
        return decided

    async def cancel(self, ticket: Ticket) -> None:
        """A reservation that will not be written (its message could not be posted)."""
        await self._release((ticket.requester.guild_id or 0, ticket.requester.user_id), ticket)

    async def _release(self, key: Key, ticket: Ticket) -> None:
        """Give up a reservation on any path that does not write it. The mirror is read back from the ledger;
        if the ledger cannot be read either, the member's and server's mirror are dropped, to be read again at
        their next job (the ledger's own check in `_write` keeps credits exact meanwhile)."""
        self._settle(key, ticket)
        if ticket.requester.guild_id is None:
            return
        try:
            await self._read_back_now(key)
        except Exception as exc:
            log.warning("the mirror of user %s could not be read back (%s): read again at their next job", key[1], exc)
            self._members.pop(key, None)
            self._servers.pop(key[0], None)

    def _settle(self, key: Key, ticket: Ticket) -> None:
        """The reservation is in the ledger now (or given up): no longer pending."""
        pending = self._pending.get(key)
        if pending and ticket in pending:
            pending.remove(ticket)
        if not pending:
            self._pending.pop(key, None)  # every member who ever reserved would otherwise keep a key

    async def _ensure(self, key: Key) -> None:
        if key not in self._members:
            await self._read_back_now(key)

    async def _read_back_now(self, key: Key) -> None:
        async with self.ledger.transaction() as db:
            await self._read_back(db, key)

    async def _read_back(self, db: Connection, key: Key) -> None:
        """The mirror of one member and their server from the ledger (inside the write lock), plus what is
        reserved and not yet written."""
        guild_id, user_id = key
        config = await self._config_in(db, guild_id)
        on_record = await read_standing(db, guild_id, user_id, quota.local_day(config, self._clock()))
        server = await quota.server_running(db, guild_id)
        for pending_key, tickets in self._pending.items():
            for ticket in tickets:
                if pending_key == key:
                    on_record = on_record.plus(ticket.decision.status, ticket.decision.split)
                if pending_key[0] == guild_id:
                    server += ticket.decision.status in lifecycle.RUNNING
        self._members[key] = on_record
        self._servers[guild_id] = server

    async def _moved(self, job: Job, former: JobStatus) -> None:
        """Ledger listener: a job changed state, so its member's counts and their server's did."""
        counted = (lifecycle.RUNNING, lifecycle.WAITING)
        if job.guild_id is not None and any((former in c) != (job.status in c) for c in counted):
            await self._read_back_now((job.guild_id, job.user_id))

    def mirror(self, guild_id: int, user_id: int) -> Standing | None:
        """The member's standing as the mirror has it (for tests and the admin's view)."""
        return self._members.get((guild_id, user_id))

    async def _insert(self, db: Connection, requester: Requester, ticket: Ticket, job: Any) -> int:
        decision, source = ticket.decision, ticket.source
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
        await self._write_charge(db, requester, job_id, decision, ticket.price.note())
        return job_id

    async def _write_charge(
        self, db: Connection, requester: Requester, job_id: int, decision: Decision, note: str
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
                    note=note,  # the price's factors, for `ledger stats`
                )

    async def refund(self, job: Job) -> bool:
        """Give back what a job was charged (once), into the pools and day it came from."""
        async with self.ledger.transaction() as db:
            return await self.refund_in(db, job)

    async def refund_in(self, db: Connection, job: Job) -> bool:
        """`refund` inside the caller's transaction, e.g. the one that ends the job (`Ledger.transition`)."""
        await db.lock_job(job.id)  # refunded once, whichever process gets here first
        row = await db.fetch_one("SELECT refunded FROM jobs WHERE id = ?", (job.id,))
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
        if job.guild_id is not None:
            await self._read_back(db, (job.guild_id, job.user_id))
        return bool(charges)

    # -- moderation strikes ----------------------------------------------------------------------
    async def strike(self, job: Job, reason: str) -> int:
        """The image service's moderation refused a job of this member: a strike; returns today's count."""
        if job.guild_id is None:
            return 0
        async with self.ledger.transaction() as db:
            config = await self._config_in(db, job.guild_id)
            today = quota.local_day(config, self._clock())
            count = await self._add_strike(db, job.guild_id, job.user_id, today, job.id, reason)
            await self._read_back(db, (job.guild_id, job.user_id))
            return count

    async def _add_strike(
        self, db: Connection, guild_id: int, user_id: int, day: str, job_id: int | None, reason: str
    ) -> int:
        await db.execute(
            "INSERT INTO strikes (guild_id, user_id, day, job_id, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, user_id, day, job_id, reason[:200], self._clock()),
        )
        return await self._strikes(db, guild_id, user_id, day)

    @staticmethod
    async def _strikes(db: Connection, guild_id: int, user_id: int, day: str) -> int:
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
            await db.lock_guild(guild_id)  # a revoke never takes more than is left
            config = await self._config_in(db, guild_id)
            now = self._clock()
            before = await read_standing(db, guild_id, user_id, quota.local_day(config, now))
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
            await self._read_back(db, (guild_id, user_id))
            return before.bonus + (amount if kind == "grant" else -amount)

    async def reset_day(self, guild_id: int, user_id: int, actor_id: int) -> int:
        """Give a member today's allowance back and clear today's strikes; returns the credits restored."""
        async with self.ledger.transaction() as db:
            await db.lock_guild(guild_id)  # gives back what is used, counted with no charge in between
            config = await self._config_in(db, guild_id)
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
            await self._read_back(db, (guild_id, user_id))
            return used

    # -- the queue -------------------------------------------------------------------------------
    async def start_waiting(self, owns: Callable[[int | None], bool] = lambda _: True) -> list[Job]:
        """Waiting jobs that now have a free slot, oldest first, moved to SUBMITTING.

        Only jobs whose message exists: one still being posted starts at the next chance. Only jobs of the
        servers `owns` accepts: other shards' processes start their own (bot/core/shards.py).
        """
        started: list[int] = []
        moved: set[Key] = set()
        running_in, running_values = lifecycle.marks(lifecycle.RUNNING)
        async with self.ledger.transaction() as db:
            # The servers' slots first (in one order, so two processes cannot deadlock), then what waits.
            guilds = await _rows(
                db,
                "SELECT DISTINCT guild_id FROM jobs WHERE status = ? AND guild_id IS NOT NULL ORDER BY guild_id",
                (JobStatus.WAITING.value,),
            )
            for guild in guilds:
                await db.lock_guild(guild[0])
            waiting = await _rows(
                db,
                "SELECT id, guild_id, user_id, running_limit FROM jobs"
                " WHERE status = ? AND message_id IS NOT NULL ORDER BY id",
                (JobStatus.WAITING.value,),
            )
            for row in waiting:
                if not owns(row["guild_id"]):
                    continue
                config = await self._config_in(db, row["guild_id"])
                server_limit = (
                    config.server_running if config.server_running is not None else self.defaults.server_running
                )
                # Jobs reserved in memory and not yet written hold their slots too.
                key = (row["guild_id"], row["user_id"])
                server_running = await quota.server_running(db, row["guild_id"]) + self._pending_running(key[0])
                if server_limit and server_running >= server_limit:
                    continue
                if row["running_limit"]:
                    user_running = await _count(
                        db,
                        f"SELECT COUNT(*) FROM jobs WHERE guild_id = ? AND user_id = ? AND status IN ({running_in})",
                        (row["guild_id"], row["user_id"], *running_values),
                    )
                    if user_running + self._pending_running(key[0], key[1]) >= row["running_limit"]:
                        continue
                await lifecycle.move(db, row["id"], JobStatus.SUBMITTING, self._clock())
                started.append(row["id"])
                moved.add(key)
            for key in moved:
                await self._read_back(db, key)
        jobs = [await self.ledger.get(i) for i in started]
        return [j for j in jobs if j is not None]

    @property
    def reserved(self) -> int:
        """Reservations not yet written to the ledger (or given up)."""
        return sum(len(tickets) for tickets in self._pending.values())

    def _pending_running(self, guild_id: int, user_id: int | None = None) -> int:
        return sum(
            t.decision.status in lifecycle.RUNNING
            for (g, u), tickets in self._pending.items()
            for t in tickets
            if g == guild_id and user_id in (None, u)
        )

    async def queue_position(self, job: Job) -> int:
        async with self.ledger.transaction() as db:
            return 1 + await _count(
                db,
                "SELECT COUNT(*) FROM jobs WHERE guild_id IS NOT DISTINCT FROM ? AND status = ? AND id < ?",
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
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) FROM jobs"
            " WHERE guild_id = ? AND created_at >= ?",
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
        """Today's standing strikes (not cleared by a reset) of each member who has any, as members meet them."""
        today = quota.local_day(await self.config(guild_id), self._clock())
        found = {
            user: standing.strikes
            for (guild, user), standing in self._members.items()
            if guild == guild_id and standing.day == today and standing.strikes
        }
        return dict(sorted(found.items(), key=lambda item: -item[1]))


async def _rows(db: Connection, sql: str, params: tuple[object, ...] = ()) -> list[Row]:
    return await db.fetch_all(sql, params)


async def _count(db: Connection, sql: str, params: tuple[object, ...]) -> int:
    row = await db.fetch_one(sql, params)
    return int(row[0]) if row else 0


async def _same_upscale(db: Connection, job: Any) -> Job | None:
    """The paid upscale of the same button of the same parent, made or in the making (not failed or cancelled:
    pressing U again then starts a new paid job)."""
    ended_in, ended = lifecycle.marks(lifecycle.NO_RESULT | {JobStatus.MIRRORING})
    rows = await _rows(
        db,
        f"""SELECT * FROM jobs WHERE parent_id = ? AND parent_button = ? AND action = ? AND source_id IS NULL
           AND status NOT IN ({ended_in}) ORDER BY id LIMIT 1""",
        (job.get("parent_id"), job.get("parent_button"), job["action"].value, *ended),
    )  # fmt: skip
    return row_to_job(rows[0]) if rows else None


def _with_strike(reason: Text, strikes: int, config: GuildConfig, now: float) -> Text:
    """A refusal that cost a moderation strike, with the count or the day's block it brought."""
    if not config.moderation_strikes:
        return reason
    if strikes >= config.moderation_strikes:
        return Text("refusal-and-blocked", reason=reason, blocked=_blocked_for_strikes(strikes, config, now))
    return Text("refusal-and-strike", reason=reason, strikes=strikes, limit=config.moderation_strikes)


def _blocked_for_strikes(strikes: int, config: GuildConfig, now: float) -> Text:
    back = quota.comes_back(quota.next_reset(config, now), config, now)
    return Text("refusal-strikes-blocked", strikes=strikes, **back)
