"""The AceData Cloud client: every answer scripted with httpx.MockTransport, and the simulator for real."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from aiohttp import web
from PIL import Image

from bot.core.errors import ErrorKind, ProviderError
from bot.core.models import (
    BlendRequest,
    EditRequest,
    ImagineRequest,
    JobStatus,
    ReferenceImage,
    SubmitResult,
    TaskSnapshot,
)
from bot.core.providers.acedata import AceDataProvider, parse_callback, parse_response, parse_task_item
from bot.core.providers.base import Capability
from bot.core.reasons import failure_message
from bot.simulator.server import Simulator
from bot.simulator.tasks import image_seed

SIMULATOR_DURATION = 0.3
BASE = "https://api.acedata.example"
Handler = Callable[[httpx.Request], httpx.Response]


def scripted(handler: Handler, **kwargs: Any) -> tuple[AceDataProvider, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(record))
    return AceDataProvider(client, BASE, **kwargs), seen


def answer(body: object, status: int = 200) -> Handler:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return lambda request: httpx.Response(status, content=raw)


class Lines(httpx.AsyncByteStream):
    """An ndjson body sent chunk by chunk; it may break midway, and it records being closed."""

    def __init__(self, *chunks: object, error: Exception | None = None) -> None:
        self.chunks = [c if isinstance(c, str) else json.dumps(c) + "\n" for c in chunks]
        self.error = error
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk.encode()
        if self.error is not None:
            raise self.error

    async def aclose(self) -> None:
        self.closed = True


def streamed(body: Lines) -> Handler:
    return lambda request: httpx.Response(200, stream=body, headers={"content-type": "application/x-ndjson"})


def line(progress: int, image_id: str, **extra: object) -> dict[str, object]:
    return {
        "success": True,
        "task_id": "t-1",
        "image_id": image_id,
        "image_url": f"https://cdn.example/{image_id}_grid_0.webp",
        "image_width": 256,
        "image_height": 256,
        "progress": progress,
        "actions": [],
        **extra,
    }


FINAL = line(
    100,
    "img-final",
    image_url="https://cdn.example/thumb.png",
    raw_image_url="https://cdn.example/full.png",
    raw_image_width="2048",  # typed string in the spec: must not matter
    actions=["upscale1", "upscale2", "upscale3", "upscale4", "reroll", "variation1"],
)


async def collect(result: SubmitResult) -> list[TaskSnapshot]:
    assert result.updates is not None
    return [snap async for snap in result.updates]


# -- requests ----------------------------------------------------------------------------------


async def test_imagine_streams_with_urls_mode_niji_and_the_key_on_the_request_only() -> None:
    body = Lines(line(0, "a"))
    provider, seen = scripted(streamed(body), api_key="sk-1", callback_url="https://bot.example/hook")
    image = ReferenceImage(b"\x89PNG", "image/png", url="https://cdn.example/ref.png")
    result = await provider.imagine(ImagineRequest("a fox", images=(image,), bot_type="NIJI_JOURNEY", mode="relax"))
    request = seen[0]
    assert (request.method, str(request.url)) == ("POST", f"{BASE}/midjourney/imagine")
    assert request.headers["authorization"] == "Bearer sk-1"
    assert request.headers["accept"] == "application/x-ndjson"
    assert json.loads(request.content) == {
        "action": "generate",
        "prompt": "https://cdn.example/ref.png a fox --niji",
        "mode": "relax",
        "callback_url": "https://bot.example/hook",
    }
    assert "authorization" not in provider._client.headers  # the shared client stays key-free
    assert result.task_id == "t-1" and result.snapshot is not None
    assert result.snapshot.status is JobStatus.QUEUED
    assert result.updates is not None
    await result.updates.aclose()  # type: ignore[attr-defined]
    assert body.closed


@pytest.mark.parametrize("prompt", ["a fox --v 6.1", "a fox --niji 6", "a fox --niji"])
async def test_niji_is_not_added_over_an_explicit_version(prompt: str) -> None:
    provider, seen = scripted(answer({"task_id": "t"}), stream=False)
    await provider.imagine(ImagineRequest(prompt, bot_type="NIJI_JOURNEY"))
    assert json.loads(seen[0].content) == {"action": "generate", "prompt": prompt, "async": True}


async def test_without_streaming_the_submit_is_async_and_returns_only_the_task_id() -> None:
    provider, seen = scripted(answer({"task_id": "b8b7fdc2"}), stream=False)
    result = await provider.imagine(ImagineRequest("a cat"))
    assert result == SubmitResult("b8b7fdc2")
    assert "accept" not in seen[0].headers or seen[0].headers["accept"] != "application/x-ndjson"
    assert "authorization" not in seen[0].headers  # no key configured


async def test_a_reference_image_without_a_link_is_refused_before_any_request() -> None:
    provider, seen = scripted(answer({"task_id": "t"}))
    with pytest.raises(ProviderError) as info:
        await provider.imagine(ImagineRequest("x", images=(ReferenceImage(b"\x89PNG", "image/png"),)))
    assert info.value.kind is ErrorKind.REJECTED and "link" in str(info.value.text)
    assert seen == []


@pytest.mark.parametrize(("dimensions", "ratio"), [("PORTRAIT", "2:3"), ("SQUARE", "1:1"), ("LANDSCAPE", "3:2")])
async def test_blend_puts_the_urls_first_and_the_ratio_last(dimensions: str, ratio: str) -> None:
    provider, seen = scripted(answer({"task_id": "t"}), stream=False, mode="fast")
    images = tuple(ReferenceImage(b"", "image/png", url=f"https://cdn.example/{i}.png") for i in range(2))
    await provider.blend(BlendRequest(images, dimensions=dimensions))
    body = json.loads(seen[0].content)
    assert body["prompt"] == f"https://cdn.example/0.png https://cdn.example/1.png --ar {ratio}"
    assert body["action"] == "generate" and body["mode"] == "fast"


async def test_blend_of_one_image_is_refused_before_any_request() -> None:
    provider, seen = scripted(answer({"task_id": "t"}))
    with pytest.raises(ProviderError) as info:
        await provider.blend(BlendRequest((ReferenceImage(b"", "image/png", url="https://x/1.png"),)))
    assert info.value.kind is ErrorKind.REJECTED and seen == []


async def test_a_remix_prompt_goes_with_the_action() -> None:
    provider, seen = scripted(answer({"task_id": "t"}), stream=False)
    await provider.action("1234197197067915365", "variation2", remix_prompt="a fox in the rain")
    body = json.loads(seen[0].content)
    assert (body["action"], body["prompt"]) == ("variation2", "a fox in the rain")


async def test_action_vary_region_and_modal_bodies() -> None:
    provider, seen = scripted(answer({"task_id": "t"}), stream=False, mode="turbo")
    await provider.action("1234197197067915365", "upscale2")
    assert json.loads(seen[0].content) == {
        "action": "upscale2",
        "image_id": "1234197197067915365",
        "mode": "turbo",
        "async": True,
    }
    result = await provider.vary_region("99", "variation_region", "a red hat", b"\x89PNG\r\n")
    assert not result.needs_input
    assert json.loads(seen[1].content) == {
        "action": "variation_region",
        "image_id": "99",
        "mask": "iVBORw0K",  # bare base64, no data: prefix
        "prompt": "a red hat",
        "mode": "turbo",
        "async": True,
    }
    # Remix and Custom Zoom go in one call: no confirmation step, nothing to search by `state`; videos, edits, seeds.
    expected = frozenset({Capability.VIDEO, Capability.EDIT, Capability.SEED})
    assert provider.capabilities == expected and not hasattr(provider, "modal")
    assert len(seen) == 2


async def test_describe_is_synchronous_and_finished_at_once() -> None:
    descriptions = ["one --ar 1:1", "two", "three", "four"]
    provider, seen = scripted(answer({"descriptions": descriptions}), api_key="k")
    result = await provider.describe(ReferenceImage(b"", "image/png", url="https://cdn.example/cat.png"))
    assert json.loads(seen[0].content) == {"image_url": "https://cdn.example/cat.png"}
    assert seen[0].url.path == "/midjourney/describe" and seen[0].headers["authorization"] == "Bearer k"
    assert result.task_id.startswith("describe-") and result.updates is None
    assert result.snapshot == TaskSnapshot(
        result.task_id, JobStatus.SUCCEEDED, progress=100, descriptions=tuple(descriptions)
    )
    assert await provider.fetch_many([result.task_id]) == {} and len(seen) == 1  # no upstream task to ask


@pytest.mark.parametrize("body", [{"descriptions": []}, {"oops": 1}, [1]])
async def test_describe_without_descriptions_is_malformed(body: object) -> None:
    provider, _ = scripted(answer(body))
    with pytest.raises(ProviderError) as info:
        await provider.describe(ReferenceImage(b"", "image/png", url="https://cdn.example/cat.png"))
    assert info.value.kind is ErrorKind.MALFORMED


# -- errors ------------------------------------------------------------------------------------


def err(code: str, message: str = "") -> dict[str, object]:
    return {"success": False, "error": {"code": code, "message": message}, "trace_id": "x"}


ERRORS = [
    (400, err("bad_request", "prompt is required"), "rejected", "prompt is required"),
    (400, err("api_not_implemented", "The API is not implemented"), "rejected", "not implemented"),
    (400, err("token_mismatched", "Token is not for this API"), "rejected", "not for this API"),
    (400, err("bad_request", f"see {BASE}/docs"), "rejected", "see the image service/docs"),
    (400, "<html>bad</html>", "rejected", "HTTP 400"),
    (401, err("invalid_token", "bad token"), "auth", "MJ_API_KEY"),
    (401, err("token_expired"), "auth", "expired"),
    (401, err("no_token"), "auth", "MJ_API_KEY"),
    (401, "", "auth", "MJ_API_KEY"),
    (403, err("forbidden", "Sorry! Our AI moderators feel your prompt..."), "moderation", "moderation"),
    (403, err("used_up", "balance"), "rejected", "run out of credit. A server admin needs to top it up."),
    (403, err("disabled"), "auth", "MJ_API_KEY"),
    (403, "Forbidden", "auth", "MJ_API_KEY"),
    (404, "", "rejected", "MJ_API_BASE"),
    (429, err("too_many_requests"), "busy", "rate limiting"),
    (429, "slow down", "busy", "rate limiting"),
    (504, err("timeout", "Timeout to generate the image."), "timeout", "timed out"),
    (504, "<html>gateway</html>", "timeout", "timed out"),
    (500, err("api_error", "fetch failed"), "unavailable", "HTTP 500"),
    (502, "<html>Bad gateway</html>", "unavailable", "HTTP 502"),
    (503, "", "unavailable", "HTTP 503"),
]


@pytest.mark.parametrize("stream", [True, False])
@pytest.mark.parametrize(("status", "body", "kind", "words"), ERRORS)
async def test_every_refusal_is_typed_with_a_user_message(
    stream: bool, status: int, body: object, kind: str, words: str
) -> None:
    provider, seen = scripted(answer(body, status), stream=stream, api_key="secret-key")
    with pytest.raises(ProviderError) as info:
        await provider.imagine(ImagineRequest("a cat"))
    assert len(seen) == 1, "a paid submit must never be retried"
    assert info.value.kind == ErrorKind(kind)
    assert words in str(info.value.text)
    assert info.value.status == status
    assert "secret-key" not in str(info.value) and BASE not in str(info.value.text)


@pytest.mark.parametrize("stream", [True, False])
@pytest.mark.parametrize(
    ("body", "words"),
    [("", "empty"), ("<html>oops</html>", "could not read"), ("[1, 2]", "could not read"), ("{}", "task id")],
)
async def test_unreadable_success_answers_are_malformed(stream: bool, body: str, words: str) -> None:
    provider, seen = scripted(answer(body), stream=stream)
    with pytest.raises(ProviderError) as info:
        await provider.imagine(ImagineRequest("a cat"))
    assert info.value.kind is ErrorKind.MALFORMED and words in str(info.value.text)
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("first", "kind"),
    [
        (err("forbidden", "Sorry! Our AI moderators feel..."), ErrorKind.MODERATION),
        (err("used_up", "no money"), ErrorKind.REJECTED),
        (err("bad_request", "Unrecognized argument(s): `-c`"), ErrorKind.REJECTED),
        (err("timeout"), ErrorKind.TIMEOUT),
    ],
)
async def test_a_failed_first_line_means_nothing_was_accepted(first: dict[str, object], kind: ErrorKind) -> None:
    body = Lines({**first, "task_id": "t-9"})
    provider, seen = scripted(streamed(body))
    with pytest.raises(ProviderError) as info:
        await provider.imagine(ImagineRequest("a cat"))
    assert info.value.kind is kind and len(seen) == 1
    assert body.closed


@pytest.mark.parametrize("stream", [True, False])
async def test_timeout_and_unreachable_are_typed(stream: bool) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    for handler, kind in ((timeout, ErrorKind.TIMEOUT), (refused, ErrorKind.UNAVAILABLE)):
        provider, seen = scripted(handler, stream=stream)
        with pytest.raises(ProviderError) as info:
            await provider.imagine(ImagineRequest("a cat"))
        assert info.value.kind is kind and len(seen) == 1


async def test_a_stream_that_breaks_before_its_first_line_is_an_error() -> None:
    body = Lines(error=httpx.ReadError("reset"))
    provider, _ = scripted(streamed(body))
    with pytest.raises(ProviderError) as info:
        await provider.imagine(ImagineRequest("a cat"))
    assert info.value.kind is ErrorKind.UNAVAILABLE and body.closed


# -- streams -----------------------------------------------------------------------------------


async def test_stream_lines_become_snapshots_until_the_final_one() -> None:
    # Lines split across chunks and blank lines must not matter.
    raw = json.dumps(line(35, "img-35"))
    body = Lines(line(0, "img-0"), raw[:40], raw[40:] + "\n\n", line(75, "img-75"), FINAL)
    provider, _ = scripted(streamed(body))
    result = await provider.imagine(ImagineRequest("a cat"))
    assert result.snapshot == TaskSnapshot(
        "t-1", JobStatus.QUEUED, progress=0, image_url="https://cdn.example/img-0_grid_0.webp"
    )
    snaps = await collect(result)
    assert [(s.status, s.progress) for s in snaps] == [
        (JobStatus.RUNNING, 35),
        (JobStatus.RUNNING, 75),
        (JobStatus.SUCCEEDED, 100),
    ]
    assert snaps[0].image_url == "https://cdn.example/img-35_grid_0.webp"
    assert [s.action_ref for s in snaps] == [None, None, "img-final"]  # preview ids are not addressable
    final = snaps[-1]
    assert final.image_url == "https://cdn.example/full.png"  # the full size, not the thumbnail
    assert [b.custom_id for b in final.buttons] == FINAL["actions"]
    assert body.closed


async def test_a_final_first_line_needs_no_updates() -> None:
    body = Lines({**FINAL, "task_id": "t-2"})
    provider, _ = scripted(streamed(body))
    result = await provider.imagine(ImagineRequest("a cat"))
    assert result.updates is None and result.snapshot is not None
    assert result.snapshot.status is JobStatus.SUCCEEDED and result.snapshot.task_id == "t-2"
    assert body.closed


@pytest.mark.parametrize(
    "tail",
    [
        ["{not json\n"],  # malformed line
        ['["a list"]\n'],  # JSON but not an object
        [],  # ends without a final line
    ],
)
async def test_a_broken_stream_ends_the_updates_quietly(tail: list[str], caplog: pytest.LogCaptureFixture) -> None:
    body = Lines(line(0, "a"), line(35, "b"), *tail, FINAL)
    if not tail:
        body.chunks.pop()  # no final line at all
    provider, _ = scripted(streamed(body))
    result = await provider.imagine(ImagineRequest("a cat"))
    with caplog.at_level(logging.WARNING, logger="bot.core.providers.acedata"):
        snaps = await collect(result)
    assert [s.progress for s in snaps] == [35]
    assert body.closed
    assert "polling instead" in caplog.text


async def test_a_connection_lost_midway_ends_the_updates_quietly() -> None:
    body = Lines(line(0, "a"), line(35, "b"), error=httpx.RemoteProtocolError("peer closed connection"))
    provider, _ = scripted(streamed(body))
    result = await provider.imagine(ImagineRequest("a cat"))
    assert [s.progress for s in await collect(result)] == [35]
    assert body.closed


async def test_closing_the_updates_early_closes_the_http_stream() -> None:
    body = Lines(line(0, "a"), line(35, "b"), line(75, "c"), FINAL)
    provider, _ = scripted(streamed(body))
    result = await provider.imagine(ImagineRequest("a cat"))
    assert result.updates is not None
    assert (await anext(result.updates)).progress == 35
    await result.updates.aclose()  # type: ignore[attr-defined]
    assert body.closed
    assert [s async for s in result.updates] == []


async def test_closing_unread_updates_closes_the_http_stream() -> None:
    body = Lines(line(0, "a"), FINAL)
    provider, _ = scripted(streamed(body))
    result = await provider.imagine(ImagineRequest("a cat"))
    assert not body.closed
    await result.updates.aclose()  # type: ignore[union-attr]
    assert body.closed


async def test_a_failed_final_line_is_a_failed_snapshot_shown_as_moderation() -> None:
    body = Lines(line(0, "a"), {**err("forbidden", "Banned prompt detected"), "task_id": "t-1"})
    provider, _ = scripted(streamed(body))
    snaps = await collect(await provider.imagine(ImagineRequest("a cat")))
    assert [s.status for s in snaps] == [JobStatus.FAILED]
    assert snaps[0].fail_reason == "Banned prompt detected" and snaps[0].fail_kind is ErrorKind.MODERATION
    assert failure_message(snaps[0].fail_reason)[0] is ErrorKind.MODERATION
    assert body.closed


# -- task queries ------------------------------------------------------------------------------


def item(task_id: str, response: dict[str, object] | None = None, **extra: object) -> dict[str, object]:
    record: dict[str, object] = {"id": task_id, "created_at": 1720364607.967, "type": "imagine", **extra}
    if response is not None:
        record["response"] = {"task_id": task_id, **response}
    return record


async def test_retrieve_batch_maps_every_state() -> None:
    items = [
        item("pending"),
        item("zero", {"progress": 0}),
        item("running", {"progress": 40, "image_url": "https://cdn.example/p.webp", "image_id": "tmp"}),
        item(
            "done",
            {
                "success": True,
                "progress": 100,
                "image_id": "1259525319472185344",
                "image_url": "https://cdn.example/done.png?thumb",
                "raw_image_url": "https://cdn.example/done.png",
                "image_width": "1024",
                "image_height": "1024",
                "actions": ["upscale1", "reroll"],
            },
            finished_at=1720364637.404,
        ),
        item("failed", {"success": False, "error": {"code": "bad_request", "message": "Unrecognized argument"}}),
        item("banned", {"success": False, "error": {"code": "forbidden", "message": "Sorry! Our AI moderators"}}),
        item("cancelled", state="cancelled"),
        item("not-asked", {"success": True, "actions": ["reroll"]}),
        {"no": "id"},
    ]
    provider, seen = scripted(answer({"items": items, "count": len(items)}), api_key="k")
    asked = ["pending", "zero", "running", "done", "failed", "banned", "cancelled", "unknown"]
    found = await provider.fetch_many(asked)
    assert len(seen) == 1 and seen[0].url.path == "/midjourney/tasks"
    assert seen[0].headers["authorization"] == "Bearer k"
    assert json.loads(seen[0].content) == {"action": "retrieve_batch", "ids": asked, "offset": 0, "limit": 8}
    assert {k: v.status for k, v in found.items()} == {
        "pending": JobStatus.QUEUED,
        "zero": JobStatus.QUEUED,
        "running": JobStatus.RUNNING,
        "done": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
        "banned": JobStatus.FAILED,
        "cancelled": JobStatus.FAILED,
    }
    assert found["running"].progress == 40 and found["running"].image_url == "https://cdn.example/p.webp"
    assert found["running"].action_ref is None
    done = found["done"]
    assert (done.image_url, done.action_ref, done.progress) == (
        "https://cdn.example/done.png",
        "1259525319472185344",
        100,
    )
    assert [b.custom_id for b in done.buttons] == ["upscale1", "reroll"]
    assert found["failed"].fail_reason == "Unrecognized argument"
    assert failure_message(found["banned"].fail_reason)[0] is ErrorKind.MODERATION


async def test_retrieve_batch_asks_at_most_50_ids_at_a_time() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)["ids"]
        return httpx.Response(200, json={"items": [item(i) for i in ids], "count": len(ids)})

    provider, seen = scripted(handler)
    ids = [f"t{i}" for i in range(120)]
    found = await provider.fetch_many([*ids, "t0"])  # duplicates asked once
    bodies = [json.loads(r.content) for r in seen]
    assert [len(b["ids"]) for b in bodies] == [50, 50, 20]
    assert [b["limit"] for b in bodies] == [50, 50, 20]
    assert set(found) == set(ids)
    assert await provider.fetch_many([]) == {} and len(seen) == 3


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [(200, {"oops": 1}, ErrorKind.MALFORMED), (200, "nope", ErrorKind.MALFORMED), (401, "", ErrorKind.AUTH)],
)
async def test_task_query_failures_are_typed(status: int, body: object, kind: ErrorKind) -> None:
    provider, _ = scripted(answer(body, status))
    with pytest.raises(ProviderError) as info:
        await provider.fetch_many(["a"])
    assert info.value.kind is kind


def test_callbacks_and_odd_objects_parse_leniently() -> None:
    ok = parse_callback({**FINAL, "task_id": "cb-1"})
    assert ok is not None and ok.status is JobStatus.SUCCEEDED and ok.action_ref == "img-final"
    failed = parse_callback({"success": False, "task_id": "cb-2", "error": {"code": "bad_request", "message": "x"}})
    assert failed is not None and failed.status is JobStatus.FAILED and failed.fail_reason == "x"
    assert parse_callback({"success": True}) is None
    assert parse_callback("nope") is None
    assert parse_task_item({"response": {}}) is None
    # A finished result that offers no further actions is still finished.
    done = parse_response({"success": True, "task_id": "t", "progress": 100, "image_url": "u"})
    assert done is not None and done.status is JobStatus.SUCCEEDED
    assert parse_response({"task_id": "t", "progress": "46"}).status is JobStatus.RUNNING  # type: ignore[union-attr]


# -- against the simulator ---------------------------------------------------------------------


def mask_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 255).save(out, format="PNG")
    return out.getvalue()


async def finish(provider: AceDataProvider, result: SubmitResult) -> TaskSnapshot:
    """Read the stream to its end, then poll if it ended early."""
    snap = result.snapshot
    assert snap is not None
    if result.updates is not None:
        snap = ([snap, *[s async for s in result.updates]])[-1]
    for _ in range(100):
        if snap.status.finished:
            return snap
        await asyncio.sleep(0.05)
        snap = (await provider.fetch_many([result.task_id]))[result.task_id]
    raise AssertionError(f"task {result.task_id} never finished")


async def test_simulator_imagine_streamed_to_the_end(simulator: Simulator, http: httpx.AsyncClient) -> None:
    provider = AceDataProvider(http, simulator.base_url)
    result = await provider.imagine(ImagineRequest("a lighthouse at dusk"))
    assert result.snapshot is not None and result.snapshot.status is JobStatus.QUEUED
    snaps = await collect(result)
    progress = [s.progress or 0 for s in snaps if s.status is JobStatus.RUNNING]
    assert progress and progress == sorted(set(progress))
    final = snaps[-1]
    assert final.status is JobStatus.SUCCEEDED and final.action_ref == f"{result.task_id}999"
    assert [b.custom_id for b in final.buttons] == [
        *(f"upscale{i}" for i in range(1, 5)),
        "reroll",
        *(f"variation{i}" for i in range(1, 5)),
    ]
    image = await http.get(final.image_url)  # type: ignore[arg-type]
    assert image.content.startswith(b"\x89PNG")
    assert simulator.requests["midjourney/imagine"] == 1 and simulator.requests["midjourney/tasks"] == 0


async def test_simulator_stream_lines_follow_the_documented_shape(
    simulator: Simulator, http: httpx.AsyncClient
) -> None:
    headers = {"accept": "application/x-ndjson"}
    body = {"action": "generate", "prompt": "a cat"}
    async with http.stream("POST", f"{simulator.base_url}/midjourney/imagine", json=body, headers=headers) as r:
        lines = [json.loads(raw) async for raw in r.aiter_lines() if raw.strip()]
    *steps, last = lines
    assert all(s["actions"] == [] and s["success"] is True and "preview" in s["image_url"] for s in steps)
    assert len({s["image_id"] for s in lines}) == len(lines)  # a new image_id on every line
    assert last["progress"] == 100 and last["actions"] and last["raw_image_width"] == 512


async def test_simulator_upscale2_by_image_id_then_hd_upscale(simulator: Simulator, http: httpx.AsyncClient) -> None:
    provider = AceDataProvider(http, simulator.base_url, mode="fast")
    grid = await finish(provider, await provider.imagine(ImagineRequest("a red fox")))
    upscale = await provider.action(grid.action_ref or "", "upscale2")
    single = await finish(provider, upscale)
    task = simulator.tasks[upscale.task_id]
    assert (task.kind, task.index, task.action) == ("single", 2, "upscale2")
    actions = [b.custom_id for b in single.buttons]
    assert actions[:3] == ["upscale_subtle", "upscale_creative", "variation_subtle"] and "pan_down" in actions
    hd = await finish(provider, await provider.action(single.action_ref or "", "upscale_subtle"))
    assert not {"upscale_subtle", "upscale_creative"} & {b.custom_id for b in hd.buttons}
    for ref, action in (
        (grid.action_ref, "upscale_subtle"),
        ("12345", "upscale1"),
        (f"{upscale.task_id}015", "reroll"),
    ):
        with pytest.raises(ProviderError) as info:
            await provider.action(ref or "", action)
        assert info.value.kind is ErrorKind.REJECTED


async def test_simulator_vary_region_checks_and_keeps_the_mask(simulator: Simulator, http: httpx.AsyncClient) -> None:
    provider = AceDataProvider(http, simulator.base_url)
    grid = await finish(provider, await provider.imagine(ImagineRequest("a red fox")))
    single = await finish(provider, await provider.action(grid.action_ref or "", "upscale1"))
    size = Image.open(io.BytesIO((await http.get(single.image_url or "")).content)).size
    mask = mask_png(*size)
    region = await provider.vary_region(single.action_ref or "", "variation_region", "a hat", mask)
    task = simulator.tasks[region.task_id]
    assert task.mask == mask and task.prompt == "a hat" and task.kind == "grid"
    assert (await finish(provider, region)).status is JobStatus.SUCCEEDED
    with pytest.raises(ProviderError) as info:
        await provider.vary_region(single.action_ref or "", "variation_region", "a hat", mask_png(100, 100))
    assert info.value.kind is ErrorKind.REJECTED and "same size" in str(info.value.text)


async def test_simulator_describe_and_blend(simulator: Simulator, http: httpx.AsyncClient) -> None:
    provider = AceDataProvider(http, simulator.base_url)
    described = await provider.describe(ReferenceImage(b"", "image/png", url="https://cdn.example/kg7xp3.png?x=1"))
    assert described.snapshot is not None and len(described.snapshot.descriptions) == 4
    assert all("kg7xp3.png" in d for d in described.snapshot.descriptions)
    again = await provider.describe(ReferenceImage(b"", "image/png", url="https://other.example/kg7xp3.png"))
    assert again.snapshot is not None and again.snapshot.descriptions == described.snapshot.descriptions

    images = tuple(ReferenceImage(b"", "image/png", url=f"https://cdn.example/{i}.png") for i in range(2))
    blend = await provider.blend(BlendRequest(images, dimensions="LANDSCAPE"))
    task = simulator.tasks[blend.task_id]
    assert (task.action, task.kind, task.reference_images) == ("blend", "grid", 2)
    assert task.prompt == "blend of 2 images --ar 3:2"
    assert (await finish(provider, blend)).status is JobStatus.SUCCEEDED


async def test_simulator_cut_stream_then_finished_through_fetch_many(
    simulator: Simulator, http: httpx.AsyncClient
) -> None:
    provider = AceDataProvider(http, simulator.base_url)
    result = await provider.imagine(ImagineRequest("a windmill sim:cut"))
    snaps = await collect(result)
    assert len(snaps) == 1 and not snaps[0].status.finished  # two lines in all, no final one
    final = await finish(provider, SubmitResult(result.task_id, snapshot=snaps[0]))
    assert final.status is JobStatus.SUCCEEDED and final.action_ref == f"{result.task_id}999"
    assert simulator.requests["midjourney/tasks"] >= 1


async def test_simulator_failures_and_refusals(simulator: Simulator, http: httpx.AsyncClient) -> None:
    provider = AceDataProvider(http, simulator.base_url)
    failed = await finish(provider, await provider.imagine(ImagineRequest("a boat sim:fail")))
    assert failed.status is JobStatus.FAILED and "Simulated failure" in (failed.fail_reason or "")
    for prompt, kind in (("a nude statue", ErrorKind.MODERATION), ("sim:busy", ErrorKind.BUSY)):
        with pytest.raises(ProviderError) as info:
            await provider.imagine(ImagineRequest(prompt))
        assert info.value.kind is kind


async def test_simulator_refuses_a_wrong_key(http: httpx.AsyncClient) -> None:
    sim = Simulator(duration=SIMULATOR_DURATION, api_key="right-key")
    await sim.start()
    try:
        for key in ("wrong", ""):
            with pytest.raises(ProviderError) as info:
                await AceDataProvider(http, sim.base_url, api_key=key).imagine(ImagineRequest("x"))
            assert info.value.kind is ErrorKind.AUTH and "MJ_API_KEY" in str(info.value.text)
        raw = await http.post(f"{sim.base_url}/midjourney/tasks", json={"action": "retrieve", "id": "1"})
        assert raw.status_code == 401 and raw.json()["error"]["code"] in ("no_token", "invalid_token")
        ok = await AceDataProvider(http, sim.base_url, api_key="right-key", stream=False).imagine(ImagineRequest("x"))
        assert ok.task_id in sim.tasks
    finally:
        await sim.stop()


async def test_simulator_callbacks_and_sync_answers(simulator: Simulator, http: httpx.AsyncClient) -> None:
    received: list[Any] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        provider = AceDataProvider(http, simulator.base_url, callback_url=f"http://127.0.0.1:{port}/hook", stream=False)
        result = await provider.imagine(ImagineRequest("a kite"))
        assert result.snapshot is None
        for _ in range(60):
            if received and (snap := parse_callback(received[-1])) and snap.status.finished:
                break
            await asyncio.sleep(0.05)
        assert snap is not None and snap.status is JobStatus.SUCCEEDED and snap.task_id == result.task_id
    finally:
        await runner.cleanup()
    # Neither async nor ndjson: the answer waits for the end.
    sync = await http.post(f"{simulator.base_url}/midjourney/imagine", json={"prompt": "a kite"})
    assert sync.status_code == 200 and sync.json()["progress"] == 100 and sync.json()["actions"]


async def test_simulator_stops_promptly_with_a_stream_open(http: httpx.AsyncClient) -> None:
    sim = Simulator(duration=SIMULATOR_DURATION)
    await sim.start()
    result = await AceDataProvider(http, sim.base_url).imagine(ImagineRequest("forever sim:stall"))
    loop = asyncio.get_running_loop()
    started = loop.time()
    await sim.stop()
    assert loop.time() - started < 3
    assert [s.progress for s in await collect(result)][-1:] != [100]


async def test_translation_is_asked_for_only_when_the_request_says_so() -> None:
    provider, seen = scripted(answer({"task_id": "t"}), stream=False)
    await provider.imagine(ImagineRequest("一只猫", translate=True))
    await provider.imagine(ImagineRequest("一只猫"))
    assert json.loads(seen[0].content)["translation"] is True
    assert "translation" not in json.loads(seen[1].content)


def test_a_reported_prompt_is_the_prompt_used() -> None:
    final = {"success": True, "task_id": "t", "image_id": "9", "image_url": "https://x/1.png", "progress": 100,
             "actions": ["upscale1"], "prompt": "a cat in the snow"}  # fmt: skip
    snapshot = parse_response(final)
    assert snapshot is not None and snapshot.final_prompt == "a cat in the snow"
    snapshot = parse_response({k: v for k, v in final.items() if k != "prompt"})
    assert snapshot is not None and snapshot.final_prompt is None  # AceData's documented answer has none


async def test_edits_body_is_asynchronous_with_a_bare_mask() -> None:
    provider, seen = scripted(answer({"task_id": "e1"}), mode="fast")  # streaming is on: edits never stream
    image = ReferenceImage(b"\x89PNG", "image/png", url="https://cdn.example/me.png")
    result = await provider.edit(EditRequest(image, " a red door ", b"\x89PNG\r\n"))
    assert result.task_id == "e1" and seen[0].url.path == "/midjourney/edits"
    assert json.loads(seen[0].content) == {
        "action": "generate",
        "prompt": "a red door",
        "image_url": "https://cdn.example/me.png",
        "mask": "iVBORw0K",
        "mode": "fast",
        "async": True,
    }
    await provider.edit(EditRequest(image, "whole"))
    assert "mask" not in json.loads(seen[1].content)


# -- the image's seed: POST /midjourney/seed {"image_id"} --------------------------------------------------
@pytest.mark.parametrize("seed", ["636646138", 636646138])
async def test_seed_of_an_image_id(seed: object) -> None:
    provider, seen = scripted(answer({"seed": seed}))
    assert await provider.seed("1234999") == "636646138"
    assert seen[0].url.path == "/midjourney/seed" and json.loads(seen[0].content) == {"image_id": "1234999"}


@pytest.mark.parametrize("body", [{"detail": "Not Found"}, "", {"success": False, "error": {"code": "not_found"}}])
async def test_no_seed_on_a_404(body: object) -> None:
    provider, _ = scripted(answer(body, 404))
    assert await provider.seed("1234999") is None


async def test_seed_refused() -> None:
    error = {"success": False, "error": {"code": "bad_request", "message": "The image_id '1' was not found."}}
    provider, _ = scripted(answer(error, 400))
    with pytest.raises(ProviderError) as info:
        await provider.seed("1")
    assert info.value.kind is ErrorKind.REJECTED
    provider, _ = scripted(answer({"success": False, "error": {"code": "used_up", "message": "no credit"}}))
    with pytest.raises(ProviderError):
        await provider.seed("1")


@pytest.mark.parametrize("body", [{}, {"seed": None}, {"seed": ""}, {"seed": "abc"}, {"seed": 1.5}, ["1"], "not json"])
async def test_malformed_seed(body: object) -> None:
    provider, seen = scripted(answer(body))
    with pytest.raises(ProviderError) as info:
        await provider.seed("1234999")
    assert info.value.kind is ErrorKind.MALFORMED and info.value.detail.startswith("/midjourney/seed")
    assert len(seen) == 1  # asked once


async def test_simulator_seed_by_image_id(simulator: Simulator, http: httpx.AsyncClient) -> None:
    provider = AceDataProvider(http, simulator.base_url)
    result = await provider.imagine(ImagineRequest("a red fox"))
    grid = await finish(provider, result)
    seed = await provider.seed(grid.action_ref or "")
    assert seed == image_seed(simulator.tasks[result.task_id]) and simulator.requests["midjourney/seed"] == 1
    with pytest.raises(ProviderError):  # a task id is not an image_id
        await provider.seed(result.task_id)
    simulator.with_seed = False
    assert await provider.seed(grid.action_ref or "") is None
