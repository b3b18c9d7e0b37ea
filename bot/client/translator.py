"""Command names and descriptions in Simplified Chinese, through discord.py's Translator.

The decorators write English (`description="Your recent jobs"`); the en-US commands catalog
(`bot/locales/en-US/commands.ftl`) holds exactly those strings, so the English text finds its key and
the zh-CN catalog gives the translation.
"""

from __future__ import annotations

from functools import cache

import discord
from discord import app_commands

from bot.core.text import Text
from bot.i18n import CHINESE, ENGLISH, catalog, render

COMMAND_KEYS = ("cmd-", "opt-", "choice-")  # the commands catalog's prefixes


@cache
def command_keys() -> dict[str, str]:
    """Each English command string and its key, built once from the en-US catalog."""
    return {render(Text(key), ENGLISH): key for key in catalog(ENGLISH) if key.startswith(COMMAND_KEYS)}


def command_translation(english: str, locale: object) -> str | None:
    """A command's name, description or choice in `locale`, or None when the catalog does not have it."""
    key = command_keys().get(english)
    return None if key is None else render(Text(key), locale)


class CommandTranslator(app_commands.Translator):
    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        if locale is not discord.Locale.chinese:
            return None
        return command_translation(string.message, CHINESE)
