"""The image's seed, in the job service: asked with the job's image reference, given up after SEED_TIMEOUT,
and never an error: an API that is slow, refuses or has no seed leaves only a line in the log."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest

from bot.core import jobs
from bot.core.errors import ErrorKind, ProviderError
from bot.core.ledger import Ledger
from bot.core.models import Job, JobAction, JobStatus
from bot.core.providers.base import Capability
from bot.core.text import Text
from tests.helpers import job_service

FINISHED = Job(
    id=7, user_id=1, guild_id=2, channel_id=3, action=JobAction.IMAGINE, prompt="a fox", status=JobStatus.SUCCEEDED,
    created_at=0.0, updated_at=0.0, upstream_task_id="task-1", action_ref="image-1",
)  # fmt: skip


class SeedingProvider:
    """Only what the seed needs: the capability, and an answer after `delay` seconds (or a refusal)."""

    name = "stub"
    capabilities = frozenset({Capability.SEED})

    def __init__(self, answer: str | ProviderError | None, delay: float = 0.0) -> None:
        self.answer, self.delay = answer, delay
        self.asked: list[str] = []

    async def seed(self, ref: str) -> str | None:
        self.asked.append(ref)
        await asyncio.sleep(self.delay)
        if isinstance(self.answer, ProviderError):
            raise self.answer
        return self.answer


def service(ledger: Ledger, provider: SeedingProvider) -> jobs.JobService:
    return job_service(ledger, provider)  # type: ignore[arg-type]


async def test_the_seed_of_the_image_reference(ledger: Ledger) -> None:
    provider = SeedingProvider("636646138")
    assert await service(ledger, provider).seed(FINISHED) == "636646138"
    assert provider.asked == ["image-1"]  # the action_ref (AceData's image_id), not the task id


@pytest.mark.parametrize(
    "answer",
    [None, ProviderError(ErrorKind.REJECTED, Text("upstream-refused"), detail="/mj/task/task-1/image-seed: HTTP 400")],
)
async def test_no_seed_is_logged_not_raised(
    ledger: Ledger, caplog: pytest.LogCaptureFixture, answer: ProviderError | None
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.core.jobs"):
        assert await service(ledger, SeedingProvider(answer)).seed(FINISHED) is None
    (record,) = [r for r in caplog.records if "no seed" in r.getMessage()]
    assert record.levelno == logging.INFO and "job 7" in record.getMessage()


async def test_a_slow_api_is_given_up(
    ledger: Ledger, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "SEED_TIMEOUT", 0.05)
    with caplog.at_level(logging.INFO, logger="bot.core.jobs"):
        assert await service(ledger, SeedingProvider("1", delay=5)).seed(FINISHED) is None
    assert any("did not tell it within" in r.getMessage() for r in caplog.records)


async def test_nothing_is_asked_without_the_capability_or_for_a_video(ledger: Ledger) -> None:
    provider = SeedingProvider("1")
    video = dataclasses.replace(FINISHED, video_urls=["https://x/1.mp4"])
    assert await service(ledger, provider).seed(video) is None
    provider.capabilities = frozenset()
    assert await service(ledger, provider).seed(FINISHED) is None
    assert provider.asked == []
