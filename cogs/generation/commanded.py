"""The slash commands that start a job: /imagine, /blend, /describe and /shorten."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.core.errors import InvalidInput
from bot.core.models import BlendRequest, ImagineRequest, JobAction
from bot.core.prompts import checked_prompt, clean
from bot.core.requests import DescribeRequest, JobRequest, ShortenRequest
from bot.core.text import Text
from bot.i18n import render
from cogs.generation.starting import FlowsBase, refuse

BLEND_MIN, BLEND_MAX = 2, 5  # images a blend takes


class Commands(FlowsBase):
    """/imagine, /blend, /describe, /shorten: each reads its input and starts its job."""

    async def imagine(
        self,
        interaction: discord.Interaction,
        prompt: str,
        attachments: Sequence[discord.Attachment],
        *,
        mode: str | None = None,
        bot_type: str | None = None,
    ) -> None:
        preference = self.preferences.of(interaction.guild_id, interaction.user.id)  # memory: no I/O
        config = self.accounts.cached_config(interaction.guild_id)
        flavour = self._flavour(config, mode, bot_type, preference)
        try:
            sent = preference.suffixed(prompt, has_images=bool(attachments))  # the suffix shows in the message
            sent, flavour, notice = self._versioned(config, preference, sent, flavour)
            self._check_attachments(attachments)
        except InvalidInput as exc:
            await refuse(interaction, exc.text, clean(prompt))
            return

        async def read() -> JobRequest:
            images = tuple([await self._read_image(a) for a in attachments])
            return ImagineRequest(sent, images, *flavour, translate=config.translate_prompts)

        await self._command_job(
            interaction,
            JobAction.IMAGINE,
            sent,
            read,
            flavour,
            files=bool(attachments),
            hand_back=clean(prompt),
            notice=notice,
        )  # handed back without the suffix, which would come twice if the prompt were sent again

    async def blend(
        self,
        interaction: discord.Interaction,
        attachments: Sequence[discord.Attachment],
        dimensions: str,
        *,
        mode: str | None = None,
        bot_type: str | None = None,
    ) -> None:
        # The job's prompt, in the member's language: the ledger keeps it as written, like a typed prompt.
        label = render(Text("blend-title", count=len(attachments), shape=dimensions.lower()), interaction.locale)
        try:
            if not BLEND_MIN <= len(attachments) <= BLEND_MAX:
                raise InvalidInput(Text("input-blend-count", min=BLEND_MIN, max=BLEND_MAX, count=len(attachments)))
            self._check_attachments(attachments)
        except InvalidInput as exc:
            await refuse(interaction, exc.text, "")
            return
        preference = self.preferences.of(interaction.guild_id, interaction.user.id)
        flavour = self._flavour(self.accounts.cached_config(interaction.guild_id), mode, bot_type, preference)

        async def read() -> JobRequest:
            images = tuple([await self._read_image(a) for a in attachments])
            return BlendRequest(images, dimensions, *flavour)

        await self._command_job(interaction, JobAction.BLEND, label, read, flavour, files=True, written=False)

    async def describe(self, interaction: discord.Interaction, attachment: discord.Attachment) -> None:
        try:
            self._check_attachments([attachment])
        except InvalidInput as exc:
            await refuse(interaction, exc.text, "")
            return

        async def read() -> JobRequest:
            return DescribeRequest(await self._read_image(attachment))

        await self._command_job(
            interaction,
            JobAction.DESCRIBE,
            attachment.filename,
            read,
            (None, None),
            files=True,
            title=Text("job-title-describe"),
            written=False,  # the file's name is no prompt of the member's
        )

    async def shorten(self, interaction: discord.Interaction, prompt: str) -> None:
        """/shorten: the API's shorter versions of a prompt, with 1️⃣–5️⃣ to imagine one of them."""
        try:
            prompt = checked_prompt(prompt)
        except InvalidInput as exc:
            await refuse(interaction, exc.text, clean(prompt))
            return
        preference = self.preferences.of(interaction.guild_id, interaction.user.id)
        flavour = self._flavour(self.accounts.cached_config(interaction.guild_id), None, None, preference)

        async def read() -> JobRequest:
            return ShortenRequest(prompt, flavour[0])

        await self._command_job(
            interaction, JobAction.SHORTEN, prompt, read, (None, None), files=False, title=Text("job-title-shorten")
        )
