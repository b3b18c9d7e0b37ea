"""/edit: repaint a member's own image from a prompt, whole or in the parts picked on a 3×3 grid.
A discord.py extension; the job runs through the generation feature's flows.
"""

from __future__ import annotations

from discord.ext import commands

from cogs.edit.commands import Edit
from cogs.generation.region import EDIT_REGION_ITEMS


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(*EDIT_REGION_ITEMS)
    await bot.add_cog(Edit())


async def teardown(bot: commands.Bot) -> None:
    bot.remove_dynamic_items(*EDIT_REGION_ITEMS)
