"""Helpers for tests of the core (no Discord): what the job service publishes."""

from __future__ import annotations

import asyncio

from bot.core.models import Job


class Recorder:
    def __init__(self) -> None:
        self.updates: list[Job] = []
        self.finished: dict[int, asyncio.Event] = {}

    async def __call__(self, job: Job) -> None:
        self.updates.append(job)
        if job.status.finished:
            self.finished.setdefault(job.id, asyncio.Event()).set()

    async def wait(self, job_id: int, timeout: float = 10) -> Job:
        await asyncio.wait_for(self.finished.setdefault(job_id, asyncio.Event()).wait(), timeout)
        return [u for u in self.updates if u.id == job_id][-1]
