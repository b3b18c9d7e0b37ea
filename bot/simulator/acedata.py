"""The AceData Cloud dialect for the simulator: `/midjourney/imagine`, `/midjourney/tasks`, `/midjourney/describe`,
`/midjourney/shorten`, `/midjourney/videos`, `/midjourney/edits` and `/midjourney/seed`.

It shares the `Simulator`'s tasks, timing and images with the midjourney-proxy dialect (see
shared/reference/upstream-protocols.md, Part B). Prompts steer it like the proxy routes:
  - a word from BANNED_WORDS → 403 `forbidden`; `sim:busy` → 429;
  - `sim:fail` → the task fails midway; `sim:stall` → it never finishes;
  - `sim:cut` → an ndjson stream stops after two lines, while the task itself goes on;
  - `sim:video-fail` → a video task fails midway.
`translation: true` replaces Chinese, Japanese or Korean text by a marked stand-in (`[sim-en 1a2b3c]`),
drawn in the image and reported as the final line's `prompt` (a field AceData does not document).
An image is addressed by `<task id>999` once its task succeeded; stream lines before that carry
throwaway ids `<task id><progress>`, as AceData's previews do. A video is addressed by `<task id>888`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
import uuid
from collections.abc import Coroutine
from typing import Any

import aiohttp
from aiohttp import web

from bot.simulator import tasks as sim  # the helpers both dialects share: drawing, checks, texts
from bot.simulator.http import json_body
from bot.simulator.tasks import QUEUED_SHARE, SimTask, TaskBook

log = logging.getLogger(__name__)

NDJSON = "application/x-ndjson"
FINAL_SUFFIX = "999"  # image_id = task id + this, once the task succeeded
VIDEO_SUFFIX = "888"  # video_id = a video task's id + this, once it succeeded
VIDEO_MODES = ("fast", "turbo")  # no relax for videos
RESOLUTIONS = ("480p", "720p")
_OWN_IMAGE = re.compile(r"/mj/image/(\d+)/final\.png")
MODERATION_MESSAGE = "Sorry! Our AI moderators feel your prompt might be against our community standards."
MODES = ("fast", "relax", "turbo")
SYNC_TIMEOUT = 480.0  # AceData's default `timeout` for a synchronous imagine

GRID_ACTIONS = (
    *(f"upscale{i}" for i in range(1, 5)),
    "reroll",
    *(f"variation{i}" for i in range(1, 5)),
)
HD_UPSCALES = ("upscale_subtle", "upscale_creative")
SINGLE_ACTIONS = (
    "variation_subtle",
    "variation_strong",
    "variation_region",
    "zoom_out_2x",
    "zoom_out_1_5x",
    "pan_left",
    "pan_right",
    "pan_up",
    "pan_down",
)
_URL = re.compile(r"https?://\S+")


def actions_for(task: SimTask) -> list[str]:
    """What AceData offers on a finished image: grids and single images differ; no HD upscale twice."""
    if task.kind == "grid":
        return list(GRID_ACTIONS)
    if task.kind == "video":
        return []  # videos are extended through /midjourney/videos, by their video_id
    return ([] if task.upscaled or task.on_v8 else list(HD_UPSCALES)) + list(SINGLE_ACTIONS)


class AceDataDialect:
    def __init__(self, book: TaskBook) -> None:
        self.book = book
        self.requests: dict[str, dict[str, Any]] = {}  # task id → the imagine body (without the mask)
        self._stopping = asyncio.Event()
        self._background: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    def register(self, app: web.Application) -> None:
        """Serve the AceData routes (the app's auth middleware leaves `/midjourney/*` to them)."""
        app.router.add_post("/midjourney/imagine", self.imagine)
        app.router.add_post("/midjourney/tasks", self.tasks)
        app.router.add_post("/midjourney/describe", self.describe)
        app.router.add_post("/midjourney/shorten", self.shorten)
        app.router.add_post("/midjourney/videos", self.videos)
        app.router.add_post("/midjourney/edits", self.edits)
        app.router.add_post("/midjourney/seed", self.seed)
        app.on_shutdown.append(self.on_shutdown)
        app.on_cleanup.append(self.on_cleanup)

    # -- lifecycle -----------------------------------------------------------------------------
    async def on_shutdown(self, app: web.Application) -> None:
        # Open streams and synchronous waits would otherwise hold the server's shutdown for a minute.
        self._stopping.set()

    async def on_cleanup(self, app: web.Application) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    # -- routes --------------------------------------------------------------------------------
    async def _submit_body(self, request: web.Request, modes: tuple[str, ...]) -> dict[str, Any] | web.Response:
        """A submit's JSON body, or the refusal of a wrong key, a body that is no object, or a mode not in `modes`."""
        if refusal := self._auth(request):
            return refusal
        body = await json_body(request)
        if body is None:
            return _error(400, "bad_request", "The request body must be a JSON object.")
        if body.get("mode") is not None and body.get("mode") not in modes:
            return _error(400, "bad_request", f"mode must be one of {', '.join(modes)}")
        return body

    async def imagine(self, request: web.Request) -> web.StreamResponse:
        body = await self._submit_body(request, MODES)
        if isinstance(body, web.Response):
            return body
        action = str(body.get("action") or "generate")
        if action == "generate":
            made = self._generate(str(body.get("prompt") or "").strip())
            if not isinstance(made, web.Response):
                made.version = str(body.get("version") or "")
        else:
            made = await self._act(action, body)
        if isinstance(made, web.Response):
            return made
        if body.get("translation") is True and (translated := sim.simulated_translation(made.prompt)):
            made.prompt, made.translated = translated, True
        return await self._answer(request, body, made)

    async def edits(self, request: web.Request) -> web.StreamResponse:
        """`/midjourney/edits`: the image at `image_url`, an optional bare-base64 PNG `mask` of its size."""
        if refusal := self._auth(request):
            return refusal
        body = await json_body(request)
        if body is None:
            return _error(400, "bad_request", "The request body must be a JSON object.")
        prompt, url = str(body.get("prompt") or "").strip(), body.get("image_url")
        if not prompt:
            return _error(400, "bad_request", "prompt is required")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return _error(400, "bad_request", "image_url is required")
        size = sim.image_bytes_size(await self._download(url))
        if size is None:
            return _error(400, "bad_request", "image_url must point to an image")
        mask = None
        if body.get("mask") is not None:
            raw = body["mask"]
            mask = sim.decode_png(raw) if isinstance(raw, str) and not raw.startswith("data:") else None
            if mask is None:
                return _error(400, "bad_request", "mask must be the base64 of a PNG image")
            if sim.png_size(mask) != size:
                return _error(400, "bad_request", "mask must have the same size as the image")
        if refusal := _screen(prompt):
            return refusal
        task = self.book.new_task(action="edits", prompt=prompt, kind="grid", reference_images=1, mask=mask)
        return await self._answer(request, body, task)

    async def videos(self, request: web.Request) -> web.StreamResponse:
        """`generate` (first frame `image_url`) or `extend` (`video_id`, `video_index`); answered like imagine."""
        body = await self._submit_body(request, VIDEO_MODES)
        if isinstance(body, web.Response):
            return body
        if body.get("resolution") is not None and body.get("resolution") not in RESOLUTIONS:
            return _error(400, "bad_request", f"resolution must be one of {', '.join(RESOLUTIONS)}")
        prompt = str(body.get("prompt") or "").strip()
        if refusal := _screen(prompt):
            return refusal
        action = body.get("action") or "generate"
        if action == "generate":
            url = body.get("image_url")
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                return _error(400, "bad_request", "image_url is required")
            source = self._own_image(url)
            index = source.index if source is not None else 1
        elif action == "extend":
            source = self._video(str(body.get("video_id") or ""))
            if source is None:
                return _error(400, "bad_request", f"The video_id {body.get('video_id')!r} was not found.")
            if body.get("video_index", 0) not in range(source.videos):
                return _error(400, "bad_request", "video_index is out of range")
            index = source.index
        else:
            return _error(400, "api_not_implemented", f"Unknown videos action {action!r}.")
        task = self.book.new_task(
            action=str(action), prompt=prompt or "video", kind="video", index=index, videos=4,
            parent_id=source.id if source is not None else None,
        )  # fmt: skip
        return await self._answer(request, body, task)

    async def _answer(self, request: web.Request, body: dict[str, Any], task: SimTask) -> web.StreamResponse:
        """A submit's answer: an ndjson stream, the task id alone (async, callback), or the final object."""
        self.requests[task.id] = {k: v for k, v in body.items() if k != "mask"}
        origin = f"{request.scheme}://{request.host}"
        callback = body.get("callback_url")
        if isinstance(callback, str) and callback:
            self._spawn(self._notify(task, callback, origin))
        if NDJSON in request.headers.get("accept", ""):
            return await self._stream(request, task, origin)
        if body.get("async") or callback:
            return web.json_response({"task_id": task.id})
        timeout = body.get("timeout")
        return await self._wait(task, origin, float(timeout) if isinstance(timeout, int | float) else SYNC_TIMEOUT)

    async def tasks(self, request: web.Request) -> web.Response:
        if refusal := self._auth(request):
            return refusal
        body = await json_body(request) or {}
        origin = f"{request.scheme}://{request.host}"
        action = body.get("action")
        if action == "retrieve":
            task = self.book.tasks.get(str(body.get("id") or ""))
            if task is None:
                return _error(404, "not_found", "The task was not found.")
            return web.json_response(await self._item(task, origin))
        if action == "retrieve_batch":
            ids = body.get("ids")
            if not isinstance(ids, list):
                return _error(400, "bad_request", "ids must be a list")
            offset, limit = _int(body.get("offset"), 0), _int(body.get("limit"), 12)
            known = [self.book.tasks[i] for i in dict.fromkeys(map(str, ids)) if i in self.book.tasks]
            items = [await self._item(t, origin) for t in known[offset : offset + limit]]
            return web.json_response({"items": items, "count": len(known)})
        return _error(400, "api_not_implemented", f"Unknown tasks action {action!r}.")

    async def describe(self, request: web.Request) -> web.Response:
        if refusal := self._auth(request):
            return refusal
        body = await json_body(request) or {}
        url = body.get("image_url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return _error(400, "bad_request", "image_url is required")
        return web.json_response({"descriptions": list(sim.describe_texts(sim.url_file_name(url)))})

    async def shorten(self, request: web.Request) -> web.Response:
        """Synchronous, as AceData's guide shows: `{"prompts": [up to five]}`."""
        if refusal := self._auth(request):
            return refusal
        body = await json_body(request) or {}
        prompt = str(body.get("prompt") or "").strip()
        if not prompt:
            return _error(400, "bad_request", "prompt is required")
        if refusal := _screen(prompt):
            return refusal
        return web.json_response({"prompts": list(sim.shorten_texts(prompt))})

    async def seed(self, request: web.Request) -> web.Response:
        """`{"image_id"}` of a finished image → `{"seed": "…"}`, free; a simulator made without seeds has no route."""
        if not self.book.with_seed:
            return web.Response(status=404)
        if refusal := self._auth(request):
            return refusal
        body = await json_body(request) or {}
        image_id = str(body.get("image_id") or "")
        task = self._image(image_id)
        if task is None:
            return _error(400, "bad_request", f"The image_id {image_id!r} was not found.")
        return web.json_response({"seed": sim.image_seed(task)})

    # -- submits -------------------------------------------------------------------------------
    def _generate(self, prompt: str) -> SimTask | web.Response:
        if not prompt:
            return _error(400, "bad_request", "prompt is required")
        if refusal := _screen(prompt):
            return refusal
        # Leading URLs are image prompts; 2-5 of them make a blend (AceData has no blend endpoint).
        urls: list[str] = []
        rest = prompt
        while m := _URL.match(rest):
            urls.append(m[0])
            rest = rest[m.end() :].lstrip()
        if len(urls) > 5:
            return _error(400, "bad_request", "At most 5 image URLs can be given.")
        if len(urls) >= 2:
            text = rest if rest and not rest.startswith("--") else f"blend of {len(urls)} images {rest}".strip()
            return self.book.new_task(action="blend", prompt=text, kind="grid", reference_images=len(urls))
        if not rest:
            return _error(400, "bad_request", "prompt is required besides the image URLs")
        return self.book.new_task(action="generate", prompt=rest, kind="grid", reference_images=len(urls))

    async def _act(self, action: str, body: dict[str, Any]) -> SimTask | web.Response:
        image_id = str(body.get("image_id") or "")
        parent = self._image(image_id)
        if parent is None:
            return _error(400, "bad_request", f"The image_id {image_id!r} was not found.")
        if action not in actions_for(parent):
            return _error(400, "bad_request", f"The action {action!r} is not available for this image.")
        prompt = str(body.get("prompt") or "").strip() or parent.prompt
        if refusal := _screen(prompt):
            return refusal
        common: dict[str, Any] = {"action": action, "prompt": prompt, "parent_id": parent.id, "custom_id": action,
                                  "version": parent.version}  # fmt: skip
        if m := re.fullmatch(r"upscale([1-4])", action):
            return self.book.new_task(kind="single", index=int(m[1]), **common)
        if action in HD_UPSCALES:
            return self.book.new_task(kind="single", index=parent.index, upscaled=True, **common)
        if action == "variation_region":
            raw = body.get("mask")
            # AceData takes bare base64: a data: URL is refused like any other non-base64 text.
            mask = sim.decode_png(raw) if isinstance(raw, str) and not raw.startswith("data:") else None
            if mask is None:
                return _error(400, "bad_request", "mask must be the base64 of a PNG image")
            if sim.png_size(mask) != await self.book.image_size(parent):
                return _error(400, "bad_request", "mask must have the same size as the image")
            return self.book.new_task(kind="grid", mask=mask, **common)
        return self.book.new_task(kind="grid", **common)  # variations, re-roll, zoom and pan give grids

    def _own_image(self, url: str) -> SimTask | None:
        """The task whose final image the simulator serves at `url`, if it is one of its own links."""
        m = _OWN_IMAGE.search(url)
        return self.book.tasks.get(m[1]) if m else None

    def _video(self, video_id: str) -> SimTask | None:
        """The finished video task a video_id names."""
        task = self.book.tasks.get(video_id.removesuffix(VIDEO_SUFFIX)) if video_id.endswith(VIDEO_SUFFIX) else None
        if task is None or task.kind != "video" or self.book.status(task)[0] != "SUCCESS":
            return None
        return task

    def _image(self, image_id: str) -> SimTask | None:
        """The finished task an image_id names; preview ids and unfinished tasks name nothing."""
        if not image_id.endswith(FINAL_SUFFIX):
            return None
        task = self.book.tasks.get(image_id.removesuffix(FINAL_SUFFIX))
        if task is None or self.book.status(task)[0] != "SUCCESS":
            return None
        return task

    # -- answers -------------------------------------------------------------------------------
    async def _stream(self, request: web.Request, task: SimTask, origin: str) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": NDJSON})
        await response.prepare(request)
        cut = "sim:cut" in task.prompt
        sent, last = 0, None
        try:
            while True:
                key = self._change_key(task)
                if key != last:
                    line, finished = await self._line(task, origin)
                    await response.write(json.dumps(line).encode() + b"\n")
                    sent, last = sent + 1, key
                    if finished or (cut and sent >= 2):
                        break
                if request.transport is None or request.transport.is_closing() or await self._pause():
                    return response  # the client left or the server stops: no final line
            await response.write_eof()
        except ConnectionError:
            log.debug("AceData stream of task %s: the client went away", task.id)
        return response

    async def _wait(self, task: SimTask, origin: str, limit: float) -> web.Response:
        """The synchronous answer: the final object once the task ends, 504 after `limit` seconds."""
        deadline = time.monotonic() + limit
        while self.book.status(task)[0] not in ("SUCCESS", "FAILURE"):
            if time.monotonic() >= deadline or await self._pause():
                return _error(504, "timeout", "Timeout to generate the image.")
        line, _ = await self._line(task, origin)
        return web.json_response(line, status=200 if line["success"] else 500)

    async def _notify(self, task: SimTask, url: str, origin: str) -> None:
        """POST every state change to `callback_url` (B5), fire and forget."""
        last = None
        while True:
            key = self._change_key(task)
            if key != last:
                last = key
                line, finished = await self._line(task, origin)
                await self._post(url, line)
                if finished:
                    return
            if await self._pause():
                return

    async def _download(self, url: str) -> bytes:
        """An image AceData would fetch itself; empty when it cannot be had."""
        try:
            async with self._client().get(url) as response:
                return await response.read() if response.status == 200 else b""
        except (aiohttp.ClientError, TimeoutError):
            return b""

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        return self._session

    async def _post(self, url: str, body: dict[str, Any]) -> None:
        try:
            async with self._client().post(url, json=body) as response:
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("callback to %s failed: %s", url, type(exc).__name__)

    def _change_key(self, task: SimTask) -> tuple[str, int]:
        """What a new line is sent for: a progress change or the end (not SUBMITTED → IN_PROGRESS at 0%)."""
        status, progress, _ = self.book.status(task)
        return (status if status in ("SUCCESS", "FAILURE") else "pending", progress or 0)

    async def _line(self, task: SimTask, origin: str) -> tuple[dict[str, Any], bool]:
        """The B3 object for the task's state now, and whether it is the last one."""
        status, progress, reason = self.book.status(task)
        if status == "FAILURE":
            error = {"code": "api_error", "message": reason}
            return {"success": False, "task_id": task.id, "error": error, "trace_id": str(uuid.uuid4())}, True
        if status == "SUCCESS" and task.kind == "video":
            width, height = await self.book.image_size(task)
            videos = [f"{origin}/mj/video/{task.id}/{n}.mp4" for n in range(1, task.videos + 1)]
            line = {
                "success": True,
                "task_id": task.id,
                "video_id": task.id + VIDEO_SUFFIX,
                "video_urls": videos,
                "image_url": f"{origin}/mj/image/{task.id}/final.png",
                "image_width": width,
                "image_height": height,
                "progress": 100,
            }
            return line, True
        if status == "SUCCESS":
            width, height = await self.book.image_size(task)
            final = f"{origin}/mj/image/{task.id}/final.png"
            line = {
                "success": True,
                "task_id": task.id,
                "image_id": task.id + FINAL_SUFFIX,
                "image_url": f"{final}?width={width // 2}&height={height // 2}",
                "image_width": width // 2,
                "image_height": height // 2,
                "raw_image_url": final,
                "raw_image_width": width,
                "raw_image_height": height,
                "progress": 100,
                "actions": actions_for(task),
            }
            if task.translated:
                line["prompt"] = task.prompt
            return line, True
        p = progress or 0
        preview = f"{origin}/mj/image/{task.id}/preview.png?p={p}"
        line = {
            "success": True,
            "task_id": task.id,
            "image_id": f"{task.id}{p:03d}",
            "image_url": preview,
            "image_width": 256,
            "image_height": 256,
            "raw_image_url": preview,
            "raw_image_width": 256,
            "raw_image_height": 256,
            "progress": p,
            "actions": [],
        }
        return line, False

    async def _item(self, task: SimTask, origin: str) -> dict[str, Any]:
        """A `/midjourney/tasks` record (B6): `response` only once started, times as float seconds."""
        status, _, _ = self.book.status(task)
        created = time.time() - (time.monotonic() - task.submitted)
        item: dict[str, Any] = {
            "_id": uuid.uuid5(uuid.NAMESPACE_OID, task.id).hex[:24],
            "id": task.id,
            "application_id": "simulator",
            "created_at": round(created, 3),
            "type": "videos" if task.kind == "video" else "edits" if task.action == "edits" else "imagine",
            "request": self.requests.get(task.id, {"action": task.action.lower(), "prompt": task.prompt}),
            "state": "pending",
        }
        if status == "SUBMITTED":
            return item
        item["started_at"] = round(created + QUEUED_SHARE * self.book.duration, 3)
        line, finished = await self._line(task, origin)
        if not finished:
            line.pop("success")  # a record is pending while its response has no `success`
            item["state"] = "generating"
        else:
            item["state"] = "finished" if line["success"] else "failed"
            item["finished_at"] = round(time.time(), 3)
            item["duration"] = round(item["finished_at"] - created, 3)
            if line["success"] and "image_id" in line:
                item["image_id"] = line["image_id"]
        item["response"] = line
        return item

    # -- helpers -------------------------------------------------------------------------------
    def _auth(self, request: web.Request) -> web.Response | None:
        if not self.book.api_key:
            return None
        given = request.headers.get("Authorization", "")
        if not given:
            return _error(401, "no_token", "No token was provided.")
        if given.removeprefix("Bearer ").strip() != self.book.api_key:
            return _error(401, "invalid_token", "The token is invalid.")
        return None

    async def _pause(self) -> bool:
        """Wait one polling step (duration/25); True when the server is stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=self.book.duration / 25)
        return self._stopping.is_set()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)


def _screen(prompt: str) -> web.Response | None:
    if sim.banned_word(prompt):
        return _error(403, "forbidden", MODERATION_MESSAGE)
    if "sim:busy" in prompt.lower():
        return _error(429, "too_many_requests", "Too many requests, please slow down.")
    return None


def _error(status: int, code: str, message: str) -> web.Response:
    body = {"success": False, "error": {"code": code, "message": message}, "trace_id": str(uuid.uuid4())}
    return web.json_response(body, status=status)


def _int(raw: object, default: int) -> int:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0 else default
