"""/mjadmin: a server's limits, costs, tiers, credits, blocks, channels, words, export and stats.

Hidden from members without Manage Server by Discord (default permissions), and checked again here,
because a server can override who sees a command.
"""

from __future__ import annotations

import asyncio
import io
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import discord
from discord import app_commands
from discord.ext import commands

from bot.charts import usage_png
from bot.client.host import Host
from bot.client.replies import NO_MENTIONS, reply
from bot.core.errors import UserFacingError
from bot.core.quota import COST_GROUPS, DEFAULT_COSTS, GuildConfig, Tier
from bot.core.usage import summary, usage

if TYPE_CHECKING:
    from bot.core.accounts import Accounts

LIMITS = ("daily_credits", "user_running", "user_waiting", "server_running")
NUMBERS = ("moderation_strikes",)
SETTINGS = [
    *(app_commands.Choice(name=n, value=n) for n in LIMITS),
    *(app_commands.Choice(name=f"cost_{g}", value=f"cost_{g}") for g in COST_GROUPS),
    app_commands.Choice(name="timezone", value="timezone"),
    app_commands.Choice(name="press_policy (anyone | owner)", value="press_policy"),
    app_commands.Choice(name="default_mode (fast | relax | turbo | none)", value="default_mode"),
    app_commands.Choice(name="default_bot (midjourney | niji | none)", value="default_bot"),
    app_commands.Choice(name="moderation_strikes (0 = off)", value="moderation_strikes"),
    app_commands.Choice(name="refund_cancelled (on | off)", value="refund_cancelled"),
]


class AdminError(UserFacingError):
    """A server setting an admin asked for that cannot be made."""


def _whole_number(name: str, value: str, wrong: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise AdminError(wrong) from None
    if number < 0:
        raise AdminError(f"`{name}` cannot be negative.")
    return number


def apply_setting(config: GuildConfig, name: str, value: str) -> None:
    """Parse `value` for `name` and set it; an AdminError says what is wrong. Words are case-insensitive."""
    value = value.strip()
    if name in ("press_policy", "default_mode"):
        value = value.lower()
    if name in NUMBERS:
        setattr(config, name, _whole_number(name, value, f"`{name}` takes a whole number (0 means off)."))
    elif name in LIMITS or name.startswith("cost_"):
        if value.lower() == "default":
            if name in LIMITS:
                setattr(config, name, None)
            else:
                config.costs.pop(name.removeprefix("cost_"), None)
            return
        number = _whole_number(name, value, f"`{name}` takes a whole number (0 means no limit), or `default`.")
        if name in LIMITS:
            setattr(config, name, number)
        else:
            config.costs[name.removeprefix("cost_")] = number
    elif name == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise AdminError(f"`{value}` is not a time zone; use a name such as `UTC` or `Asia/Shanghai`.") from None
        config.timezone = value
    elif name == "refund_cancelled":
        if value.lower() not in ("on", "off"):
            raise AdminError("`refund_cancelled` is `on` (cancelled jobs are refunded) or `off`.")
        config.refund_cancelled = value.lower() == "on"
    elif name == "press_policy":
        if value not in ("anyone", "owner"):
            raise AdminError("`press_policy` is `anyone` (the presser pays) or `owner` (only the job's owner).")
        config.press_policy = value
    elif name == "default_mode":
        if value not in ("fast", "relax", "turbo", "none"):
            raise AdminError("`default_mode` is `fast`, `relax`, `turbo` or `none`.")
        config.default_mode = None if value == "none" else value
    elif name == "default_bot":
        bots = {"midjourney": "MID_JOURNEY", "niji": "NIJI_JOURNEY", "none": None}
        if value.lower() not in bots:
            raise AdminError("`default_bot` is `midjourney`, `niji` or `none`.")
        config.default_bot = bots[value.lower()]
    else:
        raise AdminError(f"Unknown setting `{name}`.")


def describe_config(config: GuildConfig, bot: Host, strikes: dict[int, int] | None = None) -> str:
    d = bot.settings.quota_defaults

    def limit(name: str) -> str:
        own = getattr(config, name)
        value = own if own is not None else getattr(d, name)
        shown = "no limit" if value == 0 else str(value)
        return f"{shown}{'' if own is not None else ' (default)'}"

    costs = ", ".join(f"{g} {config.costs.get(g, DEFAULT_COSTS[g])}" for g in COST_GROUPS)
    tiers = ", ".join(f"<@&{r}> {t.daily or '∞'}/day, {t.running or '∞'} running" for r, t in config.tiers.items())
    lines = [
        "**Server settings**",
        f"Daily credits: {limit('daily_credits')} · running per member: {limit('user_running')}"
        f" · waiting per member: {limit('user_waiting')} · running in the server: {limit('server_running')}",
        f"Costs: {costs}",
        f"Time zone: {config.timezone} · buttons: {config.press_policy}"
        f" · mode: {config.default_mode or 'API default'} · bot: {config.default_bot or bot.settings.mj_bot_type}",
        f"Role tiers: {tiers or 'none'}",
        f"Unlimited roles: {', '.join(f'<@&{r}>' for r in config.unlimited_roles) or 'none'}",
        f"Channels: {', '.join(f'<#{c}>' for c in config.allowed_channels) or 'all'}",
        f"Banned words: {', '.join(f'`{w}`' for w in config.banned_words) or 'none'}",
        f"Blocked members: {', '.join(f'<@{u}>' for u in config.blocked) or 'none'}",
        f"Moderation strikes before a day's block: {config.moderation_strikes or 'off'}",
        f"Cancelled jobs refunded: {'on' if config.refund_cancelled else 'off'}",
        f"Strikes today: {', '.join(f'<@{u}> {n}' for u, n in (strikes or {}).items()) or 'none'}",
    ]
    return "\n".join(lines)


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class MJAdmin(commands.GroupCog, group_name="mjadmin", group_description="Manage the image bot on this server"):
    def __init__(self, bot: Host) -> None:
        self.bot = bot
        super().__init__()

    @property
    def accounts(self) -> Accounts:
        assert self.bot.jobs.accounts is not None
        return self.bot.jobs.accounts

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None or not interaction.permissions.manage_guild:
            await reply(interaction, "❌ /mjadmin needs the Manage Server permission.", ephemeral=True)
            return False
        await interaction.response.defer(ephemeral=True, thinking=True)  # answered before any I/O
        return True

    async def _change(self, interaction: discord.Interaction, change: object, done: str) -> None:
        assert interaction.guild_id is not None
        await self.accounts.change_config(interaction.guild_id, change)  # type: ignore[arg-type]  # AdminError: told
        await reply(interaction, f"✅ {done}", ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="show", description="Show this server's settings")
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        config = await self.accounts.config(interaction.guild_id)
        strikes = await self.accounts.strikes_by_member(interaction.guild_id)
        text = describe_config(config, self.bot, strikes)
        await reply(interaction, text[:2000], ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="set", description="Set a limit, cost, time zone or default")
    @app_commands.choices(setting=SETTINGS)
    @app_commands.describe(value="A number (0 = no limit, `default` = the bot's default), or the listed words")
    async def set(self, interaction: discord.Interaction, setting: app_commands.Choice[str], value: str) -> None:
        await self._change(
            interaction, lambda c: apply_setting(c, setting.value, value), f"`{setting.value}` is now `{value}`."
        )

    @app_commands.command(name="tier", description="Give a role its own daily credits and running limit")
    @app_commands.describe(daily="Credits a day (0 = no limit)", running="Jobs at once (0 = no limit)")
    async def tier(self, interaction: discord.Interaction, role: discord.Role, daily: int, running: int) -> None:
        if daily < 0 or running < 0:
            await reply(interaction, "❌ Limits cannot be negative.", ephemeral=True)
            return
        await self._change(
            interaction,
            lambda c: c.tiers.update({str(role.id): Tier(daily, running)}),
            f"{role.mention}: {daily or 'unlimited'} credits a day, {running or 'unlimited'} jobs at once.",
        )

    @app_commands.command(name="untier", description="Remove a role's tier")
    async def untier(self, interaction: discord.Interaction, role: discord.Role) -> None:
        await self._change(interaction, lambda c: c.tiers.pop(str(role.id), None), f"{role.mention} has no tier now.")

    @app_commands.command(name="unlimited", description="Let a role's members generate without a daily limit")
    async def unlimited(self, interaction: discord.Interaction, role: discord.Role, on: bool) -> None:
        def change(c: GuildConfig) -> None:
            c.unlimited_roles = [r for r in c.unlimited_roles if r != role.id] + ([role.id] if on else [])

        await self._change(interaction, change, f"{role.mention} is {'now' if on else 'no longer'} unlimited.")

    @app_commands.command(name="grant", description="Give a member bonus credits (they never expire)")
    async def grant(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        amount: app_commands.Range[int, 1, 100000],
        note: str = "",
    ) -> None:
        assert interaction.guild_id is not None
        total = await self.accounts.grant(interaction.guild_id, member.id, amount, interaction.user.id, note[:200])
        text = f"✅ Granted {amount} bonus credits to {member.mention}; they have {total} now."
        await reply(interaction, text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="revoke", description="Take back bonus credits")
    async def revoke(
        self, interaction: discord.Interaction, member: discord.Member, amount: app_commands.Range[int, 1, 100000]
    ) -> None:
        assert interaction.guild_id is not None
        total = await self.accounts.revoke(interaction.guild_id, member.id, amount, interaction.user.id)
        text = f"✅ {member.mention} has {total} bonus credits now."
        await reply(interaction, text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="reset", description="Give a member today's credits back")
    async def reset(self, interaction: discord.Interaction, member: discord.Member) -> None:
        assert interaction.guild_id is not None
        restored = await self.accounts.reset_day(interaction.guild_id, member.id, interaction.user.id)
        text = f"✅ {member.mention} got {restored} credits back for today, and today's strikes are cleared."
        await reply(interaction, text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="block", description="Stop a member from using the bot here")
    async def block(self, interaction: discord.Interaction, member: discord.Member) -> None:
        def change(c: GuildConfig) -> None:
            c.blocked = [u for u in c.blocked if u != member.id] + [member.id]

        await self._change(interaction, change, f"{member.mention} is blocked.")

    @app_commands.command(name="unblock", description="Let a blocked member use the bot again")
    async def unblock(self, interaction: discord.Interaction, member: discord.Member) -> None:
        def change(c: GuildConfig) -> None:
            c.blocked = [u for u in c.blocked if u != member.id]

        await self._change(interaction, change, f"{member.mention} is no longer blocked.")

    @app_commands.command(name="channel", description="Allow or disallow the bot in a channel (none listed: all)")
    async def channel(self, interaction: discord.Interaction, channel: discord.TextChannel, allowed: bool) -> None:
        def change(c: GuildConfig) -> None:
            c.allowed_channels = [x for x in c.allowed_channels if x != channel.id] + ([channel.id] if allowed else [])

        await self._change(interaction, change, f"{channel.mention} is {'allowed' if allowed else 'no longer listed'}.")

    @app_commands.command(name="banword", description="Add or remove a word refused in prompts")
    async def banword(self, interaction: discord.Interaction, word: str, banned: bool) -> None:
        word = word.strip().lower()[:50]
        if not word:
            await reply(interaction, "❌ Give a word.", ephemeral=True)
            return

        def change(c: GuildConfig) -> None:
            c.banned_words = [w for w in c.banned_words if w != word] + ([word] if banned else [])

        await self._change(interaction, change, f"`{word}` is {'banned' if banned else 'allowed again'}.")

    @app_commands.command(name="export", description="This server's credit ledger as a CSV file")
    async def export(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        data = await self.accounts.export_csv(interaction.guild_id)
        stamp = datetime.now(UTC).strftime("%Y%m%d")
        file = discord.File(io.BytesIO(data.encode()), f"mjbot-ledger-{interaction.guild_id}-{stamp}.csv")
        await reply(interaction, "The credit ledger of this server:", file=file, ephemeral=True)

    @app_commands.command(name="stats", description="Jobs, credits and failures today and this month, with a chart")
    async def stats(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        now = time.time()
        lines = ["**Usage**", *await summary(self.accounts, interaction.guild_id, now)]
        config = await self.accounts.config(interaction.guild_id)
        figures = await usage(self.accounts.ledger, interaction.guild_id, now, config.zone())
        guild = interaction.guild
        names = {m: member.display_name for m, _ in figures.top if guild and (member := guild.get_member(m))}
        title = f"{guild.name if guild else 'This server'}: the last {len(figures.days)} days"
        png = await asyncio.to_thread(usage_png, figures, title, names)
        chart = discord.File(io.BytesIO(png), "mjbot-usage.png")
        await reply(interaction, "\n".join(lines), file=chart, ephemeral=True)
