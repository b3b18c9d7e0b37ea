"""The answer of last resort for an unexpected error in a command or a button."""

from __future__ import annotations

import contextlib

import discord

from bot.client.replies import reply

UNEXPECTED = "Something went wrong on the bot's side. Please try again; if it keeps happening, tell a server admin."


async def reply_unexpected(interaction: discord.Interaction) -> None:
    """So a user never stares at a silent failure."""
    with contextlib.suppress(discord.HTTPException):
        await reply(interaction, UNEXPECTED)
