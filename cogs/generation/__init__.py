"""Image generation in Discord: /imagine, /blend, /describe, the buttons under each job, Remix,
Vary (Region) and Custom Zoom, and the job messages kept up to date. A discord.py extension.

Modules: `commands` (the cog: slash commands, owns the rest), `flows` (what a command or a press does),
`job_button`, `remix`, `region` (the DynamicItems), `modals` (dialogs), `job_messages` (edits),
`posted_messages` (the crash journal), `render` (a job as a message), `feature` (how items reach the
flows).
"""

from __future__ import annotations

from typing import cast

from discord.ext import commands

from bot.client.host import Host
from cogs.generation.cancel import CancelButton
from cogs.generation.commands import Generation
from cogs.generation.job_button import JobButton
from cogs.generation.region import REGION_ITEMS
from cogs.generation.remix import RemixButton
from cogs.generation.send_to_me import SendToMeButton

ITEMS = (JobButton, RemixButton, CancelButton, SendToMeButton, *REGION_ITEMS)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Generation(bot, cast(Host, bot)))
    bot.add_dynamic_items(*ITEMS)


async def teardown(bot: commands.Bot) -> None:
    bot.remove_dynamic_items(*ITEMS)
