"""Credits and limits in Discord: what a member has left and made (/quota, /history, /job) and the
admins' /mjadmin. A discord.py extension; the rules themselves live in `bot.core.accounts`.
"""

from __future__ import annotations

from typing import cast

from discord.ext import commands

from bot.client.credits.admin import MJAdmin
from bot.client.credits.member import Account, HistoryPage
from bot.client.host import Host


async def setup(bot: commands.Bot) -> None:
    host = cast(Host, bot)
    bot.add_dynamic_items(HistoryPage)
    await bot.add_cog(Account(host))
    await bot.add_cog(MJAdmin(host))


async def teardown(bot: commands.Bot) -> None:
    bot.remove_dynamic_items(HistoryPage)
