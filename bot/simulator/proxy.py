"""The midjourney-proxy dialect of the simulator: `/mj/submit/*`, `/mj/task/*`, as novicezk and trueai-org
answer (codes 1/21/22/23/24/3/4 in `{code, description, result, properties}`), bare and under resellers'
prefixes. `sim:busy` → code 23; a banned word → code 24; `sim:echo-key` → an error quoting the key, as
gateways do; `sim:hold` → accepted, answered only after HOLD_SECONDS.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import re
import time
from typing import Any

from aiohttp import web

from bot.simulator import tasks as sim  # the helpers both dialects share: drawing, checks, texts
from bot.simulator.http import json_body
from bot.simulator.tasks import BLEND_RATIOS, KEYCAPS, SimTask, TaskBook

HOLD_SECONDS = 30.0
PREFIXES = ("", "/v1", "/fast", "/relax", "/turbo", "/mj-fast", "/mj-relax", "/mj-turbo")


class ProxyDialect:
    def __init__(self, book: TaskBook) -> None:
        self.book = book

    def register(self, app: web.Application) -> None:
        # Served bare and under the prefixes resellers use (`/v1`, speed modes).
        for prefix in PREFIXES:
            app.router.add_post(f"{prefix}/mj/submit/imagine", self.submit_imagine)
            app.router.add_post(f"{prefix}/mj/submit/blend", self.submit_blend)
            app.router.add_post(f"{prefix}/mj/submit/describe", self.submit_describe)
            app.router.add_post(f"{prefix}/mj/submit/shorten", self.submit_shorten)
            app.router.add_post(f"{prefix}/mj/submit/action", self.submit_action)
            app.router.add_post(f"{prefix}/mj/submit/modal", self.submit_modal)
            app.router.add_post(f"{prefix}/mj/submit/change", self.submit_change)
            app.router.add_post(f"{prefix}/mj/submit/edits", self.submit_edits)
            app.router.add_post(f"{prefix}/mj/submit/edit", self.submit_edits)
            app.router.add_get(f"{prefix}/mj/task/list", self.list_all)
            app.router.add_get(f"{prefix}/mj/task/{{id}}/fetch", self.fetch)
            app.router.add_post(f"{prefix}/mj/task/list-by-condition", self.list_by_condition)
            app.router.add_post(f"{prefix}/mj/task/{{id}}/cancel", self.cancel)
            app.router.add_get(f"{prefix}/mj/task/{{id}}/image-seed", self.image_seed)

    # -- submits -----------------------------------------------------------------------------
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
        task = self.book.new_task(action="IMAGINE", prompt=prompt, kind="grid", reference_images=images)
        task.state = str(body.get("state") or "")
        task.bot_type = str(body.get("botType") or "MID_JOURNEY")
        task.mode = _mode_of(request.path, body)
        if "sim:hold" in prompt:  # accepted, the answer held back: a client killed meanwhile never learns the id
            await asyncio.sleep(HOLD_SECONDS)
        return _result(1, "提交成功", task.id)

    async def submit_shorten(self, request: web.Request) -> web.Response:
        body = await json_body(request) or {}
        prompt = str(body.get("prompt") or "").strip()
        if not prompt:
            return _result(4, "prompt不能为空")
        if refusal := _screen(prompt):
            return refusal
        task = self.book.new_task(action="SHORTEN", prompt=prompt, kind="grid", descriptions=sim.shorten_texts(prompt))
        task.state = str(body.get("state") or "")
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
        task = self.book.new_task(action="BLEND", prompt=prompt, kind="grid", reference_images=len(images))
        task.state = str(body.get("state") or "")
        return _result(1, "提交成功", task.id)

    async def submit_describe(self, request: web.Request) -> web.Response:
        body = await json_body(request) or {}
        data_url = body.get("base64")
        if _valid_data_url(data_url):
            digest = hashlib.sha256(str(data_url).encode()).hexdigest()[:8]
            name = f"image-{digest}.png"
        elif isinstance(body.get("link"), str) and str(body["link"]).startswith(("http://", "https://")):
            name = sim.url_file_name(str(body["link"]))  # trueai also takes a link
        else:
            return _result(4, "base64格式错误")
        descriptions = sim.describe_texts(name)
        task = self.book.new_task(action="DESCRIBE", prompt="", kind="grid", descriptions=descriptions)
        task.state = str(body.get("state") or "")
        return _result(1, "提交成功", task.id)

    async def submit_action(self, request: web.Request) -> web.Response:
        body = await json_body(request) or {}
        parent = self.book.tasks.get(str(body.get("taskId") or ""))
        custom_id = str(body.get("customId") or "")
        if parent is None:
            return _result(3, "关联任务不存在或已失效", status=404)
        if self.book.status(parent)[0] != "SUCCESS":
            return _result(4, "关联任务状态错误")
        if custom_id not in {b["customId"] for b in self.book.buttons(parent)}:
            return _result(4, "customId 不存在")
        if refusal := _screen(parent.prompt):
            return refusal
        if custom_id.startswith("MJ::BOOKMARK::"):
            # As trueai does: the ❤️ is clicked upstream, no task is made, `result` is the parent.
            parent.bookmarked = True
            return _result(1, "提交成功", parent.id)
        task = self.book.derive(parent, custom_id, remix=body.get("enableRemix") is True)
        task.mode = _mode_of(request.path, body)
        task.state = str(body.get("state") or "")
        if task.modal_pending:
            return _result(
                self.book.modal_code, "Waiting for window confirm", task.id, {"finalPrompt": task.prompt, "remix": True}
            )
        return _result(1, "提交成功", task.id)

    async def submit_change(self, request: web.Request) -> web.Response:
        """The open-source proxy's U/V/🔄: {taskId, action: UPSCALE|VARIATION|REROLL, index}."""
        body = await json_body(request) or {}
        parent = self.book.tasks.get(str(body.get("taskId") or ""))
        action = str(body.get("action") or "").upper()
        if parent is None:
            return _result(3, "关联任务不存在或已失效", status=404)
        if action not in ("UPSCALE", "VARIATION", "REROLL") or self.book.status(parent)[0] != "SUCCESS":
            return _result(4, "action参数错误")
        index = body.get("index") if action != "REROLL" else 0
        if not isinstance(index, int) or (action != "REROLL" and not 1 <= index <= 4):
            return _result(4, "index参数错误")
        verb = {"UPSCALE": "upsample", "VARIATION": "variation", "REROLL": "reroll"}[action]
        task = self.book.derive(parent, f"MJ::JOB::{verb}::{index}::{parent.image_hash}")
        task.mode = _mode_of(request.path, body)
        task.state = str(body.get("state") or "")
        return _result(1, "提交成功", task.id)

    async def submit_edits(self, request: web.Request) -> web.Response:
        """trueai-org's edits: `image` (a data URL) and `prompt` required, `maskBase64` the same size if given."""
        if not self.book.with_edits:
            return web.Response(status=404)  # the open-source proxy has no such route
        body = await json_body(request) or {}
        prompt, image = str(body.get("prompt") or "").strip(), body.get("image")
        if not prompt or not image:
            return _result(4, "image或prompt不能为空")
        if not _valid_data_url(image):
            return _result(4, "base64格式错误")
        size = sim.image_bytes_size(base64.b64decode(str(image).split(",", 1)[1]))
        if size is None:
            return _result(4, "base64格式错误")
        mask = None
        if body.get("maskBase64"):
            mask = sim.decode_png(str(body["maskBase64"]))
            if mask is None or sim.png_size(mask) != size:
                return _result(4, "maskBase64 错误: 需要与原图同样大小的 PNG")
        if refusal := _screen(prompt):
            return refusal
        task = self.book.new_task(action="EDIT", prompt=prompt, kind="grid", reference_images=1, mask=mask)
        task.state = str(body.get("state") or "")
        task.mode = _mode_of(request.path, body)
        return _result(1, "提交成功", task.id)

    async def list_all(self, request: web.Request) -> web.Response:
        """GET /mj/task/list: the latest tasks, newest first (trueai keeps 100)."""
        newest = sorted(self.book.tasks.values(), key=lambda t: t.submitted, reverse=True)[:100]
        return web.json_response([self.task_json(t, request) for t in newest])

    async def submit_modal(self, request: web.Request) -> web.Response:
        body = await json_body(request) or {}
        task = self.book.tasks.get(str(body.get("taskId") or ""))
        if task is None or not task.modal_pending:
            return _result(3, "关联任务不存在或已失效", status=404)
        if body.get("maskBase64"):
            parent = self.book.tasks.get(task.parent_id or "")
            mask = sim.decode_png(str(body["maskBase64"]))
            if mask is None or parent is None or sim.png_size(mask) != await self.book.image_size(parent):
                return _result(4, "maskBase64 错误: 需要与原图同样大小的 PNG")
            task.mask = mask
        prompt = str(body.get("prompt") or "").strip()
        if prompt:
            task.prompt = prompt
        task.mode = _mode_of(request.path, body) or task.mode
        task.modal_pending = False
        task.submitted = time.monotonic()
        return _result(1, "提交成功", task.id)

    async def cancel(self, request: web.Request) -> web.Response:
        """trueai-org's cancel: an empty 200; the task then fails with "取消任务"."""
        task = self.book.tasks.get(request.match_info["id"])
        if task is None:
            return _result(3, "任务不存在", status=404)
        if self.book.status(task)[0] in ("SUCCESS", "FAILURE"):
            return _result(4, "任务状态错误", status=400)
        task.cancelled = True
        return web.Response(status=200)

    # -- queries -------------------------------------------------------------------------------
    async def image_seed(self, request: web.Request) -> web.Response:
        """trueai-org's and new-api's image seed: `result` the seed of a finished task's image."""
        if not self.book.with_seed:
            return web.Response(status=404)  # the open-source proxy has no such route
        task = self.book.tasks.get(request.match_info["id"])
        if task is None:
            return _result(3, "任务不存在", status=404)
        if self.book.status(task)[0] != "SUCCESS":
            return _result(4, "关联任务状态错误", status=400)
        return _result(1, "成功", sim.image_seed(task))

    async def fetch(self, request: web.Request) -> web.Response:
        task = self.book.tasks.get(request.match_info["id"])
        if task is None:
            return web.Response(status=204)  # trueai answers null → 204 for an unknown id
        return web.json_response(self.task_json(task, request))

    async def list_by_condition(self, request: web.Request) -> web.Response:
        body = await json_body(request) or {}
        ids = [str(i) for i in body.get("ids") or []]
        found = [self.task_json(self.book.tasks[i], request) for i in ids if i in self.book.tasks]
        return web.json_response(found)

    def task_json(self, task: SimTask, request: web.Request) -> dict[str, Any]:
        status, progress, reason = self.book.status(task)
        origin = f"{request.scheme}://{request.host}"
        image_url = None
        prompt = task.prompt
        if task.action in ("DESCRIBE", "SHORTEN"):
            # No image of its own; the result is the numbered prompts text (shorten: after its tokens line).
            if status == "SUCCESS":
                prompt = "\n\n".join(f"{k} {d}" for k, d in zip(KEYCAPS, task.descriptions, strict=False))
                if task.action == "SHORTEN":
                    prompt = f"**Important tokens**\n{task.prompt}\n\n**Shortened prompts**\n{prompt}"
        elif status == "SUCCESS":
            image_url = f"{origin}/mj/image/{task.id}/final.png"
        elif status == "IN_PROGRESS" and progress:
            image_url = f"{origin}/mj/image/{task.id}/preview.png?p={progress}"
        # Resellers translate Chinese prompts themselves and report what Midjourney got as `promptEn`.
        prompt_en = prompt if task.action in ("DESCRIBE", "SHORTEN") else sim.simulated_translation(prompt) or prompt
        task_json = {
            "id": task.id,
            "action": task.action,
            "status": status,
            "progress": f"{progress}%" if progress is not None else "",
            "prompt": prompt,
            "promptEn": prompt_en,
            "description": "Submit success" if status == "SUCCESS" else f"/{task.action.lower()} {task.prompt}",
            "state": task.state,
            "submitTime": int(task.submitted * 1000),
            "imageUrl": image_url,
            "failReason": reason or None,
            "buttons": self.book.buttons(task) if status == "SUCCESS" else [],
            "properties": {"finalPrompt": prompt_en, "messageHash": task.image_hash},
        }
        if task.kind == "video" and status == "SUCCESS":  # trueai: the MP4s, and `imageUrl` as their cover
            urls = [f"{origin}/mj/video/{task.id}/{n}.mp4" for n in range(1, task.videos + 1)]
            task_json["videoUrls"] = [{"url": url, "thumbnail": image_url} for url in urls]
            task_json["videoUrl"] = urls[0]
        if not self.book.with_buttons:
            del task_json["buttons"]  # the open-source proxy has no such field
        return task_json


def _result(
    code: int, description: str, result: str | None = None, props: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    body = {"code": code, "description": description, "result": result, "properties": props or {}}
    return web.json_response(body, status=status)


def _screen(prompt: str) -> web.Response | None:
    if word := sim.banned_word(prompt):
        return _result(24, "可能包含敏感词", props={"promptEn": prompt, "bannedWord": word})
    if "sim:busy" in prompt.lower():
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
