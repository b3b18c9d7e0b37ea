"""Command names and descriptions in Simplified Chinese, through discord.py's Translator."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import command_text


class CommandTranslator(app_commands.Translator):
    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        if locale is not discord.Locale.chinese:
            return None
        return command_text(string.message)
