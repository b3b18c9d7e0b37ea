"""A member's standing in one server (credits used, bonus, jobs running and waiting, strikes) and the one
rule that decides from it whether a new job runs, waits or is refused.

The same `decide()` serves the ledger (inside the charge transaction) and the in-memory mirror that
answers interactions before any I/O, so the two can never disagree on a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.core import lifecycle, quota
from bot.core.models import JobStatus
from bot.core.quota import Allowance, Balance, GuildConfig
from bot.core.storage import Connection
from bot.core.text import Text


@dataclass(frozen=True)
class Standing:
    day: str  # the server-local day `used` and `strikes` belong to
    used: int = 0  # daily credits spent that day (after its last reset)
    bonus: int = 0
    running: int = 0
    waiting: int = 0
    strikes: int = 0

    def on(self, day: str) -> Standing:
        """The standing as of `day`: a new day starts with nothing used and no strikes."""
        return self if day == self.day else replace(self, day=day, used=0, strikes=0)

    def balance(self, limits: Allowance, reset_at: datetime) -> Balance:
        return Balance(limits.daily, self.used, self.bonus, self.running, self.waiting, reset_at)

    def plus(self, status: JobStatus, split: tuple[int, int]) -> Standing:
        """With one more job, charged `split` (daily, bonus)."""
        return replace(
            self,
            used=self.used + split[0],
            bonus=self.bonus - split[1],
            running=self.running + (status in lifecycle.RUNNING),
            waiting=self.waiting + (status in lifecycle.WAITING),
        )


@dataclass(frozen=True)
class Decision:
    """How one job is written: its first status, what it costs and from which pools."""

    status: JobStatus = JobStatus.SUBMITTING
    cost: int = 0
    running_limit: int = 0
    split: tuple[int, int] = (0, 0)  # from the daily allowance, from bonus credits
    day: str = ""  # the server-local day the charge counts against


def decide(
    config: GuildConfig, limits: Allowance, standing: Standing, server_running: int, cost: int, now: float
) -> Decision | Text:
    """Runs, waits, or the refusal's text (with the true numbers)."""
    balance = standing.balance(limits, quota.next_reset(config, now))
    if not balance.can_pay(cost):
        return no_credits(balance, limits, cost, config, now)
    status = JobStatus.SUBMITTING
    user_full = limits.running and standing.running >= limits.running
    server_full = limits.server_running and server_running >= limits.server_running
    if user_full or server_full:
        if limits.waiting and standing.waiting >= limits.waiting:
            return Text("refusal-slots-full", running=standing.running, waiting=standing.waiting)
        status = JobStatus.WAITING
    return Decision(status, cost, limits.running, balance.split(cost), standing.day)


def no_credits(balance: Balance, limits: Allowance, cost: int, config: GuildConfig, now: float) -> Text:
    """The truth about why a job cannot be paid: all used, or fewer left than it costs."""
    back = quota.comes_back(balance.reset_at, config, now)
    left = (balance.daily_left or 0) + balance.bonus
    if left == 0:
        return Text("refusal-credits-used", daily=limits.daily or 0, cost=cost, **back)
    return Text("refusal-credits-short", cost=cost, left=left, **back)


async def read(db: Connection, guild_id: int, user_id: int, day: str) -> Standing:
    """A member's standing as the ledger says, inside the caller's transaction."""
    used = await quota.daily_used(db, guild_id, user_id, day)
    running_in, running_values = lifecycle.marks(lifecycle.RUNNING)
    waiting_in, waiting_values = lifecycle.marks(lifecycle.WAITING)
    either_in, either_values = lifecycle.marks(lifecycle.RUNNING | lifecycle.WAITING)
    # Only unfinished jobs are read (the server's, by its status index), never the member's whole history.
    counts = await db.fetch_one(
        f"""SELECT COALESCE(SUM(CASE WHEN status IN ({running_in}) THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN status IN ({waiting_in}) THEN 1 ELSE 0 END), 0)
            FROM jobs WHERE guild_id = ? AND status IN ({either_in}) AND user_id = ?""",
        (*running_values, *waiting_values, guild_id, *either_values, user_id),
    )
    bonus = await db.fetch_one(
        """SELECT COALESCE(SUM(CASE WHEN kind IN ('grant', 'refund') THEN amount END), 0)
                - COALESCE(SUM(CASE WHEN kind IN ('charge', 'revoke') THEN amount END), 0)
           FROM credit_entries WHERE guild_id = ? AND user_id = ? AND pool = 'bonus'""",
        (guild_id, user_id),
    )
    strikes = await db.fetch_one(
        "SELECT COUNT(*) FROM strikes WHERE guild_id = ? AND user_id = ? AND day = ? AND cleared = 0",
        (guild_id, user_id, day),
    )
    return Standing(
        day=day,
        used=used,
        bonus=int(bonus[0]) if bonus else 0,
        running=int(counts[0]) if counts else 0,
        waiting=int(counts[1]) if counts else 0,
        strikes=int(strikes[0]) if strikes else 0,
    )
