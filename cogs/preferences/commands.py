"""/prefer suffix and /settings: a member's own defaults on a server, answered privately."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client.host import Host
from bot.client.replies import NO_MENTIONS, reply
from bot.core.errors import InvalidInput
from bot.core.preferences import checked_suffix
from bot.core.text import Text
from cogs.preferences.panel import settings_panel


@app_commands.guild_only()
class Prefer(commands.GroupCog, group_name="prefer", group_description="Your own defaults on this server"):
    def __init__(self, bot: Host) -> None:
        self.bot = bot

    @app_commands.command(name="suffix", description="Text added to the end of every prompt you /imagine")
    @app_commands.describe(value="The suffix, e.g. --ar 16:9 --style raw (leave it out to clear it)")
    async def suffix(self, interaction: discord.Interaction, value: str | None = None) -> None:
        assert interaction.guild_id is not None and self.bot.jobs.accounts is not None
        banned = self.bot.jobs.accounts.cached_config(interaction.guild_id).banned_words  # memory: no I/O
        try:
            suffix = checked_suffix(value or "", banned)
        except InvalidInput as exc:
            await reply(interaction, Text("prefer-suffix-refused", reason=exc.text))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)  # answered before the ledger is written
        await self.bot.preferences.change(interaction.guild_id, interaction.user.id, suffix=suffix)
        shown = suffix.replace("`", "ˋ")
        done = Text("prefer-suffix-set", suffix=shown) if suffix else Text("prefer-suffix-cleared")
        await reply(interaction, done, allowed_mentions=NO_MENTIONS)


class MemberSettings(commands.Cog):
    def __init__(self, bot: Host) -> None:
        self.bot = bot

    @app_commands.command(name="settings", description="Your defaults on this server: mode, bot, Remix and suffix")
    @app_commands.guild_only()
    async def settings(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)  # answered before any I/O
        # Fresh from the ledger: another process of the bot may have changed them.
        await self.bot.preferences.read(interaction.guild_id, interaction.user.id)
        text, view = settings_panel(self.bot, interaction.guild_id, interaction.user.id, interaction.locale)
        await reply(interaction, text, view=view, allowed_mentions=NO_MENTIONS)
