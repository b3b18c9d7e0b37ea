"""/edit: a member's own image repainted from a prompt, whole or in the parts picked on a 3×3 grid."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot.client.replies import NO_MENTIONS, reply
from bot.core.accounts import Refusal
from bot.core.errors import InvalidInput
from bot.core.image_work import off_loop
from bot.core.images import image_size, region_mask
from bot.core.models import EditRequest, JobAction
from bot.core.prompts import checked_prompt, clean
from bot.core.providers.base import editor
from bot.core.requests import JobRequest
from bot.core.text import Text
from bot.i18n import render
from cogs.generation.region import edit_region_picker
from cogs.generation.starting import FlowsBase, refuse, requester_of


class Edits(FlowsBase):
    """/edit and its picker (the image waits in `pending_edits` while the member picks)."""

    async def edit(
        self,
        interaction: discord.Interaction,
        attachment: discord.Attachment,
        prompt: str,
        *,
        pick_region: bool,
        mode: str | None = None,
    ) -> None:
        """/edit: the member's image repainted from the prompt, whole or in the parts picked on a 3×3 grid.

        Where the API cannot edit, the member is told at once, before anything is read or charged.
        """
        if not any(editor(p) is not None for p in self.jobs.pool.providers.values()):  # none of the APIs edits
            await refuse(interaction, Text("edit-unsupported"), clean(prompt))
            return
        preference = self.preferences.of(interaction.guild_id, interaction.user.id)  # memory: no I/O
        config = self.accounts.cached_config(interaction.guild_id)
        mode = self._flavour(config, mode, None, preference)[1]
        try:
            prompt = checked_prompt(prompt)
            prompt, (_, mode), _ = self._versioned(config, preference, prompt, ("MID_JOURNEY", mode))
            self._check_attachments([attachment])
        except InvalidInput as exc:
            await refuse(interaction, exc.text, clean(prompt))
            return
        if not pick_region:

            async def read() -> JobRequest:
                return EditRequest(await self._read_image(attachment), prompt, None, mode)

            await self._edit_job(interaction, prompt, read, mode)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            # The server's rules before the member spends time picking (the charge comes with the pick).
            await self.accounts.admit(requester_of(interaction), [prompt])
            image = await self._read_image(attachment)
        except (InvalidInput, Refusal) as exc:
            await refuse(interaction, exc.text, prompt)
            return
        self.pending_edits.put(interaction.id, interaction.user.id, image, prompt, mode)
        text, view = edit_region_picker(interaction.id, set(), interaction.locale)
        await interaction.edit_original_response(content=text, view=view, allowed_mentions=NO_MENTIONS)

    async def edit_region_picked(self, interaction: discord.Interaction, token: int, cells: set[int]) -> None:
        if self.pending_edits.get(token, interaction.user.id) is None:
            await reply(interaction, Text("edit-expired"))
            return
        text, view = edit_region_picker(token, cells, interaction.locale)
        await interaction.response.edit_message(content=text, view=view)

    async def edit_region_go(self, interaction: discord.Interaction, token: int, cells: set[int]) -> None:
        pending = self.pending_edits.take(token, interaction.user.id)
        size = image_size(pending.image.data) if pending is not None else None
        if pending is None or size is None or not cells:
            await reply(interaction, Text("edit-expired"))
            return
        mask = await off_loop(region_mask, *size, cells)
        await interaction.response.edit_message(content=render(Text("edit-starting"), interaction.locale), view=None)

        async def read() -> JobRequest:
            return EditRequest(pending.image, pending.prompt, mask, pending.mode)

        await self._edit_job(interaction, pending.prompt, read, pending.mode)

    async def _edit_job(
        self,
        interaction: discord.Interaction,
        prompt: str,
        read: Callable[[], Awaitable[JobRequest]],
        mode: str | None,
    ) -> None:
        title = Text("job-title-edit")
        await self._command_job(
            interaction, JobAction.EDIT, prompt, read, (None, mode), files=True, title=title, hand_back=prompt
        )
