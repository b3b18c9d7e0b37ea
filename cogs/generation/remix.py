"""Remix: the button that opens the prompt dialog of a job the API holds for an edited prompt.

A DynamicItem whose custom_id names the job, so it works after a restart.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.client.errors import guarded
from bot.core.text import Text
from bot.i18n import render
from cogs.generation.feature import generation


class RemixButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"mj:remix:(?P<job>[0-9]+)"):
    """Opens the Remix dialog of a job the API holds for an edited prompt."""

    def __init__(self, job_id: int, locale: object = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=render(Text("button-remix"), locale),
                emoji="🎛️",
                style=discord.ButtonStyle.success,
                custom_id=f"mj:remix:{job_id}",
            )
        )
        self.job_id = job_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any, /) -> RemixButton:
        return cls(int(match["job"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await generation(interaction).open_remix(interaction, self.job_id)
