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
from bot.core.preferences import VERSIONS
from bot.core.pricing import DEFAULT_FACTORS, parse_factor
from bot.core.quota import COST_GROUPS, DEFAULT_COSTS, GuildConfig, Tier
from bot.core.text import Text
from bot.core.usage import summary, usage
from bot.i18n import render

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
    app_commands.Choice(name="default_version (8.1 | 8 | 7 | 6.1 | none)", value="default_version"),
    app_commands.Choice(name="moderation_strikes (0 = off)", value="moderation_strikes"),
    app_commands.Choice(name="refund_cancelled (on | off)", value="refund_cancelled"),
    app_commands.Choice(name="video (on | off)", value="video"),
    app_commands.Choice(name="translate_prompts (on | off)", value="translate_prompts"),
]


FACTORS = [app_commands.Choice(name=f"factor_{n}", value=n) for n in DEFAULT_FACTORS]


class AdminError(UserFacingError):
    """A server setting an admin asked for that cannot be made."""


def _whole_number(name: str, value: str, wrong: Text) -> int:
    try:
        number = int(value)
    except ValueError:
        raise AdminError(wrong) from None
    if number < 0:
        raise AdminError(Text("admin-negative", name=name))
    return number


def apply_setting(config: GuildConfig, name: str, value: str) -> None:
    """Parse `value` for `name` and set it; an AdminError says what is wrong. Words are case-insensitive."""
    value = value.strip()
    if name in ("press_policy", "default_mode"):
        value = value.lower()
    if name in NUMBERS:
        setattr(config, name, _whole_number(name, value, Text("admin-number-off", name=name)))
    elif name in LIMITS or name.startswith("cost_"):
        if value.lower() == "default":
            if name in LIMITS:
                setattr(config, name, None)
            else:
                config.costs.pop(name.removeprefix("cost_"), None)
            return
        number = _whole_number(name, value, Text("admin-number-or-default", name=name))
        if name in LIMITS:
            setattr(config, name, number)
        else:
            config.costs[name.removeprefix("cost_")] = number
    elif name == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise AdminError(Text("admin-bad-timezone", value=value)) from None
        config.timezone = value
    elif name == "refund_cancelled":
        if value.lower() not in ("on", "off"):
            raise AdminError(Text("admin-bad-refund-cancelled"))
        config.refund_cancelled = value.lower() == "on"
    elif name == "video":
        if value.lower() not in ("on", "off"):
            raise AdminError(Text("admin-bad-video"))
        config.video = value.lower() == "on"
    elif name == "translate_prompts":
        if value.lower() not in ("on", "off"):
            raise AdminError(Text("admin-bad-translate-prompts"))
        config.translate_prompts = value.lower() == "on"
    elif name == "press_policy":
        if value not in ("anyone", "owner"):
            raise AdminError(Text("admin-bad-press-policy"))
        config.press_policy = value
    elif name == "default_mode":
        if value not in ("fast", "relax", "turbo", "none"):
            raise AdminError(Text("admin-bad-default-mode"))
        config.default_mode = None if value == "none" else value
    elif name == "default_version":
        if value.lower() not in (*VERSIONS, "none"):
            raise AdminError(Text("admin-bad-default-version", versions=", ".join(VERSIONS)))
        config.default_version = None if value.lower() == "none" else value
    elif name == "default_bot":
        bots = {"midjourney": "MID_JOURNEY", "niji": "NIJI_JOURNEY", "none": None}
        if value.lower() not in bots:
            raise AdminError(Text("admin-bad-default-bot"))
        config.default_bot = bots[value.lower()]
    else:
        raise AdminError(Text("admin-unknown-setting", name=name))


def apply_factor(config: GuildConfig, name: str, value: str) -> None:
    """One factor of the server's cost table: an exact ratio (`2`, `0.5`, `1/4`) or `default`."""
    if name not in DEFAULT_FACTORS:
        raise AdminError(Text("admin-unknown-setting", name=name))
    value = value.strip().lower()
    if value == "default":
        config.factors.pop(name, None)
        return
    try:
        config.factors[name] = str(parse_factor(value))
    except (ValueError, ZeroDivisionError):
        raise AdminError(Text("admin-bad-factor", name=name)) from None


def describe_config(
    config: GuildConfig, bot: Host, strikes: dict[int, int] | None = None, locale: object = None
) -> str:
    """/mjadmin show: the server's settings, a line each, in the reader's language."""
    d = bot.settings.quota_defaults
    none = Text("admin-none")

    def limit(name: str) -> Text | int:
        own = getattr(config, name)
        value = own if own is not None else getattr(d, name)
        shown: Text | int = Text("admin-no-limit") if value == 0 else value
        return shown if own is not None else Text("admin-default-value", value=shown)

    def listed(items: list[str], empty: Text) -> Text | str:
        return ", ".join(items) or empty

    costs = ", ".join(f"{g} {config.costs.get(g, DEFAULT_COSTS[g])}" for g in COST_GROUPS)
    factors = ", ".join(f"{n} ×{f}" for n, f in config.factor_table(d).items())
    tiers = [
        render(Text("admin-tier-entry", role=f"<@&{r}>", daily=t.daily, running=t.running), locale)
        for r, t in config.tiers.items()
    ]
    limits = {name: limit(name) for name in LIMITS}
    lines = [
        Text("admin-settings"),
        Text("admin-settings-limits", **limits),
        Text("admin-settings-costs", costs=costs, factors=factors),
        Text(
            "admin-settings-defaults",
            timezone=config.timezone,
            press_policy=config.press_policy,
            mode=config.default_mode or Text("admin-api-default"),
            bot=config.default_bot or bot.settings.mj_bot_type,
            version=config.default_version or d.default_version,
        ),
        Text("admin-settings-tiers", tiers=listed(tiers, none)),
        Text("admin-settings-unlimited", roles=listed([f"<@&{r}>" for r in config.unlimited_roles], none)),
        Text(
            "admin-settings-channels", channels=listed([f"<#{c}>" for c in config.allowed_channels], Text("admin-all"))
        ),
        Text("admin-settings-banned", words=listed([f"`{w}`" for w in config.banned_words], none)),
        Text("admin-settings-blocked", members=listed([f"<@{u}>" for u in config.blocked], none)),
        Text("admin-settings-strikes", strikes=config.moderation_strikes or 0),
        Text("admin-settings-refund", refund="on" if config.refund_cancelled else "off"),
        Text("admin-settings-video", video="on" if config.video else "off"),
        Text("admin-settings-translate", translate="on" if config.translate_prompts else "off"),
        Text(
            "admin-settings-strikes-today",
            strikes=listed([f"<@{u}> {n}" for u, n in (strikes or {}).items()], none),
        ),
        Text("admin-settings-showcase", channel=f"<#{config.showcase_channel}>" if config.showcase_channel else none),
    ]
    return "\n".join(render(line, locale) for line in lines)


def provider_health(bot: Host, locale: object) -> str:
    """Each image API in the order new jobs try them: answering, or skipped until when and why."""
    shown = [
        render(Text("admin-provider-up", name=name), locale)
        if healthy
        else render(Text("admin-provider-down", name=name, until=int(until), reason=reason[:200]), locale)
        for name, healthy, until, reason in bot.jobs.pool.report()
    ]
    return render(Text("admin-providers", providers=" · ".join(shown)), locale)


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
            await reply(interaction, Text("admin-no-permission"), ephemeral=True)
            return False
        await interaction.response.defer(ephemeral=True, thinking=True)  # answered before any I/O
        return True

    async def _change(self, interaction: discord.Interaction, change: object, done: Text) -> None:
        assert interaction.guild_id is not None
        await self.accounts.change_config(interaction.guild_id, change)  # type: ignore[arg-type]  # AdminError: told
        await reply(interaction, done, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="show", description="Show this server's settings")
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        config = await self.accounts.config(interaction.guild_id)
        strikes = await self.accounts.strikes_by_member(interaction.guild_id)
        text = describe_config(config, self.bot, strikes, interaction.locale)
        text += "\n" + provider_health(self.bot, interaction.locale)
        await reply(interaction, text[:2000], ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="set", description="Set a limit, cost, time zone or default")
    @app_commands.choices(setting=SETTINGS)
    @app_commands.describe(value="A number (0 = no limit, `default` = the bot's default), or the listed words")
    async def set(self, interaction: discord.Interaction, setting: app_commands.Choice[str], value: str) -> None:
        await self._change(
            interaction,
            lambda c: apply_setting(c, setting.value, value),
            Text("admin-set", setting=setting.value, value=value),
        )

    @app_commands.command(name="factor", description="Set a factor of the cost table (mode, --q, --hd, --sref)")
    @app_commands.choices(factor=FACTORS)
    @app_commands.describe(value="An exact ratio such as 2, 0.5 or 1/4 (0 = free), or `default`")
    async def factor(self, interaction: discord.Interaction, factor: app_commands.Choice[str], value: str) -> None:
        await self._change(
            interaction,
            lambda c: apply_factor(c, factor.value, value),
            Text("admin-set", setting=factor.name, value=value),
        )

    @app_commands.command(name="tier", description="Give a role its own daily credits and running limit")
    @app_commands.describe(daily="Credits a day (0 = no limit)", running="Jobs at once (0 = no limit)")
    async def tier(self, interaction: discord.Interaction, role: discord.Role, daily: int, running: int) -> None:
        if daily < 0 or running < 0:
            await reply(interaction, Text("admin-limits-negative"), ephemeral=True)
            return
        await self._change(
            interaction,
            lambda c: c.tiers.update({str(role.id): Tier(daily, running)}),
            Text("admin-tier", role=role.mention, daily=daily, running=running),
        )

    @app_commands.command(name="untier", description="Remove a role's tier")
    async def untier(self, interaction: discord.Interaction, role: discord.Role) -> None:
        done = Text("admin-untier", role=role.mention)
        await self._change(interaction, lambda c: c.tiers.pop(str(role.id), None), done)

    @app_commands.command(name="unlimited", description="Let a role's members generate without a daily limit")
    async def unlimited(self, interaction: discord.Interaction, role: discord.Role, on: bool) -> None:
        def change(c: GuildConfig) -> None:
            c.unlimited_roles = [r for r in c.unlimited_roles if r != role.id] + ([role.id] if on else [])

        await self._change(
            interaction,
            change,
            Text("admin-unlimited-on", role=role.mention) if on else Text("admin-unlimited-off", role=role.mention),
        )

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
        text = Text("admin-granted", amount=amount, member=member.mention, total=total)
        await reply(interaction, text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="revoke", description="Take back bonus credits")
    async def revoke(
        self, interaction: discord.Interaction, member: discord.Member, amount: app_commands.Range[int, 1, 100000]
    ) -> None:
        assert interaction.guild_id is not None
        total = await self.accounts.revoke(interaction.guild_id, member.id, amount, interaction.user.id)
        text = Text("admin-bonus-now", member=member.mention, total=total)
        await reply(interaction, text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="reset", description="Give a member today's credits back")
    async def reset(self, interaction: discord.Interaction, member: discord.Member) -> None:
        assert interaction.guild_id is not None
        restored = await self.accounts.reset_day(interaction.guild_id, member.id, interaction.user.id)
        text = Text("admin-reset", member=member.mention, restored=restored)
        await reply(interaction, text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="block", description="Stop a member from using the bot here")
    async def block(self, interaction: discord.Interaction, member: discord.Member) -> None:
        def change(c: GuildConfig) -> None:
            c.blocked = [u for u in c.blocked if u != member.id] + [member.id]

        await self._change(interaction, change, Text("admin-blocked", member=member.mention))

    @app_commands.command(name="unblock", description="Let a blocked member use the bot again")
    async def unblock(self, interaction: discord.Interaction, member: discord.Member) -> None:
        def change(c: GuildConfig) -> None:
            c.blocked = [u for u in c.blocked if u != member.id]

        await self._change(interaction, change, Text("admin-unblocked", member=member.mention))

    @app_commands.command(name="channel", description="Allow or disallow the bot in a channel (none listed: all)")
    async def channel(self, interaction: discord.Interaction, channel: discord.TextChannel, allowed: bool) -> None:
        def change(c: GuildConfig) -> None:
            c.allowed_channels = [x for x in c.allowed_channels if x != channel.id] + ([channel.id] if allowed else [])

        done = (
            Text("admin-channel-allowed", channel=channel.mention)
            if allowed
            else Text("admin-channel-unlisted", channel=channel.mention)
        )
        await self._change(interaction, change, done)

    @app_commands.command(name="showcase", description="The channel where ⭐ posts finished images (none: off)")
    async def showcase(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        def change(c: GuildConfig) -> None:
            c.showcase_channel = channel.id if channel is not None else None

        done = Text("admin-showcase-set", channel=channel.mention) if channel else Text("admin-showcase-off")
        await self._change(interaction, change, done)

    @app_commands.command(name="banword", description="Add or remove a word refused in prompts")
    async def banword(self, interaction: discord.Interaction, word: str, banned: bool) -> None:
        word = word.strip().lower()[:50]
        if not word:
            await reply(interaction, Text("admin-give-word"), ephemeral=True)
            return

        def change(c: GuildConfig) -> None:
            c.banned_words = [w for w in c.banned_words if w != word] + ([word] if banned else [])

        await self._change(
            interaction,
            change,
            Text("admin-word-banned", word=word) if banned else Text("admin-word-allowed", word=word),
        )

    @app_commands.command(name="export", description="This server's credit ledger as a CSV file")
    async def export(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        data = await self.accounts.export_csv(interaction.guild_id)
        stamp = datetime.now(UTC).strftime("%Y%m%d")
        file = discord.File(io.BytesIO(data.encode()), f"mjbot-ledger-{interaction.guild_id}-{stamp}.csv")
        await reply(interaction, Text("admin-export"), file=file, ephemeral=True)

    @app_commands.command(name="stats", description="Jobs, credits and failures today and this month, with a chart")
    async def stats(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        now = time.time()
        lines = [Text("admin-usage"), *await summary(self.accounts, interaction.guild_id, now)]
        config = await self.accounts.config(interaction.guild_id)
        figures = await usage(self.accounts.ledger, interaction.guild_id, now, config.zone())
        guild = interaction.guild
        names = {m: member.display_name for m, _ in figures.top if guild and (member := guild.get_member(m))}
        title = f"{guild.name if guild else 'This server'}: the last {len(figures.days)} days"
        png = await asyncio.to_thread(usage_png, figures, title, names)
        chart = discord.File(io.BytesIO(png), "mjbot-usage.png")
        text = "\n".join(render(line, interaction.locale) for line in lines)
        await reply(interaction, text, file=chart, ephemeral=True)
