"""The midjourney-proxy client: every answer the reference lists, scripted, and the simulator for real."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

import httpx
import pytest

from bot.core.errors import ErrorKind, ProviderError
from bot.core.models import EditRequest, ImagineRequest, JobStatus, ReferenceImage
from bot.core.providers.base import Capability
from bot.core.providers.proxy import ProxyProvider, parse_progress, parse_task
from bot.simulator.server import Simulator
from bot.simulator.tasks import image_seed

Handler = Callable[[httpx.Request], httpx.Response]


def scripted(handler: Handler, *, base: str = "https://api.example", **kwargs: object) -> tuple[ProxyProvider, list]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(record))
    return ProxyProvider(client, base, **kwargs), seen  # type: ignore[arg-type]


def answer(body: object, status: int = 200) -> Handler:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return lambda request: httpx.Response(status, content=raw)


async def submit_error(handler: Handler) -> ProviderError:
    provider, seen = scripted(handler)
    with pytest.raises(ProviderError) as info:
        await provider.imagine(ImagineRequest("a cat"))
    assert len(seen) == 1, "a paid submit must never be retried"
    return info.value


@pytest.mark.parametrize("result", ["1712205491372224", 1712205491372224])
async def test_accepted_submit_takes_string_or_number_result(result: object) -> None:
    provider, seen = scripted(answer({"code": 1, "description": "提交成功", "result": result}))
    outcome = await provider.imagine(ImagineRequest("a cat", bot_type="NIJI_JOURNEY"))
    assert outcome.task_id == "1712205491372224"
    assert not outcome.needs_input
    body = json.loads(seen[0].content)
    assert seen[0].url.path == "/mj/submit/imagine"
    assert body == {"prompt": "a cat", "botType": "NIJI_JOURNEY"}


async def test_queued_submit_reports_position() -> None:
    body = {"code": 22, "description": "排队中，前面还有1个任务", "result": "17", "properties": {"numberOfQueues": 1}}
    provider, _ = scripted(answer(body))
    outcome = await provider.imagine(ImagineRequest("a cat"))
    assert (outcome.task_id, outcome.queue_position) == ("17", 1)


async def test_code_21_means_the_task_waits_for_a_modal() -> None:
    body = {"code": 21, "description": "Waiting for window confirm", "result": "99", "properties": {"finalPrompt": "x"}}
    provider, seen = scripted(answer(body))
    outcome = await provider.action("12", "MJ::JOB::variation::1::abc")
    assert outcome.needs_input and outcome.task_id == "99" and outcome.final_prompt == "x"
    assert json.loads(seen[0].content) == {"taskId": "12", "customId": "MJ::JOB::variation::1::abc"}


async def test_a_remix_prompt_asks_for_the_modal() -> None:
    """trueai's `enableRemix`: the press opens the Remix modal whatever the account is set to."""
    body = {"code": 21, "description": "Waiting for window confirm", "result": "99"}
    provider, seen = scripted(answer(body))
    outcome = await provider.action("12", "MJ::JOB::reroll::0::abc::SOLO", remix_prompt="a dog")
    assert outcome.needs_input
    sent = json.loads(seen[0].content)
    assert sent == {"taskId": "12", "customId": "MJ::JOB::reroll::0::abc::SOLO", "enableRemix": True}


async def test_reference_images_go_as_data_urls() -> None:
    provider, seen = scripted(answer({"code": 1, "result": "5"}))
    await provider.imagine(ImagineRequest("x", images=(ReferenceImage(b"\x89PNG", "image/png"),)))
    assert json.loads(seen[0].content)["base64Array"] == ["data:image/png;base64,iVBORw=="]


@pytest.mark.parametrize(
    ("handler", "kind", "words"),
    [
        (
            answer({"code": 24, "description": "可能包含敏感词", "properties": {"bannedWord": "nude"}}),
            "moderation",
            "nude",
        ),
        (answer({"code": 23, "description": "队列已满，请稍后尝试"}), "busy", "queue is full"),
        (answer({"code": 9, "description": "提交失败，队列已满，请稍后重试"}), "busy", "at its limit"),
        (answer({"code": 9, "description": "提交失败，系统异常"}), "unavailable", "system error"),
        # Code 3 on a first submit is not a lost parent: trueai says it when it has no account free.
        (answer({"code": 3, "description": "无可用的账号实例"}), "unavailable", "no Midjourney account free"),
        (answer({"code": 3, "description": "关联任务不存在或已失效"}), "rejected", "关联任务不存在或已失效"),
        (answer({"code": 4, "description": "prompt不能为空"}), "rejected", "prompt不能为空"),
        (answer({"code": 42, "description": "odd"}), "rejected", "It said: “odd”"),
        (answer({"code": 42}), "rejected", "code 42"),
        (answer("", 401), "auth", "MJ_API_KEY"),
        (answer("Authorization header missing.", 401), "auth", "MJ_API_KEY"),
        (answer("账号不可用", 403), "auth", "MJ_API_KEY"),
        (answer({"error": {"message": "slow down"}}, 429), "busy", "rate limiting"),
        (answer("<html>Bad gateway</html>", 502), "unavailable", "HTTP 502"),
        (answer({"success": False, "code": -1, "message": "操作失败"}, 500), "unavailable", "HTTP 500"),
        (answer({"description": "quota_not_enough", "type": "upstream_error", "code": 4}, 400), "rejected", "quota"),
        (answer({"success": False, "code": -1, "message": "并发数已达上限"}), "busy", "at its limit"),
        (answer({"success": False, "code": -1, "message": "账号已被临时封锁"}), "unavailable", "blocked for a while"),
        (answer("", 200), "malformed", "empty answer"),
        (answer("<html>oops</html>", 200), "config", "web page"),
        (answer([1, 2], 200), "malformed", "could not read"),
        (answer({"code": 1, "result": None}), "malformed", "no task id"),
        (answer({"description": "no code"}), "malformed", "could not read"),
        (answer("", 404), "config", "MJ_API_BASE"),
    ],
)
async def test_every_refusal_is_typed_with_a_user_message(handler: Handler, kind: str, words: str) -> None:
    error = await submit_error(handler)
    assert error.kind == ErrorKind(kind)
    assert words in str(error.text)


@pytest.mark.parametrize(
    "handler",
    [answer({"code": 3, "description": "关联任务不存在或已失效"}), answer({"code": 3, "description": "x"}, 404)],
)
async def test_code_3_on_a_button_means_the_parent_is_gone(handler: Handler) -> None:
    provider, _ = scripted(handler)
    with pytest.raises(ProviderError) as caught:
        await provider.action("12", "MJ::JOB::upsample::1::abc")
    assert caught.value.kind is ErrorKind.NOT_FOUND and "no longer knows" in str(caught.value.text)


async def test_timeout_and_unreachable_are_typed() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    assert (await submit_error(timeout)).kind is ErrorKind.TIMEOUT
    assert (await submit_error(refused)).kind is ErrorKind.UNAVAILABLE


@pytest.mark.parametrize(
    ("style", "header", "value"),
    [
        ("bearer", "authorization", "Bearer sk-1"),
        ("mj-api-secret", "mj-api-secret", "sk-1"),
        ("authorization", "authorization", "sk-1"),
    ],
)
async def test_auth_header_styles(style: str, header: str, value: str) -> None:
    provider, seen = scripted(answer({"code": 1, "result": "1"}), api_key="sk-1", auth_style=style)
    await provider.imagine(ImagineRequest("x"))
    assert seen[0].headers[header] == value


async def test_base_url_prefix_is_kept() -> None:
    provider, seen = scripted(answer({"code": 1, "result": "1"}), base="https://reseller.example/v1/")
    await provider.imagine(ImagineRequest("x"))
    assert str(seen[0].url) == "https://reseller.example/v1/mj/submit/imagine"


def task(task_id: str, status: str, progress: str = "", **extra: object) -> dict[str, object]:
    return {"id": task_id, "status": status, "progress": progress, **extra}


async def test_fetch_many_is_one_request_and_normalises_statuses() -> None:
    tasks = [
        task("a", ""),
        task("b", "NOT_START", "0%"),
        task("c", "SUBMITTED", "0%"),
        task("d", "IN_PROGRESS", "46%", imageUrl="https://cdn/x_grid_0.webp"),
        task("e", "MODAL"),
        task("f", "SUCCESS", "100%", imageUrl="https://cdn/f.png", buttons=[{"customId": "MJ::JOB::upsample::1::h"}]),
        task("g", "FAILURE", "100%", failReason="Banned prompt detected"),
        task("h", "CANCEL"),
        task("zz", "SUCCESS"),  # not asked for: ignored
    ]
    provider, seen = scripted(answer(tasks))
    found = await provider.fetch_many([*"abcdefgh", "missing"])
    assert len(seen) == 1 and seen[0].url.path == "/mj/task/list-by-condition"
    assert json.loads(seen[0].content)["ids"] == [*"abcdefgh", "missing"]
    status = {k: v.status for k, v in found.items()}
    assert status == {
        "a": JobStatus.QUEUED,
        "b": JobStatus.QUEUED,
        "c": JobStatus.QUEUED,
        "d": JobStatus.RUNNING,
        "e": JobStatus.NEEDS_INPUT,
        "f": JobStatus.SUCCEEDED,
        "g": JobStatus.FAILED,  # "100%" on a failure is not done
        "h": JobStatus.FAILED,
    }
    assert found["d"].progress == 46 and found["d"].image_url == "https://cdn/x_grid_0.webp"
    assert found["f"].buttons[0].custom_id == "MJ::JOB::upsample::1::h"


async def test_fetch_many_falls_back_to_single_fetches_without_the_batch_endpoint() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("list-by-condition"):
            return httpx.Response(404)
        task_id = request.url.path.split("/")[3]
        if task_id == "gone":
            return httpx.Response(204)
        return httpx.Response(200, json=task(task_id, "IN_PROGRESS", "10%"))

    provider, seen = scripted(handler)
    found = await provider.fetch_many(["a", "gone"])
    assert set(found) == {"a"} and found["a"].progress == 10
    seen.clear()
    await provider.fetch_many(["a"])
    assert [r.url.path for r in seen] == ["/mj/task/a/fetch"]  # remembered: no second batch attempt


async def test_malformed_task_list_is_an_error() -> None:
    provider, _ = scripted(answer({"oops": True}))
    with pytest.raises(ProviderError) as info:
        await provider.fetch_many(["a"])
    assert info.value.kind is ErrorKind.MALFORMED


@pytest.mark.parametrize(
    ("raw", "expected"), [("46%", 46), ("", None), (None, None), (7, 7), ("100%", 100), ("abc", None), (True, None)]
)
def test_progress_parsing_is_lenient(raw: object, expected: int | None) -> None:
    assert parse_progress(raw) == expected


def test_parse_task_rejects_non_tasks() -> None:
    assert parse_task({"status": "SUCCESS"}) is None
    assert parse_task("nope") is None
    assert parse_task({"id": 5, "status": "WEIRD"}).status is JobStatus.QUEUED  # type: ignore[union-attr]


async def test_against_the_simulator_imagine_then_upscale(simulator: Simulator, http: httpx.AsyncClient) -> None:
    provider = ProxyProvider(http, simulator.base_url)
    submitted = await provider.imagine(ImagineRequest("a lighthouse at dusk"))
    seen_progress: list[int] = []
    for _ in range(60):
        snap = (await provider.fetch_many([submitted.task_id]))[submitted.task_id]
        if snap.status is JobStatus.RUNNING and snap.progress is not None:
            seen_progress.append(snap.progress)
        if snap.status.finished:
            break
        await asyncio.sleep(0.05)
    assert snap.status is JobStatus.SUCCEEDED
    assert seen_progress == sorted(seen_progress) and seen_progress
    labels = [b.label or b.emoji for b in snap.buttons]
    assert labels == ["U1", "U2", "U3", "U4", "🔄", "V1", "V2", "V3", "V4"]
    image = await http.get(snap.image_url)  # type: ignore[arg-type]
    assert image.content.startswith(b"\x89PNG")

    upscale = await provider.action(submitted.task_id, snap.buttons[1].custom_id)
    assert upscale.task_id != submitted.task_id


async def test_simulator_refuses_a_wrong_key(http: httpx.AsyncClient) -> None:
    sim = Simulator(duration=0.5, api_key="right-key")
    await sim.start()
    try:
        with pytest.raises(ProviderError) as info:
            await ProxyProvider(http, sim.base_url, api_key="wrong").imagine(ImagineRequest("x"))
        assert info.value.kind is ErrorKind.AUTH
        ok = await ProxyProvider(http, sim.base_url, api_key="right-key", auth_style="mj-api-secret").imagine(
            ImagineRequest("x")
        )
        assert ok.task_id
    finally:
        await sim.stop()


async def test_edits_body_and_the_capability_the_operator_declares() -> None:
    provider, seen = scripted(answer({"code": 1, "description": "ok", "result": "77"}))
    image = ReferenceImage(b"\x89PNG", "image/png")
    result = await provider.edit(EditRequest(image, "a red door", b"\x89PNG\r\n", "relax"))
    assert result.task_id == "77" and seen[0].url.path == "/mj/submit/edits"
    body = json.loads(seen[0].content)
    assert body["image"] == "data:image/png;base64,iVBORw==" and body["prompt"] == "a red door"
    assert body["maskBase64"] == "data:image/png;base64,iVBORw0K"
    assert body["accountFilter"] == {"modes": ["RELAX"]}
    assert Capability.EDIT in provider.capabilities
    without, _ = scripted(answer({}), edits=False)  # the open-source proxy: MJ_EDITS=false
    assert Capability.EDIT not in without.capabilities


def test_prompt_en_is_the_final_prompt() -> None:
    task = {"id": "1", "status": "SUCCESS", "prompt": "猫猫", "promptEn": "Cat", "imageUrl": "https://x/1.png"}
    snapshot = parse_task(task)
    assert snapshot is not None and snapshot.final_prompt == "Cat"


# -- the image's seed (trueai-org, new-api: GET /mj/task/{id}/image-seed) ---------------------------------
@pytest.mark.parametrize("result", ["636646138", 636646138, " 636646138 "])
async def test_seed_is_the_result_of_image_seed(result: object) -> None:
    provider, seen = scripted(answer({"code": 1, "description": "成功", "result": result}))
    assert Capability.SEED in provider.capabilities
    assert await provider.seed("1712205491372224") == "636646138"
    assert (seen[0].method, seen[0].url.path) == ("GET", "/mj/task/1712205491372224/image-seed")


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, {"code": 3, "description": "任务不存在", "result": None}),  # a task the API does not know
        (404, '{"timestamp":"2026-12-01","status":404,"error":"Not Found","path":"/mj/task/1/image-seed"}'),
        (404, ""),  # the open-source proxy: no such route
        (200, {"code": 3, "description": "任务不存在", "result": None}),  # a gateway that answers 200
    ],
)
async def test_no_seed_where_the_api_has_none(status: int, body: object) -> None:
    provider, _ = scripted(answer(body, status))
    assert await provider.seed("1") is None


async def test_seed_of_an_unfinished_task_is_refused_quietly(caplog: pytest.LogCaptureFixture) -> None:
    provider, _ = scripted(answer({"code": 4, "description": "关联任务状态错误", "result": None}, 400))
    with caplog.at_level(logging.WARNING), pytest.raises(ProviderError) as info:
        await provider.seed("1")
    assert info.value.kind is ErrorKind.REJECTED and "关联任务状态错误" in info.value.detail
    assert not caplog.records  # the caller logs it at info: no seed is no failure


@pytest.mark.parametrize(
    "body",
    [
        {"code": 1, "description": "成功", "result": ""},
        {"code": 1, "description": "成功", "result": None},
        {"code": 1, "description": "成功", "result": "not a seed"},
        {"code": 1, "description": "成功", "result": True},
        {"code": 1, "description": "成功", "result": -5},
        {"description": "成功"},
        ["636646138"],
        "not json",
        "",
    ],
)
async def test_malformed_seed_answers(body: object) -> None:
    provider, _ = scripted(answer(body))
    with pytest.raises(ProviderError) as info:
        await provider.seed("1")
    assert info.value.kind is ErrorKind.MALFORMED


async def test_seed_from_the_simulator(simulator: Simulator, http: httpx.AsyncClient) -> None:
    provider = ProxyProvider(http, simulator.base_url)
    submitted = await provider.imagine(ImagineRequest("a lighthouse at dusk"))
    with pytest.raises(ProviderError):  # not finished: 400 "关联任务状态错误"
        await provider.seed(submitted.task_id)
    await asyncio.sleep(simulator.duration + 0.1)
    seed = await provider.seed(submitted.task_id)
    assert seed == image_seed(simulator.tasks[submitted.task_id]) and seed == await provider.seed(submitted.task_id)
    assert 0 <= int(seed) <= 4294967295
    assert await provider.seed("404404") is None
    simulator.with_seed = False  # as the open-source proxy
    assert await provider.seed(submitted.task_id) is None
