"""What the buttons, menus and dialogs of job messages need from the bot, as a protocol.

Items are built by discord.py from a custom_id and reach their feature through `interaction.client`;
this keeps them from importing the app that registers them (dependencies run one way).
"""

from __future__ import annotations

from typing import Protocol, cast

import discord


class Generation(Protocol):
    async def press(
        self, interaction: discord.Interaction, job_id: int, index: int, kind: str | None = None
    ) -> None: ...

    async def open_remix(self, interaction: discord.Interaction, job_id: int) -> None: ...

    async def region_picked(
        self, interaction: discord.Interaction, job_id: int, index: int, cells: set[int]
    ) -> None: ...

    async def region_go(
        self, interaction: discord.Interaction, job_id: int, index: int, cells: set[int], *, edit: bool
    ) -> None: ...


def generation(interaction: discord.Interaction) -> Generation:
    """The generation feature of the bot that received `interaction` (`MJBot.flows`)."""
    return cast(Generation, interaction.client.flows)  # type: ignore[attr-defined]
