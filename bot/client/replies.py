"""Private answers to a member, in their language, never pinging anyone; and who the member is."""

from __future__ import annotations

from typing import Any

import discord

from bot.core.text import Text
from bot.i18n import render

RESPONSE_DEFERRED = discord.InteractionResponseType.deferred_channel_message
NO_MENTIONS = discord.AllowedMentions.none()  # every message built from user text goes with this


async def reply(interaction: discord.Interaction, text: Text | str, **kwargs: Any) -> None:
    """A private answer: a `Text` in the member's language, a plain string (prompt, link) as it is."""
    kwargs.setdefault("ephemeral", True)
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    content = render(text, interaction.locale)
    if not interaction.response.is_done():
        await interaction.response.send_message(content, **kwargs)
    elif interaction.response.type is RESPONSE_DEFERRED and not interaction.extras.get("answered"):
        # Acknowledged first ("thinking…"): the answer takes the place of that placeholder.
        interaction.extras["answered"] = True
        kwargs.pop("ephemeral")
        if "file" in kwargs:
            kwargs["attachments"] = [kwargs.pop("file")]
        await interaction.edit_original_response(content=content, **kwargs)
    else:
        await interaction.followup.send(content, **kwargs)


def member_roles(interaction: discord.Interaction) -> list[int]:
    """The member's role ids, for tiers and unlimited roles (none outside a server)."""
    return [role.id for role in getattr(interaction.user, "roles", [])]


def jump_link(guild_id: int | None, channel_id: int, message_id: int | None) -> str:
    """A link that opens a message in Discord (a direct message's server part is `@me`)."""
    return f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}/{message_id}"
