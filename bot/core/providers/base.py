"""The interface every API dialect implements; the job service only sees this."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.core.models import ImagineRequest, SubmitResult, TaskSnapshot


class Provider(Protocol):
    name: str

    async def imagine(self, request: ImagineRequest) -> SubmitResult:
        """Submit a paid /imagine. Never retried: a duplicate costs money."""
        ...

    async def action(self, task_id: str, custom_id: str) -> SubmitResult:
        """Press an upstream button (`custom_id` verbatim from the parent's buttons)."""
        ...

    async def modal(self, task_id: str, prompt: str) -> SubmitResult:
        """Confirm a task waiting for input (code 21 / status MODAL)."""
        ...

    async def fetch_many(self, task_ids: Sequence[str]) -> dict[str, TaskSnapshot]:
        """The current state of several tasks in as few requests as the API allows.

        Ids the API does not know are absent from the result.
        """
        ...

    async def aclose(self) -> None: ...
