"""A member's own defaults in Discord: /prefer suffix and the /settings message (mode, bot, Remix, suffix).
A discord.py extension; the preferences themselves live in `bot.core.preferences`.

Modules: `commands` (the cogs), `panel` (the /settings message and its DynamicItems).
"""

from __future__ import annotations

from typing import cast

from discord.ext import commands

from bot.client.host import Host
from cogs.preferences.commands import MemberSettings, Prefer
from cogs.preferences.panel import PANEL_ITEMS


async def setup(bot: commands.Bot) -> None:
    host = cast(Host, bot)
    bot.add_dynamic_items(*PANEL_ITEMS)
    await bot.add_cog(Prefer(host))
    await bot.add_cog(MemberSettings(host))


async def teardown(bot: commands.Bot) -> None:
    bot.remove_dynamic_items(*PANEL_ITEMS)
