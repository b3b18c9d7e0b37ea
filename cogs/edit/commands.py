"""/edit: the slash command; the job runs through the generation feature's flows."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from cogs.generation.commands import MODES, choice_value
from cogs.generation.feature import generation

AREAS = [
    app_commands.Choice(name="Whole image", value="whole"),
    app_commands.Choice(name="Pick parts on a grid", value="parts"),
]


class Edit(commands.Cog):
    @app_commands.command(name="edit", description="Repaint your image from a prompt, whole or in parts")
    @app_commands.describe(
        image="The image to edit (PNG, JPEG, WebP or GIF)",
        prompt="What the image should become (up to 1500 characters)",
        area="The whole image (default), or parts you pick on a 3×3 grid",
        mode="Fast, Relax or Turbo (default: the server's setting)",
    )
    @app_commands.choices(area=AREAS, mode=MODES)
    @app_commands.guild_only()
    async def edit(
        self,
        interaction: discord.Interaction,
        image: discord.Attachment,
        prompt: str,
        area: app_commands.Choice[str] | None = None,
        mode: app_commands.Choice[str] | None = None,
    ) -> None:
        pick_region = choice_value(area) == "parts"
        await generation(interaction).edit(interaction, image, prompt, pick_region=pick_region, mode=choice_value(mode))
