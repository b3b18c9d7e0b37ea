"""The interface every API dialect implements; the job service only sees this."""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from enum import StrEnum
from typing import Protocol, cast

from bot.core.models import BlendRequest, EditRequest, ImagineRequest, ReferenceImage, SubmitResult, TaskSnapshot

# The ledger job a submit belongs to, sent as the dialect's `state` where it has one, so that a task
# accepted just before the bot died can be found again (`find_by_state`). Set by the job service.
SUBMIT_STATE: ContextVar[str | None] = ContextVar("submit_state", default=None)


class Capability(StrEnum):
    """What a dialect can do beyond the basics every one has (imagine, blend, describe, buttons, status)."""

    MODAL = "modal"  # a task can wait for a confirmation with an edited prompt (Remix, Custom Zoom)
    FIND_BY_STATE = "find_by_state"  # tasks can be listed by the `state` they were submitted with
    CANCEL = "cancel"  # a running task can be asked to stop (often refused to non-admin accounts)
    # Videos come from an endpoint, not from the API's buttons: the bot offers Animate and Extend itself.
    VIDEO = "video"
    EDIT = "edit"  # a member's own image can be repainted from a prompt, whole or through a mask (/edit)
    SEED = "seed"  # a finished image's seed can be asked for (✉️ Send to me shows it; free)


class Provider(Protocol):
    """One API dialect. Paid submits are made once and never retried: a duplicate costs money.

    Errors are `bot.core.errors.ProviderError` with a message fit for a user. What a dialect can do
    beyond this protocol it declares in `capabilities`, and implements the matching protocol below.
    """

    name: str
    capabilities: frozenset[Capability]

    async def imagine(self, request: ImagineRequest) -> SubmitResult: ...

    async def blend(self, request: BlendRequest) -> SubmitResult: ...

    async def describe(self, image: ReferenceImage) -> SubmitResult:
        """Four prompts for an image: a task to follow, or a finished `snapshot` with `descriptions`."""
        ...

    async def shorten(self, prompt: str, bot_type: str) -> SubmitResult:
        """Up to five shorter versions of `prompt`: a task to follow, or a finished `snapshot` with them as
        `descriptions`."""
        ...

    async def action(
        self, parent_ref: str, custom_id: str, mode: str | None = None, *, remix_prompt: str | None = None
    ) -> SubmitResult:
        """Press an upstream button of the result `parent_ref` (its `action_ref`), `custom_id` verbatim.

        `needs_input` in the result means the API waits for `modal()` (remix, Custom Zoom). `mode` is the
        speed mode the job is billed at (fast | relax | turbo), None for the API's default. `remix_prompt`:
        the member's Remix prompt, asked by the bot before the press; a dialect with a modal step asks the API
        for one (the job service answers it), one without sends the prompt along.
        """
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

    async def aclose(self) -> None: ...


class Confirms(Protocol):
    """`Capability.MODAL`."""

    async def modal(self, task_id: str, prompt: str, mode: str | None = None) -> SubmitResult:
        """Confirm a task waiting for input, with the (edited) prompt."""
        ...


class FindsByState(Protocol):
    """`Capability.FIND_BY_STATE`."""

    async def find_by_state(self, states: Sequence[str]) -> dict[str, TaskSnapshot]:
        """Tasks by the `state` they were submitted with (those found)."""
        ...


class Cancels(Protocol):
    """`Capability.CANCEL`."""

    async def cancel(self, task_id: str) -> None:
        """Ask the API to stop a task; raises `ProviderError` when it refuses."""
        ...


class MakesVideos(Protocol):
    """`Capability.VIDEO`. `motion` is high or low; the result has `video_urls` and a cover `image_url`."""

    async def animate(self, image_url: str, prompt: str, motion: str, mode: str | None = None) -> SubmitResult:
        """Videos whose first frame is the image at `image_url`."""
        ...

    async def extend(self, video_ref: str, prompt: str, motion: str, mode: str | None = None) -> SubmitResult:
        """The first video of the result `video_ref` (its `action_ref`) made longer."""
        ...


class RemixLimited(Protocol):
    """A dialect on which some buttons cannot carry a Remix prompt (the open-source proxy's `/mj/submit/change`)."""

    def takes_prompt(self, custom_id: str) -> bool: ...


def takes_prompt(provider: Provider, custom_id: str) -> bool:
    """Whether pressing `custom_id` can send a Remix prompt along; dialects that say nothing always can."""
    limited = getattr(provider, "takes_prompt", None)
    return bool(limited(custom_id)) if callable(limited) else True


def video_maker(provider: Provider) -> MakesVideos | None:
    return cast(MakesVideos, provider) if Capability.VIDEO in provider.capabilities else None


class Edits(Protocol):
    """`Capability.EDIT`."""

    async def edit(self, request: EditRequest) -> SubmitResult:
        """Repaint `request.image` from its prompt; a grid to follow, like imagine."""
        ...


def editor(provider: Provider) -> Edits | None:
    return cast(Edits, provider) if Capability.EDIT in provider.capabilities else None


class Seeds(Protocol):
    """`Capability.SEED`."""

    async def seed(self, ref: str) -> str | None:
        """The seed of the finished image `ref` (its `action_ref`); None where the API has no seed for it
        (no such route, no such task). Other refusals raise `ProviderError`."""
        ...


def seeder(provider: Provider) -> Seeds | None:
    return cast(Seeds, provider) if Capability.SEED in provider.capabilities else None


def canceller(provider: Provider) -> Cancels | None:
    return cast(Cancels, provider) if Capability.CANCEL in provider.capabilities else None


def confirmer(provider: Provider) -> Confirms | None:
    return cast(Confirms, provider) if Capability.MODAL in provider.capabilities else None


def state_finder(provider: Provider) -> FindsByState | None:
    return cast(FindsByState, provider) if Capability.FIND_BY_STATE in provider.capabilities else None
