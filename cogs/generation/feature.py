"""What the buttons, menus and dialogs of job messages need from the bot, as a protocol.

Items are built by discord.py from a custom_id and reach their feature through `interaction.client`;
this keeps them from importing the app that registers them (dependencies run one way).
"""

from __future__ import annotations

from typing import Protocol, cast

import discord
from discord.ext import commands


class GenerationFlows(Protocol):
    async def press(
        self, interaction: discord.Interaction, job_id: int, index: int, kind: str | None = None
    ) -> None: ...

    async def open_remix(self, interaction: discord.Interaction, job_id: int) -> None: ...

    async def cancel(self, interaction: discord.Interaction, job_id: int) -> None: ...

    async def send_to_me(self, interaction: discord.Interaction, job_id: int) -> None: ...

    async def region_picked(
        self, interaction: discord.Interaction, job_id: int, index: int, cells: set[int]
    ) -> None: ...

    async def region_go(
        self, interaction: discord.Interaction, job_id: int, index: int, cells: set[int], *, edit: bool
    ) -> None: ...

    async def edit_region_picked(self, interaction: discord.Interaction, token: int, cells: set[int]) -> None: ...

    async def edit_region_go(self, interaction: discord.Interaction, token: int, cells: set[int]) -> None: ...


def generation(interaction: discord.Interaction) -> GenerationFlows:
    """The flows of the generation feature loaded in the bot that received `interaction`."""
    cog = cast(commands.Bot, interaction.client).get_cog("Generation")
    return cast(GenerationFlows, getattr(cog, "flows"))  # noqa: B009 - the cog's module imports this one
