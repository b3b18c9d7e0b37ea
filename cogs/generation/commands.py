"""/imagine, /blend and /show: the slash commands; the work is in `flows`."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client.host import Host
from bot.core.models import Job
from cogs.generation.flows import Flows
from cogs.generation.job_messages import JobMessages
from cogs.generation.posted_messages import PostedMessages, journal_path, settle_left_over

MODES = [
    app_commands.Choice(name="Fast", value="fast"),
    app_commands.Choice(name="Relax", value="relax"),
    app_commands.Choice(name="Turbo", value="turbo"),
]
BOTS = [
    app_commands.Choice(name="Midjourney", value="MID_JOURNEY"),
    app_commands.Choice(name="Niji", value="NIJI_JOURNEY"),
]
DIMENSIONS = [
    app_commands.Choice(name="Portrait (2:3)", value="PORTRAIT"),
    app_commands.Choice(name="Square (1:1)", value="SQUARE"),
    app_commands.Choice(name="Landscape (3:2)", value="LANDSCAPE"),
]


FINAL_EDITS_GRACE = 1.5  # seconds the final edits in flight get when the bot stops


def choice_value(choice: app_commands.Choice[str] | None) -> str | None:
    return choice.value if choice else None


class Generation(commands.Cog):
    def __init__(self, bot: commands.Bot, host: Host) -> None:
        settings = host.settings
        self.client, self.jobs = bot, host.jobs
        self.messages = JobMessages(bot, host.fetcher, jobs=host.jobs, edit_interval=settings.progress_edit_interval)
        self.posted = PostedMessages(journal_path(settings))
        self.flows = Flows(
            host.jobs,
            self.messages,
            self.posted,
            host.fetcher,
            host.preferences,
            bot_type=settings.mj_bot_type,
            mode=settings.mj_mode,
            max_attachment_bytes=settings.max_attachment_bytes,
        )

    async def cog_load(self) -> None:
        """Before the job service starts: follow every job's changes, settle what a crash left behind."""
        self.jobs.subscribe(self.messages.on_job)
        self.jobs.subscribe(self._remember)
        await settle_left_over(self.posted, self.client, self.jobs)

    async def cog_unload(self) -> None:
        await self.messages.close(grace=FINAL_EDITS_GRACE)
        self.posted.close()

    async def _remember(self, job: Job) -> None:
        self.flows.remember(job)

    @app_commands.command(name="imagine", description="Create four images from a text prompt")
    @app_commands.describe(
        prompt="What to draw, with any Midjourney parameters (up to 1500 characters)",
        image="A reference image (PNG, JPEG, WebP or GIF)",
        image2="A second reference image",
        image3="A third reference image",
        mode="Fast, Relax or Turbo (default: the server's setting)",
        bot="Midjourney or Niji",
    )
    @app_commands.choices(mode=MODES, bot=BOTS)
    @app_commands.guild_only()
    async def imagine(
        self,
        interaction: discord.Interaction,
        prompt: str,
        image: discord.Attachment | None = None,
        image2: discord.Attachment | None = None,
        image3: discord.Attachment | None = None,
        mode: app_commands.Choice[str] | None = None,
        bot: app_commands.Choice[str] | None = None,
    ) -> None:
        images = [a for a in (image, image2, image3) if a is not None]
        await self.flows.imagine(interaction, prompt, images, mode=choice_value(mode), bot_type=choice_value(bot))

    @app_commands.command(name="blend", description="Blend 2 to 5 images into a new one")
    @app_commands.describe(
        image1="First image",
        image2="Second image",
        image3="Third image",
        image4="Fourth image",
        image5="Fifth image",
        dimensions="Shape of the result (default square)",
        mode="Fast, Relax or Turbo (default: the server's setting)",
        bot="Midjourney or Niji",
    )
    @app_commands.choices(dimensions=DIMENSIONS, mode=MODES, bot=BOTS)
    @app_commands.guild_only()
    async def blend(
        self,
        interaction: discord.Interaction,
        image1: discord.Attachment,
        image2: discord.Attachment,
        image3: discord.Attachment | None = None,
        image4: discord.Attachment | None = None,
        image5: discord.Attachment | None = None,
        dimensions: app_commands.Choice[str] | None = None,
        mode: app_commands.Choice[str] | None = None,
        bot: app_commands.Choice[str] | None = None,
    ) -> None:
        images = [a for a in (image1, image2, image3, image4, image5) if a is not None]
        shape = choice_value(dimensions) or "SQUARE"
        await self.flows.blend(interaction, images, shape, mode=choice_value(mode), bot_type=choice_value(bot))

    @app_commands.command(name="show", description="Show a finished job again, with its buttons")
    @app_commands.describe(job="The job number (see /history)")
    @app_commands.guild_only()
    async def show(self, interaction: discord.Interaction, job: int) -> None:
        await self.flows.show(interaction, job)
