"""/describe and /shorten: the slash commands; the job runs through the generation feature's flows."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from cogs.generation.feature import generation


class Describe(commands.Cog):
    @app_commands.command(name="shorten", description="Shorter versions of a prompt, to pick one and imagine it")
    @app_commands.describe(prompt="The prompt to shorten")
    @app_commands.guild_only()
    async def shorten(self, interaction: discord.Interaction, prompt: str) -> None:
        await generation(interaction).shorten(interaction, prompt)

    @app_commands.command(name="describe", description="Four prompts that describe an image")
    @app_commands.describe(image="The image to describe")
    @app_commands.guild_only()
    async def describe(self, interaction: discord.Interaction, image: discord.Attachment) -> None:
        await generation(interaction).describe(interaction, image)
