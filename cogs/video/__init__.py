"""Video: Animate (High/Low motion) under an upscale, and the video jobs' U1–U4 and Extend.
A discord.py extension. Video jobs run through the generation feature like every job; loaded, this feature
lets it show and accept their buttons (with the server's own `video` setting on). Not loaded, those buttons
are not drawn, and a press of one on an old message is answered that the feature is turned off.
"""

from __future__ import annotations

from discord.ext import commands


class Video(commands.Cog):
    """No commands of its own: Discord reaches video through the buttons of finished jobs."""


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Video())
