"""/quota, /history and /job: what a member has left and what they made (all private)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client.errors import guarded
from bot.client.host import Host
from bot.client.replies import NO_MENTIONS, member_roles, reply
from bot.core.models import Job, JobStatus
from bot.i18n import tr

PAGE = 10
STATUS_ICONS = {
    JobStatus.WAITING: "⏳",
    JobStatus.SUBMITTING: "⏳",
    JobStatus.QUEUED: "⏳",
    JobStatus.RUNNING: "🔄",
    JobStatus.NEEDS_INPUT: "✏️",
    JobStatus.MIRRORING: "⏳",
    JobStatus.SUCCEEDED: "✅",
    JobStatus.FAILED: "❌",
    JobStatus.CANCELLED: "🚫",
}


def _link(job: Job) -> str:
    if job.message_id is None or job.guild_id is None:
        return ""
    return f"https://discord.com/channels/{job.guild_id}/{job.channel_id}/{job.message_id}"


def _clip(text: str, limit: int) -> str:
    text = discord.utils.escape_markdown(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _showable(job: Job) -> bool:
    return job.status is JobStatus.SUCCEEDED and bool(job.image_url)


def _cost(job: Job) -> str:
    if job.refunded:
        return f"{job.cost} refunded"
    return f"{job.cost} credit{'s' if job.cost != 1 else ''}"


async def history_page(
    bot: Host, guild_id: int, user_id: int, page: int, locale: object = None
) -> tuple[str, discord.ui.View]:
    accounts = bot.jobs.accounts
    assert accounts is not None
    jobs = await accounts.history(guild_id, user_id, offset=page * PAGE, limit=PAGE + 1)
    more, jobs = len(jobs) > PAGE, jobs[:PAGE]
    if not jobs:
        text = "You have no jobs yet." if page == 0 else "No more jobs."
    else:
        lines = [
            f"{STATUS_ICONS[j.status]} **#{j.id}** {j.action.value} · {_cost(j)} · "
            f"{_clip(j.prompt, 60)} {_link(j)}".rstrip()
            + (f" · `/show job:{j.id}`" if _showable(j) else "")
            for j in jobs
        ]
        text = f"**Your jobs** (page {page + 1})\n" + "\n".join(lines)
    view = discord.ui.View(timeout=None)
    view.add_item(HistoryPage(user_id, page - 1, tr("◀ Newer", locale), disabled=page == 0))
    view.add_item(HistoryPage(user_id, page + 1, tr("Older ▶", locale), disabled=not more))
    view.stop()
    return text[:2000], view


class HistoryPage(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"mj:hist:(?P<user>[0-9]+):(?P<page>-?[0-9]+)"
):
    def __init__(self, user_id: int, page: int, label: str = "", disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(label=label or "Page", custom_id=f"mj:hist:{user_id}:{page}", disabled=disabled)
        )
        self.user_id, self.page = user_id, page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any, /) -> HistoryPage:
        return cls(int(match["user"]), int(match["page"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.user_id or interaction.guild_id is None:
            await reply(interaction, "These pages are someone else's.", ephemeral=True)
            return
        bot: Host = interaction.client  # type: ignore[assignment]
        await interaction.response.defer()  # answered before any I/O; the page is edited in place after
        text, view = await history_page(bot, interaction.guild_id, self.user_id, max(0, self.page), interaction.locale)
        await interaction.edit_original_response(
            content=tr(text, interaction.locale), view=view, allowed_mentions=NO_MENTIONS
        )


class Account(commands.Cog):
    def __init__(self, bot: Host) -> None:
        self.bot = bot

    @app_commands.command(name="quota", description="Your credits left today, bonus credits and jobs")
    @app_commands.guild_only()
    async def quota(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None and self.bot.jobs.accounts is not None
        await interaction.response.defer(ephemeral=True, thinking=True)  # answered before any I/O
        balance, limits = await self.bot.jobs.accounts.status(
            interaction.guild_id, interaction.user.id, member_roles(interaction)
        )
        reset = int(balance.reset_at.timestamp())
        left = "unlimited" if balance.daily_left is None else f"{balance.daily_left} of {limits.daily}"
        running = f"{balance.running}" + (f" of {limits.running}" if limits.running else "")
        waiting = f"{balance.waiting}" + (f" of {limits.waiting}" if limits.waiting else "")
        text = (
            f"**Credits left today:** {left}\n**Bonus credits:** {balance.bonus}\n"
            f"**Jobs running:** {running} · **waiting:** {waiting}\n"
            f"**Daily credits come back** <t:{reset}:t> (<t:{reset}:R>)"
        )
        await reply(interaction, text, ephemeral=True)

    @app_commands.command(name="history", description="Your recent jobs")
    @app_commands.guild_only()
    async def history(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        text, view = await history_page(self.bot, interaction.guild_id, interaction.user.id, 0, interaction.locale)
        await reply(interaction, text, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="job", description="One job: prompt, where it came from, status and cost")
    @app_commands.describe(id="The job number (see /history)")
    @app_commands.guild_only()
    async def job(self, interaction: discord.Interaction, id: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        ledger = self.bot.jobs.ledger
        job = await ledger.get(id)
        # A member sees their own jobs; Manage Server sees the server's. Others' jobs do not exist for them.
        visible = job is not None and job.guild_id == interaction.guild_id
        if visible and job is not None and job.user_id != interaction.user.id:
            visible = interaction.permissions.manage_guild
        if job is None or not visible:
            await reply(interaction, f"You have no job #{id} on this server.", ephemeral=True)
            return
        chain: list[str] = []
        parent_id = job.parent_id
        while parent_id is not None and len(chain) < 10:
            parent = await ledger.get(parent_id)
            if parent is None:
                break
            chain.append(f"#{parent.id} {parent.action.value}")
            parent_id = parent.parent_id
        lines = [
            f"**Job #{job.id}** · {job.action.value}{f' · {job.title}' if job.title else ''}",
            f"**By** <@{job.user_id}> · {STATUS_ICONS[job.status]} {job.status.value}"
            + (f" ({job.progress}%)" if job.status is JobStatus.RUNNING else ""),
            f"**Cost:** {_cost(job)}",
            f"**Prompt:** {_clip(job.prompt, 1000)}",
        ]
        if chain:
            lines.append("**Made from:** " + " ← ".join(chain))
        if job.error:
            lines.append(f"**Error:** {job.error}")
        if link := _link(job):
            lines.append(link)
        await reply(interaction, "\n".join(lines)[:2000], ephemeral=True, allowed_mentions=NO_MENTIONS)
