"""The answer of last resort for an unexpected error in a command or a button."""

from __future__ import annotations

import contextlib

import discord

from bot.i18n import tr

UNEXPECTED = "Something went wrong on the bot's side. Please try again; if it keeps happening, tell a server admin."


async def reply_unexpected(interaction: discord.Interaction) -> None:
    """So a user never stares at a silent failure."""
    text = tr(UNEXPECTED, interaction.locale)
    with contextlib.suppress(discord.HTTPException):
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
