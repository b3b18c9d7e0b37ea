"""The proxy simulator's blend, describe and Vary (Region) mask, driven through the real ProxyProvider."""

from __future__ import annotations

import asyncio
import io

import httpx
import pytest
from PIL import Image

from bot.core.errors import ErrorKind, ProviderError
from bot.core.models import BlendRequest, ImagineRequest, JobStatus, ReferenceImage, TaskSnapshot
from bot.core.providers.proxy import ProxyProvider
from bot.simulator.server import Simulator

SIMULATOR_DURATION = 0.3


def png(width: int, height: int, value: int = 255) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), value).save(out, format="PNG")
    return out.getvalue()


def images(n: int) -> tuple[ReferenceImage, ...]:
    return tuple(ReferenceImage(png(8, 8, i * 40), "image/png") for i in range(n))


async def finish(provider: ProxyProvider, task_id: str) -> TaskSnapshot:
    for _ in range(100):
        snap = (await provider.fetch_many([task_id]))[task_id]
        if snap.status.finished:
            return snap
        await asyncio.sleep(0.03)
    raise AssertionError(f"task {task_id} never finished")


@pytest.mark.parametrize(("count", "dimensions", "ratio"), [(2, "PORTRAIT", "2:3"), (5, "SQUARE", "1:1")])
async def test_blend_of_2_to_5_images_makes_a_grid(
    simulator: Simulator, http: httpx.AsyncClient, count: int, dimensions: str, ratio: str
) -> None:
    provider = ProxyProvider(http, simulator.base_url)
    submitted = await provider.blend(BlendRequest(images(count), dimensions=dimensions))
    task = simulator.tasks[submitted.task_id]
    assert (task.action, task.kind, task.reference_images) == ("BLEND", "grid", count)
    assert task.prompt == f"blend of {count} images --ar {ratio}"
    snap = await finish(provider, submitted.task_id)
    assert snap.status is JobStatus.SUCCEEDED and len(snap.buttons) == 9
    assert simulator.requests["blend"] == 1


@pytest.mark.parametrize("count", [1, 6])
async def test_blend_of_too_few_or_too_many_images_is_refused(
    simulator: Simulator, http: httpx.AsyncClient, count: int
) -> None:
    with pytest.raises(ProviderError) as info:
        await ProxyProvider(http, simulator.base_url).blend(BlendRequest(images(count)))
    assert info.value.kind is ErrorKind.REJECTED  # code 4
    assert not simulator.tasks


async def test_blend_with_a_bad_data_url_is_refused(simulator: Simulator, http: httpx.AsyncClient) -> None:
    body = {"base64Array": ["data:image/png;base64,iVBORw0KGgo=", "not a data url"], "dimensions": "SQUARE"}
    answer = (await http.post(f"{simulator.base_url}/mj/submit/blend", json=body)).json()
    assert answer["code"] == 4


async def test_describe_finishes_with_four_descriptions(simulator: Simulator, http: httpx.AsyncClient) -> None:
    provider = ProxyProvider(http, simulator.base_url)
    submitted = await provider.describe(images(1)[0])
    assert submitted.snapshot is None  # the proxy describes asynchronously: a task to follow
    snap = await finish(provider, submitted.task_id)
    assert snap.status is JobStatus.SUCCEEDED and snap.buttons == () and snap.image_url is None
    assert len(snap.descriptions) == 4 and all(d and not d.startswith(("1", "2", "3", "4")) for d in snap.descriptions)
    again = await finish(provider, (await provider.describe(images(1)[0])).task_id)
    assert again.descriptions == snap.descriptions  # deterministic for the same image
    with pytest.raises(ProviderError) as info:
        await provider.action(submitted.task_id, "MJ::JOB::upsample::1::x")  # a describe result has no buttons
    assert info.value.kind is ErrorKind.REJECTED


async def test_describe_without_an_image_is_refused(simulator: Simulator, http: httpx.AsyncClient) -> None:
    answer = (await http.post(f"{simulator.base_url}/mj/submit/describe", json={"base64": "nope"})).json()
    assert answer["code"] == 4


async def test_vary_region_keeps_a_mask_of_the_image_size(simulator: Simulator, http: httpx.AsyncClient) -> None:
    provider = ProxyProvider(http, simulator.base_url)
    grid_id = (await provider.imagine(ImagineRequest("a red fox"))).task_id
    grid = await finish(provider, grid_id)
    upscale_id = (await provider.action(grid_id, grid.buttons[0].custom_id)).task_id
    single = await finish(provider, upscale_id)
    inpaint = next(b.custom_id for b in single.buttons if b.custom_id.startswith("MJ::Inpaint::"))
    size = Image.open(io.BytesIO((await http.get(single.image_url or "")).content)).size

    with pytest.raises(ProviderError) as info:
        await provider.vary_region(upscale_id, inpaint, "a hat", png(size[0] // 2, size[1]))
    assert info.value.kind is ErrorKind.REJECTED  # code 4: the mask does not fit the image

    mask = png(*size)
    region = await provider.vary_region(upscale_id, inpaint, "a hat", mask)
    task = simulator.tasks[region.task_id]
    assert task.mask == mask and task.prompt == "a hat" and not task.modal_pending
    assert (await finish(provider, region.task_id)).status is JobStatus.SUCCEEDED


async def test_a_modal_without_a_mask_still_works(simulator: Simulator, http: httpx.AsyncClient) -> None:
    provider = ProxyProvider(http, simulator.base_url)
    grid_id = (await provider.imagine(ImagineRequest("a red fox"))).task_id
    grid = await finish(provider, grid_id)
    upscale_id = (await provider.action(grid_id, grid.buttons[1].custom_id)).task_id
    single = await finish(provider, upscale_id)
    zoom = next(b.custom_id for b in single.buttons if b.custom_id.startswith("MJ::CustomZoom::"))
    opened = await provider.action(upscale_id, zoom)
    assert opened.needs_input
    confirmed = await provider.modal(opened.task_id, "a red fox --zoom 1.5")
    assert simulator.tasks[confirmed.task_id].mask is None
