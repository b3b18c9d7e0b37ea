"""Registers the job buttons, Remix and the Vary (Region) picker, so presses on any message reach the bot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.client.components import DYNAMIC_ITEMS
from bot.client.job_button import JobButton

if TYPE_CHECKING:
    from bot.client.app import MJBot

ITEMS = (JobButton, *DYNAMIC_ITEMS)


async def setup(bot: MJBot) -> None:
    bot.add_dynamic_items(*ITEMS)


async def teardown(bot: MJBot) -> None:
    bot.remove_dynamic_items(*ITEMS)
