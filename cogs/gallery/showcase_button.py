"""⭐ Showcase: a button under every finished image that posts it to the server's showcase channel."""

from __future__ import annotations

from typing import Any, Protocol, cast

import discord
from discord.ext import commands

from bot.client.errors import guarded
from bot.core.text import Text
from bot.i18n import render


class ShowcaseFlow(Protocol):
    async def showcase(self, interaction: discord.Interaction, job_id: int) -> None: ...


class ShowcaseButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"mj:star:(?P<job>[0-9]+)"):
    def __init__(self, job_id: int, locale: object = None, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=render(Text("button-showcase"), locale), emoji="⭐", custom_id=f"mj:star:{job_id}", row=row
            )
        )
        self.job_id = job_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any, /) -> ShowcaseButton:
        return cls(int(match["job"]))  # no I/O: the ledger is read after the ack

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        cog = cast(commands.Bot, interaction.client).get_cog("GalleryFeature")
        await cast(ShowcaseFlow, cog).showcase(interaction, self.job_id)
