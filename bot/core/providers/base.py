"""The interface every API dialect implements; the job service only sees this."""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from typing import Protocol

from bot.core.models import BlendRequest, ImagineRequest, ReferenceImage, SubmitResult, TaskSnapshot

# The ledger job a submit belongs to, sent as the dialect's `state` where it has one, so that a task
# accepted just before the bot died can be found again (`find_by_state`). Set by the job service.
SUBMIT_STATE: ContextVar[str | None] = ContextVar("submit_state", default=None)


class Provider(Protocol):
    """One API dialect. Paid submits are made once and never retried: a duplicate costs money.

    Errors are `bot.core.errors.ProviderError` with a message fit for a user.
    """

    name: str

    async def imagine(self, request: ImagineRequest) -> SubmitResult: ...

    async def blend(self, request: BlendRequest) -> SubmitResult: ...

    async def describe(self, image: ReferenceImage) -> SubmitResult:
        """Four prompts for an image: a task to follow, or a finished `snapshot` with `descriptions`."""
        ...

    async def action(self, parent_ref: str, custom_id: str, mode: str | None = None) -> SubmitResult:
        """Press an upstream button of the result `parent_ref` (its `action_ref`), `custom_id` verbatim.

        `needs_input` in the result means the API waits for `modal()` (remix, Custom Zoom). `mode` is the
        speed mode the job is billed at (fast | relax | turbo), None for the API's default.
        """
        ...

    async def modal(self, task_id: str, prompt: str, mode: str | None = None) -> SubmitResult:
        """Confirm a task waiting for input, with the (edited) prompt."""
        ...

    async def vary_region(
        self, parent_ref: str, custom_id: str, prompt: str, mask_png: bytes, mode: str | None = None
    ) -> SubmitResult:
        """Repaint the white area of `mask_png` (the image's own size) of result `parent_ref`."""
        ...

    async def fetch_many(self, task_ids: Sequence[str]) -> dict[str, TaskSnapshot]:
        """The current state of several tasks in as few requests as the API allows.

        Ids the API does not know are absent from the result.
        """
        ...

    async def find_by_state(self, states: Sequence[str]) -> dict[str, TaskSnapshot] | None:
        """Tasks by the `state` they were submitted with; None where the API offers no way to list them."""
        ...

    async def aclose(self) -> None: ...
