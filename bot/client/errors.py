"""The one way an error reaches a member, for commands, buttons, menus and dialogs alike.

What a member should be told (`UserFacingError`) is answered privately in their language. Anything else
gets one generic private answer with a short error id, and the log line with the traceback carries the
same id, so an admin can find it (`grep 'error 3fa2c1'`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import secrets
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import discord

from bot.client.replies import reply
from bot.core.errors import UserFacingError
from bot.core.text import Text
from bot.i18n import render

log = logging.getLogger(__name__)

Item = TypeVar("Item")


async def answer_error(interaction: discord.Interaction, error: BaseException, where: str) -> None:
    if isinstance(error, UserFacingError):
        log.info("%s: user %s told: %s", where, interaction.user.id, error)
        text: Text | str = f"❌ {render(error.text, interaction.locale)}"
    else:
        error_id = secrets.token_hex(3)
        log.error("%s failed [error %s]", where, error_id, exc_info=error)
        text = Text("error-unexpected", id=error_id)
    with contextlib.suppress(discord.HTTPException):
        await reply(interaction, text)


Callback = Callable[[Item, discord.Interaction], Coroutine[Any, Any, None]]


def guarded(callback: Callback[Item]) -> Callback[Item]:
    """For a DynamicItem's callback: its errors never reach the command tree's handler."""

    @functools.wraps(callback)
    async def run(item: Item, interaction: discord.Interaction) -> None:
        try:
            await callback(item, interaction)
        except Exception as exc:
            custom_id = dict(interaction.data or {}).get("custom_id")
            await answer_error(interaction, exc, f"component {custom_id}")

    return run


class GuardedModal(discord.ui.Modal):
    """A dialog whose errors are answered like every other."""

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await answer_error(interaction, error, f"dialog {self.title}")


__all__ = ["GuardedModal", "answer_error", "guarded"]
