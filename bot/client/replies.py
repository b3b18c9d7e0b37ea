"""Private answers to a member, in their language, never pinging anyone."""

from __future__ import annotations

from typing import Any

import discord

from bot.i18n import tr


async def reply(interaction: discord.Interaction, text: str, **kwargs: Any) -> None:
    kwargs.setdefault("ephemeral", True)
    kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
    text = tr(text, interaction.locale)
    if interaction.response.is_done():
        await interaction.followup.send(text, **kwargs)
    else:
        await interaction.response.send_message(text, **kwargs)
