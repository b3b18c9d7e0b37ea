"""Credits and limits: what each action costs, what a member may spend and run, per server.

Every movement of credits is an entry in `credit_entries`; balances are sums of entries, never a
stored number. Two pools: the daily allowance (entries carry the server-local day they count
against, so midnight needs no job) and bonus credits an admin grants, which never expire.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core import lifecycle, metrics, pricing
from bot.core.models import JobAction
from bot.core.storage import Connection
from bot.core.text import Arg, Text

# Cost names an admin sets, and the actions each covers.
COST_GROUPS: dict[str, tuple[JobAction, ...]] = {
    "grid": pricing.GRID_ACTIONS,
    # A video U1-U4 picks one of four videos already made, as U1-U4 picks an image: it costs an upscale.
    "upscale": (JobAction.UPSCALE, JobAction.VIDEO_UPSCALE),
    "hd_upscale": (JobAction.UPSCALE_HD,),
    "describe": (JobAction.DESCRIBE, JobAction.SHORTEN),  # prompts back, no image
    "video": (JobAction.VIDEO, JobAction.VIDEO_EXTEND),
    "edit": (JobAction.EDIT,),  # a grid from the member's own image
}
DEFAULT_COSTS = {"grid": 1, "upscale": 1, "hd_upscale": 2, "describe": 1, "video": 8, "edit": 1}


@dataclass(frozen=True)
class Defaults:
    """The settings every server starts from (0 = no limit)."""

    daily_credits: int = 25
    user_running: int = 3
    user_waiting: int = 10
    server_running: int = 12
    factors: tuple[tuple[str, Fraction], ...] = ()  # COST_FACTORS: the bot-wide cost table over the defaults
    default_version: str = "8.1"  # the version a prompt without `--v` is priced and checked as
    # Each provider's own factors (MJ_FALLBACK_COST_FACTORS), over COST_FACTORS and under a server's.
    provider_factors: dict[str, tuple[tuple[str, Fraction], ...]] = field(default_factory=dict)


@dataclass
class Tier:
    daily: int  # 0 = no limit
    running: int  # 0 = no limit


@dataclass
class GuildConfig:
    """What an admin set for one server; None means the bot-wide default."""

    daily_credits: int | None = None
    user_running: int | None = None
    user_waiting: int | None = None
    server_running: int | None = None
    timezone: str = "UTC"
    costs: dict[str, int] = field(default_factory=dict)
    factors: dict[str, str] = field(default_factory=dict)  # cost factor → exact ratio ("2", "1/4"), over the bot's
    tiers: dict[str, Tier] = field(default_factory=dict)  # role id → tier
    unlimited_roles: list[int] = field(default_factory=list)
    allowed_channels: list[int] = field(default_factory=list)  # empty: every channel
    banned_words: list[str] = field(default_factory=list)
    press_policy: str = "anyone"  # or "owner": only the member who made a job presses its buttons
    default_mode: str | None = None
    default_bot: str | None = None
    default_version: str | None = None  # of prompts that name none; None: the bot's MJ_DEFAULT_VERSION
    blocked: list[int] = field(default_factory=list)
    moderation_strikes: int = 3  # refused prompts in a day before a member is blocked until midnight; 0 = off
    refund_cancelled: bool = True  # a job cancelled after the API took it is refunded (the server bears its cost)
    video: bool = True  # Animate, Extend and video U1-U4 are offered; off: hidden, and old presses refused
    # Ask the API to translate prompts (AceData `translation`); the prompt it used is shown under the image.
    translate_prompts: bool = True
    showcase_channel: int | None = None  # where ⭐ posts a finished image (/mjadmin showcase); None: no showcase

    def allows_channel(self, channel_id: int, parent_id: int | None = None) -> bool:
        """Every channel when none is listed; a thread goes by the channel it belongs to."""
        listed = self.allowed_channels
        return not listed or channel_id in listed or (parent_id is not None and parent_id in listed)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> GuildConfig:
        raw = json.loads(text or "{}")
        raw["tiers"] = {k: Tier(**v) for k, v in (raw.get("tiers") or {}).items()}
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def cost(self, action: JobAction) -> int:
        for group, actions in COST_GROUPS.items():
            if action in actions:
                return self.costs.get(group, DEFAULT_COSTS[group])
        return 0

    def price(
        self, defaults: Defaults, action: JobAction, mode: str | None, prompt: str, provider: str = ""
    ) -> pricing.Price:
        """What `action` costs here at `mode` with `prompt`'s parameters, made by `provider`."""
        table = self.factor_table(defaults, provider)
        return pricing.price(action, self.cost(action), mode, prompt, table, defaults.default_version)

    def factor_table(self, defaults: Defaults, provider: str = "") -> dict[str, Fraction]:
        """Every cost factor here: the published ratios, the bot's `COST_FACTORS`, the provider's, this server's."""
        own = {n: Fraction(v) for n, v in self.factors.items()}
        return pricing.merged(dict(defaults.factors), dict(defaults.provider_factors.get(provider, ())), own)

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


@dataclass(frozen=True)
class Allowance:
    daily: int  # 0 = no limit
    running: int
    waiting: int
    server_running: int
    unlimited: bool


def allowance(config: GuildConfig, defaults: Defaults, role_ids: list[int]) -> Allowance:
    """The best tier among the member's roles wins; an unlimited role lifts the daily limit."""
    daily = config.daily_credits if config.daily_credits is not None else defaults.daily_credits
    running = config.user_running if config.user_running is not None else defaults.user_running
    for role in role_ids:
        tier = config.tiers.get(str(role))
        if tier is not None:
            daily = _best(daily, tier.daily)
            running = _best(running, tier.running)
    waiting = config.user_waiting if config.user_waiting is not None else defaults.user_waiting
    server = config.server_running if config.server_running is not None else defaults.server_running
    unlimited = any(r in config.unlimited_roles for r in role_ids)
    return Allowance(0 if unlimited else daily, running, waiting, server, unlimited)


def _best(a: int, b: int) -> int:
    """The larger limit, where 0 means none (the largest of all)."""
    return 0 if a == 0 or b == 0 else max(a, b)


def local_day(config: GuildConfig, now: float) -> str:
    return datetime.fromtimestamp(now, config.zone()).date().isoformat()


def next_reset(config: GuildConfig, now: float) -> datetime:
    """The next midnight in the server's time zone, as an aware datetime."""
    local = datetime.fromtimestamp(now, config.zone())
    tomorrow = date.fromordinal(local.date().toordinal() + 1)
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=config.zone())


@dataclass(frozen=True)
class Balance:
    daily_limit: int  # 0 = no limit
    daily_used: int
    bonus: int
    running: int
    waiting: int
    reset_at: datetime

    @property
    def daily_left(self) -> int | None:
        return None if self.daily_limit == 0 else max(0, self.daily_limit - self.daily_used)

    def can_pay(self, cost: int) -> bool:
        left = self.daily_left
        return left is None or left + self.bonus >= cost

    def split(self, cost: int) -> tuple[int, int]:
        """(from the daily allowance, from bonus credits): the daily pool is spent first."""
        left = self.daily_left
        daily = cost if left is None else min(cost, left)
        return daily, cost - daily


async def load_config(db: Connection, guild_id: int) -> GuildConfig:
    row = await db.fetch_one("SELECT data FROM guild_settings WHERE guild_id = ?", (guild_id,))
    return GuildConfig.from_json(row[0]) if row else GuildConfig()


async def save_config(db: Connection, guild_id: int, config: GuildConfig) -> None:
    await db.execute(
        "INSERT INTO guild_settings (guild_id, data) VALUES (?, ?)"
        " ON CONFLICT(guild_id) DO UPDATE SET data = excluded.data",
        (guild_id, config.to_json()),
    )


async def daily_used(db: Connection, guild_id: int, user_id: int, day: str) -> int:
    """Daily credits spent on `day`, counted from the day's last reset.

    A reset gives back what was spent before it, so a later refund of a job charged before the reset
    gives nothing back a second time (its entry still records the refund, for the ledger's sums).
    """
    rows = await db.fetch_all(
        """SELECT id, kind, amount, job_id FROM credit_entries
           WHERE guild_id = ? AND user_id = ? AND pool = 'daily' AND day = ? ORDER BY id""",
        (guild_id, user_id, day),
    )
    since = max((r[0] for r in rows if r[1] == "reset"), default=0)
    charged_at = {r[3]: r[0] for r in rows if r[1] == "charge"}
    used = 0
    for entry_id, kind, amount, job_id in rows:
        if kind == "charge" and entry_id > since:
            used += amount
        elif kind == "refund" and charged_at.get(job_id, 0) > since:
            used -= amount
    return max(0, used)


async def server_running(db: Connection, guild_id: int) -> int:
    running_in, values = lifecycle.marks(lifecycle.RUNNING)
    sql = f"SELECT COUNT(*) FROM jobs WHERE guild_id = ? AND status IN ({running_in})"
    row = await db.fetch_one(sql, (guild_id, *values))
    return int(row[0]) if row else 0


async def add_entry(
    db: Connection,
    *,
    guild_id: int,
    user_id: int,
    kind: str,
    pool: str,
    amount: int,
    day: str,
    now: float,
    job_id: int | None = None,
    actor_id: int | None = None,
    note: str = "",
) -> None:
    await db.execute(
        """INSERT INTO credit_entries (guild_id, user_id, job_id, kind, pool, amount, day, actor_id, note, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (guild_id, user_id, job_id, kind, pool, amount, day, actor_id, note, now),
    )
    metrics.credit_written(kind, amount)


def comes_back(moment: datetime, config: GuildConfig, now: float) -> dict[str, Arg]:
    """`time`, `timezone` and `wait` (`3 h 12 min`): for refusals that say when the next credit or slot comes."""
    seconds = max(0, int((moment - datetime.fromtimestamp(now, UTC)).total_seconds()))
    hours, minutes = divmod(seconds // 60, 60)
    wait = Text("wait", hours=hours, minutes=minutes if hours else max(minutes, 1))
    return {"time": f"{moment:%H:%M}", "timezone": config.timezone, "wait": wait}
