"""/imagine: the slash command; the work happens in `bot.client.flows`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

if TYPE_CHECKING:
    from bot.client.app import MJBot


class Imagine(commands.Cog):
    def __init__(self, bot: MJBot) -> None:
        self.bot = bot

    @app_commands.command(name="imagine", description="Create four images from a text prompt")
    @app_commands.describe(
        prompt="What to draw, with any Midjourney parameters (up to 1500 characters)", image="A reference image"
    )
    @app_commands.guild_only()
    async def imagine(
        self,
        interaction: discord.Interaction,
        prompt: str,
        image: discord.Attachment | None = None,
    ) -> None:
        await self.bot.flows.imagine(interaction, prompt, [image] if image else [])


async def setup(bot: MJBot) -> None:
    await bot.add_cog(Imagine(bot))
