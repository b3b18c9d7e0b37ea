"""Client of the midjourney-proxy dialect (`/mj/submit/*`, `/mj/task/*`).

Covers the open-source proxy, trueai-org's fork and new-api resellers (see
shared/reference/upstream-protocols.md, Part A). Every HTTP outcome and submit code becomes either a
`SubmitResult`/`TaskSnapshot` or a `ProviderError` with a message fit for a user.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Sequence
from typing import Any

import httpx

from bot.core import reasons
from bot.core.errors import ErrorKind, ProviderError
from bot.core.errors import clip as _clip
from bot.core.models import (
    BlendRequest,
    EditRequest,
    ImagineRequest,
    JobStatus,
    ReferenceImage,
    SubmitResult,
    TaskSnapshot,
    UpstreamButton,
)
from bot.core.providers.base import SUBMIT_STATE, Capability
from bot.core.text import Text
from bot.core.url_policy import RefusedAddress, redirected

log = logging.getLogger(__name__)

_STATUS = {
    "": JobStatus.QUEUED,
    "NOT_START": JobStatus.QUEUED,
    "SUBMITTED": JobStatus.QUEUED,
    "IN_PROGRESS": JobStatus.RUNNING,
    "MODAL": JobStatus.NEEDS_INPUT,
    "SUCCESS": JobStatus.SUCCEEDED,
    "FAILURE": JobStatus.FAILED,
    "CANCEL": JobStatus.FAILED,
}

# The open-source proxy sends no `buttons[]`: a finished grid gets these, pressed through /mj/submit/change.
_CHANGE = "nz::"
_GRID_ACTIONS = {"IMAGINE", "VARIATION", "REROLL", "BLEND"}
_FIRST_SUBMITS = ("/imagine", "/blend", "/describe", "/edits")


def change_buttons() -> tuple[UpstreamButton, ...]:
    ups = [UpstreamButton(f"{_CHANGE}UPSCALE::{i}", f"U{i}") for i in range(1, 5)]
    reroll = [UpstreamButton(f"{_CHANGE}REROLL::0", "", "🔄")]
    variations = [UpstreamButton(f"{_CHANGE}VARIATION::{i}", f"V{i}") for i in range(1, 5)]
    return (*ups, *reroll, *variations)


def auth_headers(style: str, key: str) -> dict[str, str]:
    """The header that carries the API key, in the form the server expects."""
    if not key:
        return {}
    if style == "mj-api-secret":
        return {"mj-api-secret": key}
    if style == "authorization":
        return {"Authorization": key}
    return {"Authorization": f"Bearer {key}"}


def parse_progress(raw: object) -> int | None:
    """`"46%"`, `46`, `"46"` → 46; `""`, None or nonsense → None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return max(0, min(100, int(raw)))
    if isinstance(raw, str) and (m := re.search(r"(\d{1,3}(?:\.\d+)?)", raw)):
        return max(0, min(100, int(float(m[1]))))
    return None


def parse_task(raw: object) -> TaskSnapshot | None:
    """A proxy Task object → snapshot; None if it is not a task at all."""
    if not isinstance(raw, dict) or raw.get("id") in (None, ""):
        return None
    status_raw = str(raw.get("status") or "").upper()
    status = _STATUS.get(status_raw)
    if status is None:
        log.warning("unknown upstream status %r for task %s; treating it as pending", status_raw, raw["id"])
        status = JobStatus.QUEUED
    buttons_raw = raw.get("buttons")
    if isinstance(buttons_raw, list):
        buttons = tuple(UpstreamButton.from_json(b) for b in buttons_raw if isinstance(b, dict) and b.get("customId"))
    elif status is JobStatus.SUCCEEDED and str(raw.get("action") or "").upper() in _GRID_ACTIONS:
        buttons = change_buttons()  # no `buttons` key at all: the open-source proxy
    else:
        buttons = ()
    props = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}
    image_url = raw.get("imageUrl") or None
    final_prompt = (props or {}).get("finalPrompt") or raw.get("promptEn") or None
    descriptions: tuple[str, ...] = ()
    if str(raw.get("action") or "").upper() in ("DESCRIBE", "SHORTEN") and status is JobStatus.SUCCEEDED:
        descriptions = split_descriptions(str(final_prompt or raw.get("prompt") or ""))
    return TaskSnapshot(
        task_id=str(raw["id"]),
        status=status,
        # Only SUCCESS means done: resellers put "100%" on failures too.
        progress=parse_progress(raw.get("progress")),
        image_url=str(image_url) if image_url else None,
        buttons=buttons,
        fail_reason=str(raw.get("failReason") or "") or None,
        final_prompt=final_prompt,
        action_ref=str(raw["id"]),
        descriptions=descriptions,
        video_urls=video_urls(raw) if status is JobStatus.SUCCEEDED else (),
    )


def video_urls(raw: dict[str, Any]) -> tuple[str, ...]:
    """trueai's `videoUrls: [{url, thumbnail}]`, else its single `videoUrl`."""
    return web_links(raw.get("videoUrls")) or web_links([raw.get("videoUrl")])


def web_links(raw: object) -> tuple[str, ...]:
    """The http(s) links of a list of links or of objects with a `url` (both dialects list videos so)."""
    urls = [v.get("url") if isinstance(v, dict) else v for v in raw] if isinstance(raw, list) else []
    return tuple(u for u in urls if isinstance(u, str) and u.startswith(("http://", "https://")))


_NUMBERED = re.compile(r"(?:^|\n)\s*(?:[1-5]\ufe0f?\u20e3|[1-5][.)])\s*")


def parse_seed(raw: object) -> str | None:
    """A seed as either dialect sends it, `"636646138"` or `636646138` → `"636646138"`; None for anything else."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return str(raw)
    if isinstance(raw, str) and raw.strip().isdecimal() and raw.strip().isascii():
        return raw.strip()
    return None


def split_descriptions(text: str) -> tuple[str, ...]:
    """Midjourney's describe or shorten text `1️⃣ a cat --ar 5:4\n\n2️⃣ ...` → the prompts, numbers stripped."""
    first = _NUMBERED.search(text)
    if first is not None:  # shorten puts "Important tokens" before the numbered prompts
        text = text[first.start() :]
    parts = [p.strip() for p in _NUMBERED.split(text) if p.strip()]
    return tuple(parts[:5])


class ProxyProvider:
    """midjourney-proxy dialect over one shared `httpx.AsyncClient`."""

    name = "proxy"
    capabilities = frozenset({Capability.MODAL, Capability.FIND_BY_STATE, Capability.CANCEL, Capability.SEED})

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        api_key: str = "",
        auth_style: str = "bearer",
        notify_hook: str | None = None,
        mode_in_path: bool = False,
        edits: bool = True,
    ) -> None:
        # `/mj/submit/edits` exists on trueai-org and new-api resellers, not on the open-source proxy: the
        # operator says which (MJ_EDITS), so that /edit is refused at once rather than failing after a charge.
        if edits:
            self.capabilities = self.capabilities | {Capability.EDIT}
        self._client = client
        self._mode_in_path = mode_in_path
        self._base = base_url.rstrip("/")
        self._headers = auth_headers(auth_style, api_key)
        self._notify_hook = notify_hook
        self._batch_supported = True

    async def aclose(self) -> None:
        """The shared client belongs to the caller."""

    # -- submits -----------------------------------------------------------------------------
    async def imagine(self, request: ImagineRequest) -> SubmitResult:
        body: dict[str, Any] = {"prompt": request.prompt, "botType": request.bot_type}
        if request.images:
            body["base64Array"] = [img.data_url() for img in request.images]
        return await self._submit("/mj/submit/imagine", body, request.mode)

    async def blend(self, request: BlendRequest) -> SubmitResult:
        body: dict[str, Any] = {
            "base64Array": [img.data_url() for img in request.images],
            "dimensions": request.dimensions,
            "botType": request.bot_type,
        }
        return await self._submit("/mj/submit/blend", body, request.mode)

    async def describe(self, image: ReferenceImage) -> SubmitResult:
        return await self._submit("/mj/submit/describe", {"base64": image.data_url()}, None)

    async def shorten(self, prompt: str, bot_type: str) -> SubmitResult:
        return await self._submit("/mj/submit/shorten", {"prompt": prompt, "botType": bot_type}, None)

    async def edit(self, request: EditRequest) -> SubmitResult:
        """trueai-org's `/mj/submit/edits` (also `/edit`): the image as a data URL; the mask, when there is one,
        as `maskBase64` like Vary (Region)'s modal (servers without mask support repaint the whole image)."""
        body: dict[str, Any] = {"prompt": request.prompt, "image": request.image.data_url()}
        if request.mask_png is not None:
            body["maskBase64"] = "data:image/png;base64," + base64.b64encode(request.mask_png).decode("ascii")
        return await self._submit("/mj/submit/edits", body, request.mode)

    def takes_prompt(self, custom_id: str) -> bool:
        """The open-source proxy's `/mj/submit/change` has no Remix: its buttons cannot carry a prompt."""
        return not custom_id.startswith(_CHANGE)

    async def action(
        self, parent_ref: str, custom_id: str, mode: str | None = None, *, remix_prompt: str | None = None
    ) -> SubmitResult:
        if custom_id.startswith(_CHANGE):  # no Remix here: the job service refuses a prompt first (takes_prompt)
            verb, index = custom_id.removeprefix(_CHANGE).split("::")
            body: dict[str, Any] = {"taskId": parent_ref, "action": verb}
            if verb != "REROLL":
                body["index"] = int(index)
            return await self._submit("/mj/submit/change", body, mode)
        body = {"taskId": parent_ref, "customId": custom_id}
        if remix_prompt is not None:
            body["enableRemix"] = True  # trueai: a MODAL (code 21) whatever the account's Remix setting
        return await self._submit("/mj/submit/action", body, mode)

    async def modal(
        self, task_id: str, prompt: str, mode: str | None = None, *, mask_png: bytes | None = None
    ) -> SubmitResult:
        body: dict[str, Any] = {"taskId": task_id, "prompt": prompt}
        if mask_png is not None:
            body["maskBase64"] = "data:image/png;base64," + base64.b64encode(mask_png).decode("ascii")
        return await self._submit("/mj/submit/modal", body, mode)

    async def vary_region(
        self, parent_ref: str, custom_id: str, prompt: str, mask_png: bytes, mode: str | None = None
    ) -> SubmitResult:
        # Vary (Region) always opens a modal upstream (code 21); the mask goes with its confirmation.
        opened = await self.action(parent_ref, custom_id, mode)
        if not opened.needs_input:
            return opened
        return await self.modal(opened.task_id, prompt, mode, mask_png=mask_png)

    async def _submit(self, path: str, body: dict[str, Any], mode: str | None) -> SubmitResult:
        if self._notify_hook:
            body["notifyHook"] = self._notify_hook
        if state := SUBMIT_STATE.get():
            body["state"] = state  # finds the task again if the bot dies before it records the answer
        if mode:
            # trueai reads accountFilter.modes; resellers (new-api) drop it and read the path prefix.
            body["accountFilter"] = {"modes": [mode.upper()]}
            if self._mode_in_path:
                path = f"/{mode.lower()}{path}"
        # One attempt only: a submit that may have reached the API must not be paid twice.
        response = await self._request("POST", path, json=body)
        data = self._json(response, path)
        if response.status_code >= 400:
            raise self._http_error(response, data, path)
        if not isinstance(data, dict):
            raise ProviderError(
                ErrorKind.MALFORMED,
                Text("upstream-unreadable"),
                detail=f"{path}: {type(data).__name__}",
            )
        return self._submit_result(data, path)

    def _submit_result(self, data: dict[str, Any], path: str) -> SubmitResult:
        code = data.get("code")
        description = str(data.get("description") or data.get("message") or "")
        props = data.get("properties") if isinstance(data.get("properties"), dict) else {}
        props = props or {}
        first = path.endswith(_FIRST_SUBMITS)
        if data.get("success") is False and code in (None, -1):
            # trueai LogicException: HTTP 200 {"success": false, "code": -1, "message": ...}
            raise _refused(description, Text("upstream-refused"), path)
        if code in (1, 21, 22):
            task_id = _task_id(data.get("result"))
            if task_id is None:
                raise ProviderError(
                    ErrorKind.MALFORMED,
                    Text("upstream-no-task-id"),
                    detail=f"{path}: result={_clip(repr(data.get('result')))}",
                )
            queue = props.get("numberOfQueues")
            # Code 21 once meant "this task exists already" (novicezk, with its status): follow that task.
            existed = code == 21 and isinstance(props.get("status"), str) and props.get("status") != "MODAL"
            return SubmitResult(
                task_id=task_id,
                needs_input=code == 21 and not existed,
                queue_position=queue if isinstance(queue, int) else None,
                final_prompt=props.get("finalPrompt") or None,
            )
        if code == 24:
            word = props.get("bannedWord")
            raise ProviderError(
                ErrorKind.MODERATION, Text("upstream-filter", word=_clip(str(word), 40) if word else "none")
            )
        if code == 23:
            raise ProviderError(ErrorKind.BUSY, Text("upstream-queue-full"))
        if code == 3 and not first:
            raise ProviderError(
                ErrorKind.NOT_FOUND,
                Text("upstream-parent-gone-imagine"),
                detail=_clip(description),
            )
        if code == 9 and not reasons.known(description):
            raise ProviderError(ErrorKind.UNAVAILABLE, Text("upstream-system-error"), detail=_clip(description))
        if code is None:
            raise ProviderError(ErrorKind.MALFORMED, Text("upstream-unreadable"))
        # Code 3 on a first submit is not a lost parent (trueai: "no usable account"); 4 and others: its words.
        raise _refused(description, Text("upstream-refused-code", code=str(code)), path)

    # -- task queries ----------------------------------------------------------------------
    async def fetch(self, task_id: str) -> TaskSnapshot | None:
        path = f"/mj/task/{task_id}/fetch"
        response = await self._request("GET", path)
        if response.status_code in (204, 404) or (response.status_code == 400 and "not" in response.text):
            return None
        if response.status_code >= 400:
            raise self._http_error(response, self._json(response, path, allow_empty=True), path)
        data = self._json(response, path, allow_empty=True)
        return parse_task(data)

    async def fetch_many(self, task_ids: Sequence[str]) -> dict[str, TaskSnapshot]:
        ids = list(dict.fromkeys(task_ids))
        if not ids:
            return {}
        if self._batch_supported:
            path = "/mj/task/list-by-condition"
            response = await self._request("POST", path, json={"ids": ids})
            if response.status_code in (404, 405):
                log.warning("the API has no %s; following tasks one request each", path)
                self._batch_supported = False
            else:
                data = self._json(response, path)
                if response.status_code >= 400:
                    raise self._http_error(response, data, path)
                if not isinstance(data, list):
                    raise ProviderError(
                        ErrorKind.MALFORMED,
                        Text("upstream-unreadable-list"),
                        detail=f"{path}: {type(data).__name__}",
                    )
                wanted = set(ids)
                tasks = (parse_task(item) for item in data)
                return {t.task_id: t for t in tasks if t is not None and t.task_id in wanted}
        found: dict[str, TaskSnapshot] = {}
        for task_id in ids:
            task = await self.fetch(task_id)
            if task is not None:
                found[task.task_id] = task
        return found

    async def cancel(self, task_id: str) -> None:
        """trueai-org's `POST /mj/task/{id}/cancel` (an empty 200); others answer 404, or 400 to non-admins."""
        path = f"/mj/task/{task_id}/cancel"
        response = await self._request("POST", path)
        if response.status_code >= 400:
            raise self._http_error(response, self._json(response, path, allow_empty=True), path)

    async def seed(self, ref: str) -> str | None:
        """trueai-org's and new-api's `GET /mj/task/{id}/image-seed` → `{"code": 1, "result": "636646138"}`.

        None for a 404 (the open-source proxy has no such route; a task the API does not know, code 3) and for
        code 3 at 200. A task not finished (400 "关联任务状态错误") and other refusals raise, without the
        warning a paid request's refusal gets: the seed is a nicety, its caller logs why it went without.
        """
        path = f"/mj/task/{ref}/image-seed"
        response = await self._request("GET", path)
        if response.status_code == 404:
            return None
        data = self._json(response, path, allow_empty=True)
        code = data.get("code") if isinstance(data, dict) else None
        said = _body_text(response, data)
        if response.status_code >= 400 or code not in (None, 1, 3):
            reason = Text("upstream-refused-said", reason=_clip(said)) if said else Text("upstream-refused")
            detail = f"{path}: HTTP {response.status_code}" + (f": {_clip(said, 300)}" if said else "")
            raise ProviderError(ErrorKind.REJECTED, reason, detail=detail, status=response.status_code)
        if code == 3:
            return None
        seed = parse_seed(data.get("result")) if code == 1 else None
        if seed is None:
            raise ProviderError(
                ErrorKind.MALFORMED, Text("upstream-unreadable"), detail=f"{path}: {_clip(response.text, 200)}"
            )
        return seed

    async def find_by_state(self, states: Sequence[str]) -> dict[str, TaskSnapshot]:
        """Tasks submitted with these `state`s (jobs the bot died before recording)."""
        path = "/mj/task/list"
        response = await self._request("GET", path)
        if response.status_code in (404, 405):  # a server of this dialect without the list
            raise ProviderError(ErrorKind.REJECTED, Text("upstream-no-task-list"), detail=f"GET {path}")
        data = self._json(response, path, allow_empty=True)
        if response.status_code >= 400:
            raise self._http_error(response, data, path)
        wanted = set(states)
        found: dict[str, TaskSnapshot] = {}
        for item in data if isinstance(data, list) else []:
            state = item.get("state") if isinstance(item, dict) else None
            task = parse_task(item)
            if isinstance(state, str) and state in wanted and task is not None:
                found[state] = task
        return found

    # -- plumbing ----------------------------------------------------------------------------
    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = self._base + path
        try:
            return await self._client.request(method, url, headers=self._headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ProviderError(ErrorKind.TIMEOUT, Text("upstream-no-answer-in-time"), detail=path) from exc
        except RefusedAddress as exc:
            raise redirected(exc, path) from None
        except httpx.HTTPError as exc:
            raise ProviderError(
                ErrorKind.UNAVAILABLE,
                Text("upstream-unreachable"),
                detail=f"{path}: {type(exc).__name__}",
                unsent=isinstance(exc, httpx.ConnectError),
            ) from exc

    @staticmethod
    def _json(response: httpx.Response, path: str, *, allow_empty: bool = False) -> Any:
        text = response.text.strip()
        if not text or text == "null":
            if allow_empty or response.status_code >= 400:
                return None
            raise ProviderError(
                ErrorKind.MALFORMED,
                Text("upstream-empty"),
                detail=f"{path}: HTTP {response.status_code}",
                status=response.status_code,
            )
        try:
            return json.loads(text)
        except ValueError:
            if response.status_code >= 400:
                return None
            if text.startswith("<"):
                log.warning("the image service answered %s with a web page: %s", path, _clip(text, 300))
                raise ProviderError(
                    ErrorKind.CONFIG,
                    Text("upstream-web-page"),
                    detail=f"{path}: HTTP {response.status_code}, HTML",
                    status=response.status_code,
                ) from None
            raise ProviderError(
                ErrorKind.MALFORMED,
                Text("upstream-unreadable"),
                detail=f"{path}: HTTP {response.status_code}, not JSON",
                status=response.status_code,
            ) from None

    @staticmethod
    def _http_error(response: httpx.Response, data: Any, path: str) -> ProviderError:
        status = response.status_code
        said = _body_text(response, data)
        detail = f"{path}: HTTP {status}" + (f": {_clip(said, 300)}" if said else "")
        log.warning("the image service answered %s", detail)  # the cause, for the admin
        known = reasons.known(said) if said else None
        if known is not None and known[0] is not ErrorKind.TIMEOUT:
            return ProviderError(known[0], known[1], detail=detail, status=status, retry_after=_retry_after(response))
        if status in (401, 403):
            return ProviderError(
                ErrorKind.AUTH,
                Text("upstream-key-refused"),
                detail=detail,
                status=status,
            )
        if status == 429:
            return ProviderError(
                ErrorKind.BUSY,
                Text("upstream-rate-limited"),
                detail=detail,
                status=status,
                retry_after=_retry_after(response),
            )
        if status >= 500:
            return ProviderError(
                ErrorKind.UNAVAILABLE,
                Text("upstream-internal-error", status=status),
                detail=detail,
                status=status,
            )
        if isinstance(data, dict) and (data.get("code") == 3 or (status == 404 and data.get("code") is not None)):
            if path.endswith(_FIRST_SUBMITS):
                return _refused(said, Text("upstream-cannot-take"), path, status=status)
            return ProviderError(
                ErrorKind.NOT_FOUND,
                Text("upstream-parent-gone"),
                detail=detail,
                status=status,
            )
        if said and isinstance(data, dict):
            return _refused(said, Text("upstream-refused"), path, status=status)
        if status == 404:
            return ProviderError(
                ErrorKind.CONFIG,
                Text("upstream-no-endpoint"),
                detail=detail,
                status=status,
            )
        return ProviderError(
            ErrorKind.REJECTED, Text("upstream-refused-status", status=status), detail=detail, status=status
        )


def _refused(said: str, fallback: Text, path: str, *, status: int | None = None) -> ProviderError:
    kind, text = reasons.refusal_message(said, fallback)
    return ProviderError(kind, text, detail=f"{path}: {_clip(said, 300)}", status=status)


def _body_text(response: httpx.Response, data: Any) -> str:
    """What an error body says: the proxy's description, a gateway's error.message, a page's title, or text."""
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        for key in ("description", "message", "error", "detail"):
            if isinstance(data.get(key), str) and data[key].strip():
                return str(data[key])
        return ""
    text = response.text.strip()
    if m := re.search(r"<title>(.*?)</title>", text, re.I | re.S):
        return m[1].strip()
    return "" if text.startswith("<") else text


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def _task_id(result: object) -> str | None:
    """`result` comes as a string, a number, or (upload endpoints) a list."""
    if isinstance(result, bool) or result is None:
        return None
    if isinstance(result, int):
        return str(result)
    if isinstance(result, float) and result.is_integer():
        return str(int(result))
    if isinstance(result, str) and result.strip():
        return result.strip()
    return None
