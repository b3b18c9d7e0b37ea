"""The server's settings for admins: /mjadmin (credits, limits, costs, channels, blocks, stats).
A discord.py extension; the rules themselves live in `bot.core.accounts` and `bot.core.quota`.
"""

from __future__ import annotations

from typing import cast

from discord.ext import commands

from bot.client.host import Host
from cogs.admin.commands import MJAdmin


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(MJAdmin(cast(Host, bot)))
