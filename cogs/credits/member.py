"""/quota, /history and /job: what a member has left and what they made (all private)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client.errors import guarded
from bot.client.host import Host
from bot.client.names import action_text, status_text
from bot.client.replies import NO_MENTIONS, jump_link, member_roles, reply
from bot.core.models import Job, JobStatus
from bot.core.text import Text
from bot.i18n import render

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
    return jump_link(job.guild_id, job.channel_id, job.message_id)


def _clip(text: str, limit: int) -> str:
    text = discord.utils.escape_markdown(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _showable(job: Job) -> bool:
    return job.status is JobStatus.SUCCEEDED and bool(job.image_url)


def _refunded(job: Job) -> str:
    return "yes" if job.refunded else "no"


async def history_page(
    bot: Host, guild_id: int, user_id: int, page: int, locale: object = None
) -> tuple[str, discord.ui.View]:
    accounts = bot.jobs.accounts
    assert accounts is not None
    jobs = await accounts.history(guild_id, user_id, offset=page * PAGE, limit=PAGE + 1)
    more, jobs = len(jobs) > PAGE, jobs[:PAGE]
    if not jobs:
        text = render(Text("history-empty") if page == 0 else Text("history-no-more"), locale)
    else:
        lines = [render(Text("history-title", page=page + 1), locale)]
        for j in jobs:
            prompt = f"{_clip(j.prompt, 60)} {_link(j)}".rstrip() + (f" · `/show job:{j.id}`" if _showable(j) else "")
            line = Text(
                "history-line",
                icon=STATUS_ICONS[j.status],
                id=j.id,
                action=action_text(j.action),
                cost=j.cost,
                refunded=_refunded(j),
                prompt=prompt,
            )
            lines.append(render(line, locale))
        text = "\n".join(lines)
    view = discord.ui.View(timeout=None)
    view.add_item(HistoryPage(user_id, page - 1, render(Text("button-newer"), locale), disabled=page == 0))
    view.add_item(HistoryPage(user_id, page + 1, render(Text("button-older"), locale), disabled=not more))
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
            await reply(interaction, Text("history-not-yours"), ephemeral=True)
            return
        bot: Host = interaction.client  # type: ignore[assignment]
        await interaction.response.defer()  # answered before any I/O; the page is edited in place after
        text, view = await history_page(bot, interaction.guild_id, self.user_id, max(0, self.page), interaction.locale)
        await interaction.edit_original_response(content=text, view=view, allowed_mentions=NO_MENTIONS)


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
        left = (
            Text("quota-left-unlimited")
            if balance.daily_left is None
            else Text("quota-left", left=balance.daily_left, daily=limits.daily)
        )
        lines = (
            left,
            Text("quota-bonus", bonus=balance.bonus),
            Text(
                "quota-jobs",
                running=balance.running,
                running_limit=limits.running,
                waiting=balance.waiting,
                waiting_limit=limits.waiting,
            ),
            Text("quota-reset", reset=int(balance.reset_at.timestamp())),
            self._prices(interaction.guild_id),
        )
        await reply(interaction, "\n".join(render(line, interaction.locale) for line in lines), ephemeral=True)

    def _prices(self, guild_id: int) -> Text:
        """The cost table's factors that are not 1: why a job may cost more (or less) than its base."""
        assert self.bot.jobs.accounts is not None
        config = self.bot.jobs.accounts.cached_config(guild_id)
        table = config.factor_table(self.bot.settings.quota_defaults)
        return Text("quota-prices", factors=", ".join(f"{n} ×{f}" for n, f in table.items() if f != 1) or "—")

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
            await reply(interaction, Text("job-none", id=id), ephemeral=True)
            return
        locale = interaction.locale
        chain: list[str] = []
        parent_id = job.parent_id
        while parent_id is not None and len(chain) < 10:
            parent = await ledger.get(parent_id)
            if parent is None:
                break
            chain.append(f"#{parent.id} {render(action_text(parent.action), locale)}")
            parent_id = parent.parent_id
        action = action_text(job.action)
        icon, status = STATUS_ICONS[job.status], status_text(job.status)
        lines: list[Text | str] = [
            Text("job-heading-titled", id=job.id, action=action, title=job.title)
            if job.title
            else Text("job-heading", id=job.id, action=action),
            Text("job-owner-running", user_id=job.user_id, icon=icon, status=status, progress=job.progress)
            if job.status is JobStatus.RUNNING
            else Text("job-owner", user_id=job.user_id, icon=icon, status=status),
            Text("job-cost", cost=job.cost, refunded=_refunded(job)),
            Text("job-prompt", prompt=_clip(job.prompt, 1000)),
        ]
        if chain:
            lines.append(Text("job-made-from", chain=" ← ".join(chain)))
        if job.error:
            lines.append(Text("job-error", error=job.error))
        if link := _link(job):
            lines.append(link)
        text = "\n".join(render(line, locale) for line in lines)
        await reply(interaction, text[:2000], ephemeral=True, allowed_mentions=NO_MENTIONS)
