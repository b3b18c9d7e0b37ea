"""What the buttons, menus and dialogs of job messages need from the bot, as a protocol.

Items are built by discord.py from a custom_id and reach their feature through `interaction.client`;
this keeps them from importing the app that registers them (dependencies run one way).
"""

from __future__ import annotations

from typing import Protocol, cast

import discord
from discord.ext import commands

from bot.client.host import Host
from bot.core.errors import UserFacingError
from bot.core.quota import GuildConfig
from bot.core.text import Text


class GenerationFlows(Protocol):
    async def describe(self, interaction: discord.Interaction, attachment: discord.Attachment) -> None: ...

    async def shorten(self, interaction: discord.Interaction, prompt: str) -> None: ...

    async def edit(
        self,
        interaction: discord.Interaction,
        attachment: discord.Attachment,
        prompt: str,
        *,
        pick_region: bool,
        mode: str | None,
    ) -> None: ...

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
    if cog is None:  # turned off (EXTENSIONS); the settings refuse the features that need it without it
        raise UserFacingError(Text("feature-off"), detail="the generation feature is not loaded")
    return cast(GenerationFlows, getattr(cog, "flows"))  # noqa: B009 - the cog's module imports this one


def video_on(client: discord.Client, config: GuildConfig) -> bool:
    """Video buttons are drawn and accepted with the video feature loaded and the server's setting on."""
    return config.video and cast(Host, client).feature_on("video")
