"""Every action of both dialects goes at the job's speed mode (a Relax member is never billed Fast)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.core.buttons import describe_button
from bot.core.images import region_mask
from bot.core.jobs import JobService
from bot.core.ledger import Ledger
from bot.core.models import ImagineRequest, Job, JobAction, JobStatus
from bot.core.providers.acedata import AceDataProvider
from bot.core.providers.base import Provider
from bot.core.providers.proxy import ProxyProvider
from bot.core.requests import ActionRequest, JobRequest, RegionRequest
from bot.simulator.server import Simulator
from tests.helpers import Recorder, job_service, start_job

KEY = "k"


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator(duration=0.15, api_key=KEY)
    await simulator.start()
    yield simulator
    await simulator.stop()


def provider(dialect: str, http: httpx.AsyncClient, base: str) -> Provider:
    if dialect == "acedata":
        return AceDataProvider(http, base, api_key=KEY)
    return ProxyProvider(http, base, api_key=KEY)


def modes_seen(sim: Simulator, dialect: str) -> dict[str, str | None]:
    if dialect == "acedata":
        assert sim.acedata is not None
        return {task_id: body.get("mode") for task_id, body in sim.acedata.requests.items()}  # type: ignore[misc]
    return {task_id: task.mode for task_id, task in sim.tasks.items()}


async def press(service: JobService, rec: Recorder, parent: Job, index: int, message_id: int) -> Job:
    """Press button `index` of `parent`, as a member would, and wait for the job to end."""
    face = describe_button(parent.buttons[index])
    assert face is not None
    request: JobRequest
    if face.action is JobAction.VARY_REGION:
        mask = region_mask(parent.image_width or 512, parent.image_height or 512, {4})
        request = RegionRequest(parent.id, index, "p", mask, "relax")
    else:
        prompt = "p --zoom 1.5" if face.action is JobAction.CUSTOM_ZOOM else None
        request = ActionRequest(parent.id, index, prompt, "relax")
    return await rec.wait((await start_job(service, request, message_id=message_id, parent=parent)).id)


@pytest.mark.parametrize("dialect", ["proxy", "acedata"])
async def test_every_action_goes_at_the_jobs_mode(
    dialect: str, sim: Simulator, ledger: Ledger, http: httpx.AsyncClient
) -> None:
    service = job_service(ledger, provider(dialect, http, sim.base_url), poll_interval=0.05)
    rec = Recorder()
    service.subscribe(rec)
    await service.start()
    try:
        grid = await rec.wait((await start_job(service, ImagineRequest("p", mode="relax"), message_id=1)).id)
        pressed: list[str] = []
        upscale = await press(service, rec, grid, 0, message_id=2)  # then every button of the grid and the upscale
        for parent in (grid, upscale):
            for index, button in enumerate(parent.buttons):
                face = describe_button(button)
                if face is None or face.action is JobAction.BOOKMARK:
                    continue
                done = await press(service, rec, parent, index, message_id=10 + index)
                assert done.status is JobStatus.SUCCEEDED, (face, done.error)
                pressed.append(face.action.value)
        expected = {"upscale", "variation", "reroll", "upscale_hd", "vary_subtle", "vary_strong", "vary_region",
                    "zoom", "pan", "video"}  # fmt: skip
        if dialect == "proxy":
            expected.add("custom_zoom")  # AceData offers no Custom Zoom
        assert expected <= set(pressed)
        seen = modes_seen(sim, dialect)
        videos = {task_id for task_id, task in sim.tasks.items() if task.kind == "video"}
        assert len(seen) >= len(pressed) and len(videos) == 2, seen  # Animate (High) and (Low)
        # AceData makes no relaxed video: a relax job's video goes at fast, its default; all else at relax.
        assert {seen[t] for t in videos} == {"fast" if dialect == "acedata" else "relax"}
        assert {mode for task_id, mode in seen.items() if task_id not in videos} == {"relax"}, seen
    finally:
        await service.stop()
