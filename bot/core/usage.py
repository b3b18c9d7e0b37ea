"""A server's usage over the last days, from the ledger: what `/mjadmin stats` and `mjbot ledger stats` draw."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.accounts import Accounts
from bot.core.ledger import Ledger
from bot.core.pricing import parse_note
from bot.core.quota import local_day
from bot.core.text import Text

DAYS = 30
TOP = 10


@dataclass(frozen=True)
class Day:
    day: date
    succeeded: int
    failed: int  # or cancelled
    other: int  # waiting, running or waiting for input
    spent: int  # credits charged minus refunded that day


@dataclass(frozen=True)
class Usage:
    days: tuple[Day, ...]  # oldest first, one per day, days without jobs included
    top: tuple[tuple[int, int], ...]  # (member, credits spent), most first

    @property
    def jobs(self) -> int:
        return sum(d.succeeded + d.failed + d.other for d in self.days)

    @property
    def spent(self) -> int:
        return sum(d.spent for d in self.days)


async def usage(ledger: Ledger, guild_id: int | None, now: float, zone: ZoneInfo, days: int = DAYS) -> Usage:
    """The last `days` days up to `now`, by the server's calendar; `guild_id` None: every server."""
    today = datetime.fromtimestamp(now, zone).date()
    first = today - timedelta(days=days - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=zone).timestamp()
    where, params = (
        ("created_at >= ?", [since]) if guild_id is None else ("guild_id = ? AND created_at >= ?", [guild_id, since])
    )
    outcomes: dict[date, Counter[str]] = defaultdict(Counter)
    for row in await ledger.fetch_all(f"SELECT created_at, status FROM jobs WHERE {where}", params):
        status = row["status"]
        outcome = "succeeded" if status == "succeeded" else "failed" if status in ("failed", "cancelled") else "other"
        outcomes[_day(row["created_at"], zone)][outcome] += 1
    spent: Counter[date] = Counter()
    by_member: Counter[int] = Counter()
    entries = (
        f"SELECT created_at, user_id, kind, amount FROM credit_entries WHERE kind IN ('charge', 'refund') AND {where}"
    )
    for row in await ledger.fetch_all(entries, params):
        amount = row["amount"] if row["kind"] == "charge" else -row["amount"]
        spent[_day(row["created_at"], zone)] += amount
        by_member[row["user_id"]] += amount
    series = tuple(
        Day(d, outcomes[d]["succeeded"], outcomes[d]["failed"], outcomes[d]["other"], spent[d])
        for d in (first + timedelta(days=i) for i in range(days))
    )
    top = tuple((member, credits) for member, credits in by_member.most_common(TOP) if credits > 0)
    return Usage(series, top)


def _day(timestamp: float, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(timestamp, zone).date()


@dataclass(frozen=True)
class FactorUse:
    factor: str  # e.g. `turbo ×2`
    jobs: int
    spent: int  # charged minus refunded, for the jobs priced with this factor


async def by_factor(ledger: Ledger, guild_id: int, since: float) -> list[FactorUse]:
    """The jobs charged since `since` whose price a factor changed, and their credits, per factor (as charged)."""
    rows = await ledger.fetch_all(
        """SELECT job_id, kind, amount, note FROM credit_entries WHERE kind IN ('charge', 'refund') AND job_id IN
           (SELECT job_id FROM credit_entries WHERE guild_id = ? AND kind = 'charge' AND note LIKE 'factors %'
            AND created_at >= ?)""",
        (guild_id, since),
    )
    factors: dict[int, list[str]] = {}
    spent: Counter[int] = Counter()
    for row in rows:
        if row["kind"] == "charge":
            factors[row["job_id"]] = [f"{n} ×{f}" for n, f in parse_note(row["note"]).items()]
            spent[row["job_id"]] += row["amount"]
        else:
            spent[row["job_id"]] -= row["amount"]
    jobs: Counter[str] = Counter()
    credits: Counter[str] = Counter()
    for job_id, names in factors.items():
        for name in names:
            jobs[name] += 1
            credits[name] += spent[job_id]
    return [FactorUse(name, jobs[name], credits[name]) for name in sorted(jobs)]


async def summary(accounts: Accounts, guild_id: int, now: float) -> list[Text]:
    """Today's and this month's figures of a server, a line each (as `/mjadmin stats` shows them)."""
    config = await accounts.config(guild_id)
    today = datetime.fromisoformat(local_day(config, now)).replace(tzinfo=config.zone())
    lines = []
    for period, since in (("today", today), ("month", today.replace(day=1))):
        s = await accounts.stats(guild_id, since.timestamp())
        lines.append(Text("usage-line", period=period, jobs=s.jobs, failed=s.failed, charged=s.charged,
                          refunded=s.refunded, spent=s.charged - s.refunded, strikes=s.strikes))  # fmt: skip
    month = await by_factor(accounts.ledger, guild_id, today.replace(day=1).timestamp())
    if month:
        shown = "; ".join(f"{u.factor}: {u.jobs} · {u.spent}" for u in month)
        lines.append(Text("usage-factors", factors=shown))
    return lines
