"""Prompts from the API: /describe (four prompts for an image) and /shorten (shorter versions of a prompt).
A discord.py extension; each prompt's button starts an /imagine through the generation feature.
"""

from __future__ import annotations

from discord.ext import commands

from cogs.describe.commands import Describe


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Describe())
