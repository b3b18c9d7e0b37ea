"""Registers the job buttons so presses on any job message, old or new, reach the bot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.client.job_button import JobButton

if TYPE_CHECKING:
    from bot.client.app import MJBot


async def setup(bot: MJBot) -> None:
    bot.add_dynamic_items(JobButton)


async def teardown(bot: MJBot) -> None:
    bot.remove_dynamic_items(JobButton)
