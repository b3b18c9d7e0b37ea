"""A local server speaking the midjourney-proxy dialect, for running the bot with no API key.

Tasks move through SUBMITTED and IN_PROGRESS with rising percentages and then SUCCESS, with real PNG
images and Midjourney's button customIds. State is computed from the time since submit, so the server
needs no background work. Prompts can steer it, which demos and tests use:
  - a word from BANNED_WORDS → code 24 at submit;
  - `sim:busy` → code 23 (queue full); `sim:fail` → the task fails midway; `sim:stall` → never finishes;
  `sim:hold` → the submit is accepted but answered only after HOLD_SECONDS.
The AceData Cloud dialect (`/midjourney/*`) is served by the same app, see bot/simulator/acedata.py.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import io
import itertools
import logging
import re
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web
from PIL import Image, UnidentifiedImageError

from bot.simulator.images import grid_png, preview_png, single_png

if TYPE_CHECKING:
    from bot.simulator.acedata import AceDataDialect

log = logging.getLogger(__name__)

BANNED_WORDS = ("nsfw", "gore", "nude")
PROGRESS_STEPS = (0, 15, 31, 46, 62, 78, 93)
QUEUED_SHARE = 0.15  # share of the run spent in SUBMITTED
IMAGE_CACHE = 32  # finished images kept in memory
HOLD_SECONDS = 30.0


@dataclass
class SimTask:
    id: str
    action: str
    prompt: str
    submitted: float
    image_hash: str
    kind: str  # "grid" or "single"
    index: int = 1  # which cell a single image shows
    parent_id: str | None = None
    custom_id: str = ""
    modal_pending: bool = False
    upscaled: bool = False  # single image made by an HD upscale: no further HD buttons
    reference_images: int = 0  # how many base64Array images came with the submit
    bot_type: str = "MID_JOURNEY"
    bookmarked: bool = False
    mode: str | None = None  # from the path prefix or accountFilter.modes, as trueai reads them
    images: dict[str, bytes] = field(default_factory=dict)
    mask: bytes | None = None  # Vary (Region) mask PNG as received, for tests to check
    descriptions: tuple[str, ...] = ()  # a DESCRIBE task's four prompts
    state: str = ""  # the submit's `state`, echoed in the task and searchable in /mj/task/list


class Simulator:
    """The fake API: `await start()` serves it on 127.0.0.1; `base_url` is what the bot needs."""

    def __init__(
        self,
        *,
        duration: float = 6.0,
        api_key: str = "",
        host: str = "127.0.0.1",
        port: int = 0,
        remix: bool = False,
        modal_code: int = 21,
        buttons: bool = True,
    ):
        self.duration = duration
        self.api_key = api_key
        # Like an upstream account with Remix on: variations, re-rolls and pans wait for a modal (code 21).
        self.remix = remix
        # new-api resellers answer such a submit with code 1: the wait shows only as status MODAL.
        self.modal_code = modal_code
        # The open-source proxy sends no `buttons` and takes U/V/🔄 at /mj/submit/change instead.
        self.with_buttons = buttons
        # Result images that fail as real servers' links do: "missing" (404) or "html" (a web page at 200).
        self.image_fault: str | None = None
        self.acedata: AceDataDialect | None = None  # the AceData routes, once the app is built
        self.host, self.port = host, port
        self.tasks: dict[str, SimTask] = {}
        self.requests: Counter[str] = Counter()
        self._ids = itertools.count(int(time.time() * 1000) * 1000)
        self._runner: web.AppRunner | None = None
        self._with_images: deque[SimTask] = deque()
        self.base_url = ""

    # -- lifecycle -----------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._auth])
        # Served bare and under the prefixes resellers use (`/v1`, speed modes).
        for prefix in ("", "/v1", "/fast", "/relax", "/turbo", "/mj-fast", "/mj-relax", "/mj-turbo"):
            app.router.add_post(f"{prefix}/mj/submit/imagine", self.submit_imagine)
            app.router.add_post(f"{prefix}/mj/submit/blend", self.submit_blend)
            app.router.add_post(f"{prefix}/mj/submit/describe", self.submit_describe)
            app.router.add_post(f"{prefix}/mj/submit/action", self.submit_action)
            app.router.add_post(f"{prefix}/mj/submit/modal", self.submit_modal)
            app.router.add_post(f"{prefix}/mj/submit/change", self.submit_change)
            app.router.add_get(f"{prefix}/mj/task/list", self.list_all)
            app.router.add_get(f"{prefix}/mj/task/{{id}}/fetch", self.fetch)
            app.router.add_post(f"{prefix}/mj/task/list-by-condition", self.list_by_condition)
        app.router.add_get("/mj/image/{id}/{name}", self.image)
        app.router.add_get("/sim/stats", self.stats)
        from bot.simulator.acedata import register_acedata  # imports this module

        register_acedata(self, app)
        return app

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.base_url = f"http://{self.host}:{self.port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests[_route_name(request.path)] += 1
        if request.path.startswith("/midjourney/"):
            return await handler(request)  # AceData routes refuse keys in their own dialect
        if self.api_key and not request.path.startswith("/mj/image/"):
            given = request.headers.get("mj-api-secret") or request.headers.get("Authorization") or ""
            if given.removeprefix("Bearer ").strip() != self.api_key:
                return web.Response(status=401)
        return await handler(request)

    # -- submits -----------------------------------------------------------------------------
    def _new_task(self, **kwargs: Any) -> SimTask:
        task = SimTask(id=str(next(self._ids)), submitted=time.monotonic(), image_hash=str(uuid.uuid4()), **kwargs)
        self.tasks[task.id] = task
        return task

    async def submit_imagine(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        if body is None:
            return _result(4, "请求参数错误: body is not JSON")
        prompt = str(body.get("prompt") or "").strip()
        if not prompt:
            return _result(4, "prompt不能为空")
        for item in body.get("base64Array") or []:
            if not _valid_data_url(item):
                return _result(4, "base64格式错误")
        if refusal := _screen(prompt):
            return refusal
        if "sim:echo-key" in prompt:  # as gateways do that quote the credential they refuse
            given = request.headers.get("Authorization") or request.headers.get("mj-api-secret") or "none"
            return web.json_response({"code": 4, "description": f"invalid token {given}"}, status=400)
        images = len(body.get("base64Array") or [])
        task = self._new_task(action="IMAGINE", prompt=prompt, kind="grid", reference_images=images)
        task.state = str(body.get("state") or "")
        task.bot_type = str(body.get("botType") or "MID_JOURNEY")
        task.mode = _mode_of(request.path, body)
        if "sim:hold" in prompt:  # accepted, the answer held back: a client killed meanwhile never learns the id
            await asyncio.sleep(HOLD_SECONDS)
        return _result(1, "提交成功", task.id)

    async def submit_blend(self, request: web.Request) -> web.Response:
        body = await json_body(request) or {}
        images = body.get("base64Array") or []
        if not isinstance(images, list) or not 2 <= len(images) <= 5:
            return _result(4, "base64List参数错误: 2 到 5 张图片")
        if not all(_valid_data_url(item) for item in images):
            return _result(4, "base64格式错误")
        dimensions = str(body.get("dimensions") or "SQUARE").upper()
        if dimensions not in BLEND_RATIOS:
            return _result(4, "dimensions参数错误")
        prompt = f"blend of {len(images)} images --ar {BLEND_RATIOS[dimensions]}"
        task = self._new_task(action="BLEND", prompt=prompt, kind="grid", reference_images=len(images))
        task.state = str(body.get("state") or "")
        return _result(1, "提交成功", task.id)

    async def submit_describe(self, request: web.Request) -> web.Response:
        body = await json_body(request) or {}
        data_url = body.get("base64")
        if _valid_data_url(data_url):
            digest = hashlib.sha256(str(data_url).encode()).hexdigest()[:8]
            name = f"image-{digest}.png"
        elif isinstance(body.get("link"), str) and str(body["link"]).startswith(("http://", "https://")):
            name = url_file_name(str(body["link"]))  # trueai also takes a link
        else:
            return _result(4, "base64格式错误")
        descriptions = describe_texts(name)
        task = self._new_task(action="DESCRIBE", prompt="", kind="grid", descriptions=descriptions)
        task.state = str(body.get("state") or "")
        return _result(1, "提交成功", task.id)

    async def submit_action(self, request: web.Request) -> web.Response:
        body = await json_body(request) or {}
        parent = self.tasks.get(str(body.get("taskId") or ""))
        custom_id = str(body.get("customId") or "")
        if parent is None:
            return _result(3, "关联任务不存在或已失效", status=404)
        if self._status(parent)[0] != "SUCCESS":
            return _result(4, "关联任务状态错误")
        if custom_id not in {b["customId"] for b in self._buttons(parent)}:
            return _result(4, "customId 不存在")
        if refusal := _screen(parent.prompt):
            return refusal
        if custom_id.startswith("MJ::BOOKMARK::"):
            # As trueai does: the ❤️ is clicked upstream, no task is made, `result` is the parent.
            parent.bookmarked = True
            return _result(1, "提交成功", parent.id)
        task = self._derive(parent, custom_id)
        task.mode = _mode_of(request.path, body)
        task.state = str(body.get("state") or "")
        if task.modal_pending:
            return _result(
                self.modal_code, "Waiting for window confirm", task.id, {"finalPrompt": task.prompt, "remix": True}
            )
        return _result(1, "提交成功", task.id)

    async def submit_change(self, request: web.Request) -> web.Response:
        """The open-source proxy's U/V/🔄: {taskId, action: UPSCALE|VARIATION|REROLL, index}."""
        body = await json_body(request) or {}
        parent = self.tasks.get(str(body.get("taskId") or ""))
        action = str(body.get("action") or "").upper()
        if parent is None:
            return _result(3, "关联任务不存在或已失效", status=404)
        if action not in ("UPSCALE", "VARIATION", "REROLL") or self._status(parent)[0] != "SUCCESS":
            return _result(4, "action参数错误")
        index = body.get("index") if action != "REROLL" else 0
        if not isinstance(index, int) or (action != "REROLL" and not 1 <= index <= 4):
            return _result(4, "index参数错误")
        verb = {"UPSCALE": "upsample", "VARIATION": "variation", "REROLL": "reroll"}[action]
        task = self._derive(parent, f"MJ::JOB::{verb}::{index}::{parent.image_hash}")
        task.mode = _mode_of(request.path, body)
        task.state = str(body.get("state") or "")
        return _result(1, "提交成功", task.id)

    async def stats(self, request: web.Request) -> web.Response:
        """How often each endpoint was asked (for benchmarks that run the simulator as its own process)."""
        return web.json_response(dict(self.requests))

    async def list_all(self, request: web.Request) -> web.Response:
        """GET /mj/task/list: the latest tasks, newest first (trueai keeps 100)."""
        newest = sorted(self.tasks.values(), key=lambda t: t.submitted, reverse=True)[:100]
        return web.json_response([self._task_json(t, request) for t in newest])

    async def submit_modal(self, request: web.Request) -> web.Response:
        body = await json_body(request) or {}
        task = self.tasks.get(str(body.get("taskId") or ""))
        if task is None or not task.modal_pending:
            return _result(3, "关联任务不存在或已失效", status=404)
        if body.get("maskBase64"):
            parent = self.tasks.get(task.parent_id or "")
            mask = decode_png(str(body["maskBase64"]))
            if mask is None or parent is None or png_size(mask) != await self.image_size(parent):
                return _result(4, "maskBase64 错误: 需要与原图同样大小的 PNG")
            task.mask = mask
        prompt = str(body.get("prompt") or "").strip()
        if prompt:
            task.prompt = prompt
        task.mode = _mode_of(request.path, body) or task.mode
        task.modal_pending = False
        task.submitted = time.monotonic()
        return _result(1, "提交成功", task.id)

    def _derive(self, parent: SimTask, custom_id: str) -> SimTask:
        m = re.match(r"MJ::JOB::(\w+?)::(\d+)::", custom_id)
        verb, index = (m[1], int(m[2])) if m else ("", 1)
        common = {"prompt": parent.prompt, "parent_id": parent.id, "custom_id": custom_id}
        if verb == "upsample":
            return self._new_task(action="UPSCALE", kind="single", index=index, **common)
        if verb.startswith("upsample_"):
            return self._new_task(action="UPSCALE_HD", kind="single", index=parent.index, upscaled=True, **common)
        if verb == "reroll":
            return self._new_task(action="REROLL", kind="grid", modal_pending=self.remix, **common)
        if verb.startswith("pan_"):
            return self._new_task(action="PAN", kind="grid", modal_pending=self.remix, **common)
        if custom_id.startswith("MJ::Outpaint::"):
            return self._new_task(action="ZOOM", kind="grid", **common)
        needs_modal = custom_id.startswith(("MJ::CustomZoom::", "MJ::Inpaint::"))
        action = "ZOOM" if custom_id.startswith("MJ::CustomZoom::") else "VARIATION"
        return self._new_task(action=action, kind="grid", modal_pending=needs_modal or self.remix, **common)

    # -- queries -------------------------------------------------------------------------------
    async def fetch(self, request: web.Request) -> web.Response:
        task = self.tasks.get(request.match_info["id"])
        if task is None:
            return web.Response(status=204)  # trueai answers null → 204 for an unknown id
        return web.json_response(self._task_json(task, request))

    async def list_by_condition(self, request: web.Request) -> web.Response:
        body = await json_body(request) or {}
        ids = [str(i) for i in body.get("ids") or []]
        found = [self._task_json(self.tasks[i], request) for i in ids if i in self.tasks]
        return web.json_response(found)

    async def image(self, request: web.Request) -> web.Response:
        task = self.tasks.get(request.match_info["id"])
        name = request.match_info["name"]
        if task is None or name not in ("final.png", "preview.png"):
            return web.Response(status=404)
        if name == "final.png" and self.image_fault == "missing":
            return web.Response(status=404)
        if name == "final.png" and self.image_fault == "html":
            return web.Response(text="<html><title>Gateway</title>Image expired</html>", content_type="text/html")
        final = await self._final_image(task)
        if name == "final.png":
            return web.Response(body=final, content_type="image/png")
        progress = int(request.query.get("p", "50"))
        data = await asyncio.to_thread(preview_png, final, progress)
        return web.Response(body=data, content_type="image/png")

    async def _final_image(self, task: SimTask) -> bytes:
        if "final" not in task.images:
            if task.kind == "grid":
                data = await asyncio.to_thread(grid_png, task.prompt, task.image_hash)
            else:
                size = 1024 if task.upscaled else 512
                data = await asyncio.to_thread(single_png, task.prompt, task.image_hash, task.index, size)
            task.images["final"] = data
            # Images are drawn from a seed, so old ones can be dropped and drawn again: memory stays flat.
            self._with_images.append(task)
            if len(self._with_images) > IMAGE_CACHE:
                self._with_images.popleft().images.clear()
        return task.images["final"]

    async def image_size(self, task: SimTask) -> tuple[int, int]:
        """(width, height) of the task's final image, read from the PNG itself."""
        size = png_size(await self._final_image(task))
        assert size is not None
        return size

    def _status(self, task: SimTask) -> tuple[str, int | None, str]:
        """(status, progress, failReason) at this moment."""
        if task.modal_pending:
            return "MODAL", 0, ""
        share = (time.monotonic() - task.submitted) / self.duration
        if share < QUEUED_SHARE:
            return "SUBMITTED", 0, ""
        if "sim:fail" in task.prompt and share >= 0.5:
            return "FAILURE", None, "Simulated failure: the image could not be generated"
        if share >= 1 and "sim:stall" not in task.prompt:
            return "SUCCESS", 100, ""
        step = int((min(share, 0.99) - QUEUED_SHARE) / (1 - QUEUED_SHARE) * len(PROGRESS_STEPS))
        return "IN_PROGRESS", PROGRESS_STEPS[min(step, len(PROGRESS_STEPS) - 1)], ""

    def _task_json(self, task: SimTask, request: web.Request) -> dict[str, Any]:
        status, progress, reason = self._status(task)
        origin = f"{request.scheme}://{request.host}"
        image_url = None
        prompt = task.prompt
        if task.action == "DESCRIBE":
            # Describe has no image of its own; its result is the numbered prompts text.
            if status == "SUCCESS":
                prompt = "\n\n".join(f"{k} {d}" for k, d in zip(KEYCAPS, task.descriptions, strict=False))
        elif status == "SUCCESS":
            image_url = f"{origin}/mj/image/{task.id}/final.png"
        elif status == "IN_PROGRESS" and progress:
            image_url = f"{origin}/mj/image/{task.id}/preview.png?p={progress}"
        task_json = {
            "id": task.id,
            "action": task.action,
            "status": status,
            "progress": f"{progress}%" if progress is not None else "",
            "prompt": prompt,
            "promptEn": prompt,
            "description": "Submit success" if status == "SUCCESS" else f"/{task.action.lower()} {task.prompt}",
            "state": task.state,
            "submitTime": int(task.submitted * 1000),
            "imageUrl": image_url,
            "failReason": reason or None,
            "buttons": self._buttons(task) if status == "SUCCESS" else [],
            "properties": {"finalPrompt": prompt, "messageHash": task.image_hash},
        }
        if not self.with_buttons:
            del task_json["buttons"]  # the open-source proxy has no such field
        return task_json

    def _buttons(self, task: SimTask) -> list[dict[str, Any]]:
        if task.action == "DESCRIBE":
            return []
        h = task.image_hash
        if task.kind == "grid":
            return (
                [_button(f"MJ::JOB::upsample::{i}::{h}", f"U{i}") for i in range(1, 5)]
                + [_button(f"MJ::JOB::reroll::0::{h}::SOLO", "", "🔄")]
                + [_button(f"MJ::JOB::variation::{i}::{h}", f"V{i}") for i in range(1, 5)]
            )
        buttons = []
        if not task.upscaled:
            buttons += [
                _button(f"MJ::JOB::upsample_v6_2x_subtle::1::{h}::SOLO", "Upscale (Subtle)"),
                _button(f"MJ::JOB::upsample_v6_2x_creative::1::{h}::SOLO", "Upscale (Creative)"),
            ]
        buttons += [
            _button(f"MJ::JOB::low_variation::1::{h}::SOLO", "Vary (Subtle)", "🪄"),
            _button(f"MJ::JOB::high_variation::1::{h}::SOLO", "Vary (Strong)", "🪄"),
            _button(f"MJ::Inpaint::1::{h}::SOLO", "Vary (Region)", "🖌️"),
            _button(f"MJ::Outpaint::50::1::{h}::SOLO", "Zoom Out 2x", "🔍"),
            _button(f"MJ::Outpaint::75::1::{h}::SOLO", "Zoom Out 1.5x", "🔍"),
            _button(f"MJ::CustomZoom::{h}", "Custom Zoom", "🔍"),
        ]
        buttons += [_button(f"MJ::JOB::pan_{d}::1::{h}::SOLO", "", e) for d, e in _PANS]
        buttons.append(_button(f"MJ::BOOKMARK::{h}", "", "❤️"))
        return buttons


_PANS = (("left", "⬅️"), ("right", "➡️"), ("up", "⬆️"), ("down", "⬇️"))
KEYCAPS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣")
BLEND_RATIOS = {"PORTRAIT": "2:3", "SQUARE": "1:1", "LANDSCAPE": "3:2"}


def describe_texts(name: str) -> tuple[str, ...]:
    """Four deterministic /describe prompts for an image called `name` (both dialects)."""
    seed = int(hashlib.sha256(name.encode()).hexdigest()[:6], 16)
    ratio = ("1:1", "3:2", "2:3", "16:9")[seed % 4]
    return (
        f"a detailed illustration based on {name}, soft morning light --ar {ratio}",
        f"{name} reimagined as a watercolor painting, muted palette --ar {ratio}",
        f"cinematic photograph in the mood of {name}, shallow depth of field --ar {ratio}",
        f"minimalist poster inspired by {name}, bold shapes, flat colors --ar {ratio}",
    )


def url_file_name(url: str) -> str:
    """`https://cdn.example/a/cat.png?x=1` → `cat.png`."""
    name = url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return name or "image"


def decode_png(raw: str) -> bytes | None:
    """Base64 (optionally a `data:` URL) of a PNG → its bytes; None if it is anything else."""
    if raw.startswith("data:"):
        if ";base64," not in raw:
            return None
        raw = raw.split(",", 1)[1]
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if png_size(data) is not None else None


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of PNG bytes, None if they are not a PNG."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except (UnidentifiedImageError, OSError):
        return None


def _button(custom_id: str, label: str, emoji: str = "") -> dict[str, Any]:
    return {"customId": custom_id, "emoji": emoji, "label": label, "type": 2, "style": 2}


def _result(
    code: int, description: str, result: str | None = None, props: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    body = {"code": code, "description": description, "result": result, "properties": props or {}}
    return web.json_response(body, status=status)


def _screen(prompt: str) -> web.Response | None:
    low = prompt.lower()
    for word in BANNED_WORDS:
        if re.search(rf"\b{re.escape(word)}\b", low):
            return _result(24, "可能包含敏感词", props={"promptEn": prompt, "bannedWord": word})
    if "sim:busy" in low:
        return _result(23, "队列已满，请稍后尝试")
    return None


def _mode_of(path: str, body: dict[str, Any]) -> str | None:
    if m := re.match(r"^/(?:mj-)?(fast|relax|turbo)/", path):
        return m[1]
    modes = (body.get("accountFilter") or {}).get("modes") or []
    return str(modes[0]).lower() if modes else None


def _valid_data_url(item: object) -> bool:
    if not isinstance(item, str) or not item.startswith("data:image/") or ";base64," not in item:
        return False
    try:
        base64.b64decode(item.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


async def json_body(request: web.Request) -> dict[str, Any] | None:
    try:
        data = await request.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _route_name(path: str) -> str:
    """`/v1/mj/task/123/fetch` → `fetch`: request counts by endpoint, for tests and benchmarks."""
    if path.endswith("/fetch"):
        return "fetch"
    if path.startswith("/midjourney/"):
        return path.strip("/")  # `midjourney/imagine`: kept apart from the proxy's `imagine`
    return path.rstrip("/").rsplit("/", 1)[-1]


async def serve_forever(port: int, duration: float, api_key: str = "", host: str = "127.0.0.1") -> None:
    sim = Simulator(duration=duration, api_key=api_key, host=host, port=port)
    url = await sim.start()
    print(f"Midjourney API simulator (midjourney-proxy dialect) listening on {url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sim.stop()
