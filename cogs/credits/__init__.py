"""Credits and limits for members: what a member has left and made (/quota, /history, /job).
A discord.py extension; the rules themselves live in `bot.core.accounts`.
"""

from __future__ import annotations

from typing import cast

from discord.ext import commands

from bot.client.host import Host
from cogs.credits.member import Account, HistoryPage


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(HistoryPage)
    await bot.add_cog(Account(cast(Host, bot)))


async def teardown(bot: commands.Bot) -> None:
    bot.remove_dynamic_items(HistoryPage)
