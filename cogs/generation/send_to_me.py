"""✉️ Send to me: a button under every finished image that sends it to the presser's direct messages."""

from __future__ import annotations

from typing import Any

import discord

from bot.client.errors import guarded
from bot.core.text import Text
from bot.i18n import render
from cogs.generation.feature import generation


class SendToMeButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"mj:dm:(?P<job>[0-9]+)"):
    def __init__(self, job_id: int, locale: object = None, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=render(Text("button-send-to-me"), locale), emoji="✉️", custom_id=f"mj:dm:{job_id}", row=row
            )
        )
        self.job_id = job_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any, /) -> SendToMeButton:
        return cls(int(match["job"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await generation(interaction).send_to_me(interaction, self.job_id)
