"""The dialogs: a prompt to edit (Remix, Vary (Region)) and Custom Zoom's prompt and zoom."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot.client.errors import GuardedModal
from bot.core.text import Text
from bot.i18n import render

PROMPT_MAX = 1500
OnPrompt = Callable[[discord.Interaction, str], Awaitable[None]]
OnZoom = Callable[[discord.Interaction, str, float], Awaitable[None]]


class PromptModal(GuardedModal):
    def __init__(self, title: Text, prompt: str, on_submit: OnPrompt, locale: object = None) -> None:
        super().__init__(title=render(title, locale)[:45], timeout=600)
        self.prompt: discord.ui.TextInput[PromptModal] = discord.ui.TextInput(
            label=render(Text("dialog-prompt"), locale),
            style=discord.TextStyle.paragraph,
            default=prompt[:PROMPT_MAX],
            max_length=PROMPT_MAX,
        )
        self.add_item(self.prompt)
        self._on_submit = on_submit

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self._on_submit(interaction, self.prompt.value.strip())


class ZoomModal(GuardedModal):
    """Midjourney's Custom Zoom: the prompt, and a zoom out between 1.0 and 2.0."""

    def __init__(self, prompt: str, on_submit: OnZoom, locale: object = None) -> None:
        super().__init__(title=render(Text("dialog-custom-zoom"), locale)[:45], timeout=600)
        self.prompt: discord.ui.TextInput[ZoomModal] = discord.ui.TextInput(
            label=render(Text("dialog-prompt"), locale),
            style=discord.TextStyle.paragraph,
            default=prompt[:PROMPT_MAX],
            max_length=PROMPT_MAX,
        )
        self.zoom: discord.ui.TextInput[ZoomModal] = discord.ui.TextInput(
            label=render(Text("dialog-zoom"), locale), default="2", max_length=4
        )
        self.add_item(self.prompt)
        self.add_item(self.zoom)
        self._on_submit = on_submit

    async def on_submit(self, interaction: discord.Interaction) -> None:
        try:
            zoom = float(self.zoom.value.replace(",", "."))
        except ValueError:
            zoom = 0.0
        if not 1.0 <= zoom <= 2.0:
            text = Text("dialog-zoom-invalid", value=self.zoom.value[:10])
            await interaction.response.send_message(
                render(text, interaction.locale),
                ephemeral=True,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return
        await self._on_submit(interaction, self.prompt.value.strip(), zoom)
