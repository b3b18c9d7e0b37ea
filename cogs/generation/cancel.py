"""The Cancel button under a job that waits or runs: a DynamicItem, so it works after a restart."""

from __future__ import annotations

from typing import Any

import discord

from bot.client.errors import guarded
from bot.core.text import Text
from bot.i18n import render
from cogs.generation.feature import generation


class CancelButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"mj:cancel:(?P<job>[0-9]+)"):
    def __init__(self, job_id: int, locale: object = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=render(Text("button-cancel"), locale),
                style=discord.ButtonStyle.danger,
                custom_id=f"mj:cancel:{job_id}",
                row=4,
            )
        )
        self.job_id = job_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any, /) -> CancelButton:
        return cls(int(match["job"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await generation(interaction).cancel(interaction, self.job_id)
