"""The button under a job's message: a DynamicItem, so it keeps working after a restart.

The custom_id names the ledger job, the index of the API button and what a press opens (`mj:job:42:3:p`:
`p` a job at once, `z` the Custom Zoom dialog, `r` the Vary (Region) picker), far under Discord's 100
characters; the API's own customId stays in the ledger. Knowing the kind, a press is answered before any
I/O. Ids without a kind (messages from before) are looked up first.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.client.errors import guarded
from bot.core.buttons import PRIMARY, SUCCESS, ButtonFace
from bot.core.models import JobAction
from cogs.generation.feature import generation

_STYLES = {PRIMARY: discord.ButtonStyle.primary, SUCCESS: discord.ButtonStyle.success}
_KINDS = {JobAction.CUSTOM_ZOOM: "z", JobAction.VARY_REGION: "r"}


class JobButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"mj:job:(?P<job>[0-9]+):(?P<index>[0-9]+)(?::(?P<kind>[pzr]))?",
):
    def __init__(self, job_id: int, index: int, face: ButtonFace | None = None, kind: str | None = None) -> None:
        if face is not None:
            kind = _KINDS.get(face.action, "p")
        suffix = f":{kind}" if kind else ""
        button: discord.ui.Button[Any] = discord.ui.Button(custom_id=f"mj:job:{job_id}:{index}{suffix}")
        if face is not None:
            button.label = face.label
            button.emoji = face.emoji
            button.style = _STYLES.get(face.style, discord.ButtonStyle.secondary)
            button.row = face.row
        super().__init__(button)
        self.job_id = job_id
        self.index = index
        self.kind = kind

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> JobButton:
        # Runs inside the 3-second window: no I/O here, the ledger is read after the ack.
        return cls(int(match["job"]), int(match["index"]), kind=match["kind"])

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await generation(interaction).press(interaction, self.job_id, self.index, self.kind)
