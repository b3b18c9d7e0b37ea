"""Vary (Region) and /edit: the picker of the parts of an image to repaint.

Its items are DynamicItems whose custom_id carries their state, so they work after a restart (an /edit's
image waits in memory, though: after a restart its picker says to run /edit again).
"""

from __future__ import annotations

from typing import Any

import discord

from bot.client.errors import guarded
from bot.core.text import Text
from bot.i18n import render
from cogs.generation.feature import generation

# The nine parts, left to right and top to bottom.
CELL_NAMES = (
    Text("region-top-left"),
    Text("region-top-middle"),
    Text("region-top-right"),
    Text("region-middle-left"),
    Text("region-centre"),
    Text("region-middle-right"),
    Text("region-bottom-left"),
    Text("region-bottom-middle"),
    Text("region-bottom-right"),
)


def cells_to_bits(cells: set[int]) -> int:
    return sum(1 << c for c in cells)


def bits_to_cells(bits: int) -> set[int]:
    return {c for c in range(9) if bits >> c & 1}


def cells_picture(cells: set[int]) -> str:
    rows = ("".join("🟩" if r * 3 + c in cells else "⬛" for c in range(3)) for r in range(3))
    return "\n".join(rows)


class RegionSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"mj:rsel:(?P<job>[0-9]+):(?P<index>[0-9]+)"
):
    """The nine parts of the image; the ones chosen are repainted."""

    def __init__(self, job_id: int, index: int, cells: set[int] | None = None, locale: object = None) -> None:
        super().__init__(_cells_select(f"mj:rsel:{job_id}:{index}", cells or set(), locale))
        self.job_id, self.index = job_id, index

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any, /) -> RegionSelect:
        return cls(int(match["job"]), int(match["index"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        cells = {int(v) for v in self.item.values}
        await generation(interaction).region_picked(interaction, self.job_id, self.index, cells)


class RegionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"mj:rgo:(?P<verb>go|edit):(?P<job>[0-9]+):(?P<index>[0-9]+):(?P<bits>[0-9]+)",
):
    def __init__(self, verb: str, job_id: int, index: int, bits: int, locale: object = None) -> None:
        label, style = (
            (Text("button-repaint"), discord.ButtonStyle.success)
            if verb == "go"
            else (Text("button-edit-prompt"), discord.ButtonStyle.secondary)
        )
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=render(label, locale),
            style=style,
            custom_id=f"mj:rgo:{verb}:{job_id}:{index}:{bits}",
            disabled=bits == 0,
            row=1,
        )
        super().__init__(button)
        self.verb, self.job_id, self.index, self.bits = verb, job_id, index, bits

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any, /) -> RegionButton:
        return cls(match["verb"], int(match["job"]), int(match["index"]), int(match["bits"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        cells = bits_to_cells(self.bits)
        await generation(interaction).region_go(interaction, self.job_id, self.index, cells, edit=self.verb == "edit")


class EditRegionSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"mj:esel:(?P<token>[0-9]+)"):
    """/edit's nine parts; `token` names the edit waiting for them."""

    def __init__(self, token: int, cells: set[int] | None = None, locale: object = None) -> None:
        super().__init__(_cells_select(f"mj:esel:{token}", cells or set(), locale))
        self.token = token

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any, /) -> EditRegionSelect:
        return cls(int(match["token"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        cells = {int(v) for v in self.item.values}
        await generation(interaction).edit_region_picked(interaction, self.token, cells)


class EditRegionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"mj:ego:(?P<token>[0-9]+):(?P<bits>[0-9]+)"
):
    def __init__(self, token: int, bits: int, locale: object = None) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=render(Text("button-edit-go"), locale),
            style=discord.ButtonStyle.success,
            custom_id=f"mj:ego:{token}:{bits}",
            disabled=bits == 0,
            row=1,
        )
        super().__init__(button)
        self.token, self.bits = token, bits

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any, /) -> EditRegionButton:
        return cls(int(match["token"]), int(match["bits"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await generation(interaction).edit_region_go(interaction, self.token, bits_to_cells(self.bits))


def _cells_select(custom_id: str, chosen: set[int], locale: object) -> discord.ui.Select[Any]:
    options = [
        discord.SelectOption(label=render(name, locale), value=str(i), default=i in chosen)
        for i, name in enumerate(CELL_NAMES)
    ]
    return discord.ui.Select(
        custom_id=custom_id,
        placeholder=render(Text("region-placeholder"), locale),
        min_values=1,
        max_values=9,
        options=options,
        row=0,
    )


def _picker_text(help_text: Text, cells: set[int], locale: object) -> str:
    chosen = ", ".join(render(CELL_NAMES[c], locale) for c in sorted(cells)) or Text("region-nothing-yet")
    return "\n".join(
        (render(help_text, locale), cells_picture(cells), render(Text("region-chosen", chosen=chosen), locale))
    )


def region_picker(job_id: int, index: int, cells: set[int], locale: object = None) -> tuple[str, discord.ui.View]:
    """The ephemeral Vary (Region) message: which parts, then repaint (with an optional prompt edit)."""
    view = discord.ui.View(timeout=None)
    view.add_item(RegionSelect(job_id, index, cells, locale))
    bits = cells_to_bits(cells)
    view.add_item(RegionButton("go", job_id, index, bits, locale))
    view.add_item(RegionButton("edit", job_id, index, bits, locale))
    view.stop()  # state is in the custom_ids; nothing to keep in memory
    return _picker_text(Text("region-help"), cells, locale), view


def edit_region_picker(token: int, cells: set[int], locale: object = None) -> tuple[str, discord.ui.View]:
    """The ephemeral /edit message: which parts of the member's image to repaint, then go."""
    view = discord.ui.View(timeout=None)
    view.add_item(EditRegionSelect(token, cells, locale))
    view.add_item(EditRegionButton(token, cells_to_bits(cells), locale))
    view.stop()
    return _picker_text(Text("edit-region-help"), cells, locale), view


REGION_ITEMS = (RegionSelect, RegionButton)
EDIT_REGION_ITEMS = (EditRegionSelect, EditRegionButton)  # registered by the edit feature
