"""The presses on a job's buttons: U/V/🔄/zoom/pan/Animate, Remix, Vary (Region), Cancel."""

from __future__ import annotations

import logging
import re

import discord

from bot.client.replies import reply
from bot.core.accounts import Refusal
from bot.core.buttons import JOB_ACTIONS, REMIX_ACTIONS, VIDEO_ACTIONS, ButtonFace
from bot.core.errors import InvalidInput, UserFacingError
from bot.core.lifecycle import CANCELLABLE
from bot.core.models import ImagineRequest, Job, JobAction, JobStatus
from bot.core.prompts import checked_prompt
from bot.core.requests import ActionRequest, RegionRequest
from bot.core.text import Text
from bot.i18n import render
from cogs.generation.feature import video_on
from cogs.generation.modals import PromptModal, ZoomModal
from cogs.generation.region import region_picker
from cogs.generation.starting import UNKNOWN_JOB, FlowsBase

log = logging.getLogger("cogs.generation.flows")  # the flows log as one, whichever part writes


class Presses(FlowsBase):
    """A press starts the next job from its parent (Remix and dialogs first, where they apply)."""

    async def press(self, interaction: discord.Interaction, job_id: int, index: int, kind: str | None = None) -> None:
        preference = self.preferences.of(interaction.guild_id, interaction.user.id)  # memory: no I/O
        # A job at once: acknowledged before anything is looked up. With Remix on, a variation, re-roll or
        # pan opens the prompt dialog instead, which must be the first answer (so the parent is looked up
        # first, as for Custom Zoom: from memory for recent jobs).
        if kind == "p" and not preference.remix:
            await interaction.response.defer()
        parent = await self._admitted(interaction, job_id)
        found = self.jobs.button(parent, index)
        if found is None:
            await reply(interaction, UNKNOWN_JOB)
            return
        face = found[1]
        config = self.accounts.cached_config(parent.guild_id)
        if config.press_policy == "owner" and interaction.user.id != parent.user_id:
            await reply(interaction, Text("job-owner-only"))
            return
        if face.action in VIDEO_ACTIONS and not video_on(interaction.client, config):  # an old message's button
            await reply(interaction, Text("job-video-off"))
            return
        mode = self._button_mode(parent, config, preference)
        if preference.remix and face.action in REMIX_ACTIONS:
            if not self.jobs.takes_remix(parent, index):  # told before the dialog, so nothing is typed or charged
                await reply(interaction, Text("remix-not-here"))
                return
            await self._remix_first(interaction, parent, index, face, mode)
            return
        # Dialogs must be the first answer to a press, so these are decided before any defer.
        if face.action in (JobAction.CUSTOM_ZOOM, JobAction.VARY_REGION) and interaction.response.is_done():
            await reply(interaction, UNKNOWN_JOB)  # a forged or stale id: its kind did not say so
            return
        if face.action is JobAction.CUSTOM_ZOOM:
            prompt = re.sub(r"\s--zoom\s+\S+", "", parent.prompt)

            async def zoom(modal_interaction: discord.Interaction, text: str, value: float) -> None:
                await modal_interaction.response.defer()
                try:
                    zoomed = checked_prompt(f"{text or prompt} --zoom {value:g}")
                except InvalidInput as exc:
                    await reply(modal_interaction, Text("input-refused", reason=exc.text))
                    return
                request = ActionRequest(parent.id, index, zoomed, mode)
                await self._reply_job(modal_interaction, parent, index, face, request, prompt=zoomed)

            await interaction.response.send_modal(ZoomModal(prompt, zoom, interaction.locale))
            return
        if face.action is JobAction.VARY_REGION:
            text, view = region_picker(parent.id, index, set(), interaction.locale)
            await reply(interaction, text, view=view)
            return

        if not interaction.response.is_done():
            await interaction.response.defer()
        if face.action is JobAction.BOOKMARK:  # admitted above, like every press; free
            await reply(interaction, await self.jobs.bookmark(parent, index))
        elif face.action is JobAction.DESCRIBE_PICK:
            prompt = parent.descriptions[int(parent.buttons[index].custom_id.split("::")[1]) - 1]
            flavour = self._flavour(config, None, None, preference)
            request = ImagineRequest(prompt, (), *flavour, translate=config.translate_prompts)
            await self._reply_job(interaction, parent, None, face, request, action=JobAction.IMAGINE, prompt=prompt)
        elif face.action in JOB_ACTIONS:
            await self._reply_job(interaction, parent, index, face, ActionRequest(parent.id, index, None, mode))
        else:
            await reply(interaction, Text("job-action-unavailable"))

    async def _remix_first(
        self, interaction: discord.Interaction, parent: Job, index: int, face: ButtonFace, mode: str | None
    ) -> None:
        """The member's Remix: the prompt dialog, then the press with the edited prompt (the proxy dialect asks
        the API for its Remix modal and answers it; AceData takes the prompt with the action)."""

        async def remix(answer: discord.Interaction, text: str) -> None:
            await answer.response.defer()
            try:
                prompt = checked_prompt(text or parent.prompt)
            except InvalidInput as exc:
                await reply(answer, Text("input-refused", reason=exc.text))
                return
            request = ActionRequest(parent.id, index, prompt, mode, remix=True)
            await self._reply_job(answer, parent, index, face, request, prompt=prompt)

        dialog = PromptModal(Text("dialog-remix"), parent.prompt, remix, interaction.locale)
        await interaction.response.send_modal(dialog)

    async def cancel(self, interaction: discord.Interaction, job_id: int) -> None:
        """Cancel: its member or a server admin; the message then ends "Cancelled" (through the job service)."""
        await interaction.response.defer()  # before any I/O; the job's message is the answer
        await self._admitted(interaction, job_id)
        job = await self.jobs.ledger.get(job_id)  # its latest state, not the one kept for presses
        if job is None:
            raise UserFacingError(UNKNOWN_JOB)
        if interaction.user.id != job.user_id and not interaction.permissions.manage_guild:
            raise UserFacingError(Text("cancel-not-allowed"))
        if job.status not in CANCELLABLE:
            raise UserFacingError(Text("cancel-too-late"))
        config = self.accounts.cached_config(job.guild_id)
        log.info("job %s: cancel pressed by user %s", job.id, interaction.user.id)
        await self.jobs.cancel(job, refund_running=config.refund_cancelled)

    async def open_remix(self, interaction: discord.Interaction, job_id: int) -> None:
        job = await self._admitted(interaction, job_id)
        if job.status is not JobStatus.NEEDS_INPUT:
            await reply(interaction, Text("remix-not-waiting"))
            return
        if job.user_id != interaction.user.id:
            await reply(interaction, Text("remix-owner-only"))
            return

        async def remix(modal_interaction: discord.Interaction, prompt: str) -> None:
            await modal_interaction.response.defer()
            fresh = await self.jobs.ledger.get(job_id)
            if fresh is None:
                return
            try:
                await self.jobs.confirm_input(fresh, checked_prompt(prompt or fresh.prompt))
            except (InvalidInput, Refusal) as exc:
                await reply(modal_interaction, Text("remix-refused", reason=exc.text))

        await interaction.response.send_modal(PromptModal(Text("dialog-remix"), job.prompt, remix, interaction.locale))

    async def region_picked(self, interaction: discord.Interaction, job_id: int, index: int, cells: set[int]) -> None:
        await self._admitted(interaction, job_id)
        text, view = region_picker(job_id, index, cells, interaction.locale)
        await interaction.response.edit_message(content=text, view=view)

    async def region_go(
        self, interaction: discord.Interaction, job_id: int, index: int, cells: set[int], *, edit: bool
    ) -> None:
        parent = await self._admitted(interaction, job_id)
        found = self.jobs.button(parent, index)
        if found is None or not cells:
            await reply(interaction, UNKNOWN_JOB)
            return
        face = found[1]

        async def repaint(answer: discord.Interaction, prompt: str) -> None:
            done = render(Text("region-repainting"), answer.locale)
            await answer.response.edit_message(content=done, view=None)
            try:
                prompt = checked_prompt(prompt)
            except InvalidInput as exc:
                await reply(answer, Text("input-refused", reason=exc.text))
                return
            mask = await self._mask_for(parent, cells)
            if mask is None:
                await reply(answer, Text("region-unreadable"))
                return
            config = self.accounts.cached_config(parent.guild_id)
            preference = self.preferences.of(answer.guild_id, answer.user.id)
            request = RegionRequest(parent.id, index, prompt, mask, self._button_mode(parent, config, preference))
            await self._reply_job(answer, parent, index, face, request, prompt=prompt)

        if edit:
            await interaction.response.send_modal(
                PromptModal(Text("dialog-vary-region"), parent.prompt, repaint, interaction.locale)
            )
        else:
            await repaint(interaction, parent.prompt)
