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

from bot.core.errors import ErrorKind, ProviderError
from bot.core.errors import clip as _clip
from bot.core.models import (
    BlendRequest,
    ImagineRequest,
    JobStatus,
    ReferenceImage,
    SubmitResult,
    TaskSnapshot,
    UpstreamButton,
)

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

_MODERATION_HINTS = ("banned prompt", "敏感词", "moderat", "违规", "community standards", "output filter")
_QUEUE_FULL_HINTS = ("队列已满", "queue full", "queue is full", "并发数已达上限", "队列数已达上限")


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
    buttons_raw = raw.get("buttons") or []
    buttons = tuple(UpstreamButton.from_json(b) for b in buttons_raw if isinstance(b, dict) and b.get("customId"))
    props = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}
    image_url = raw.get("imageUrl") or None
    final_prompt = (props or {}).get("finalPrompt") or raw.get("promptEn") or None
    descriptions: tuple[str, ...] = ()
    if str(raw.get("action") or "").upper() == "DESCRIBE" and status is JobStatus.SUCCEEDED:
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
    )


_NUMBERED = re.compile(r"(?:^|\n)\s*(?:[1-4]\ufe0f?\u20e3|[1-4][.)])\s*")


def split_descriptions(text: str) -> tuple[str, ...]:
    """Midjourney's describe text `1️⃣ a cat --ar 5:4\n\n2️⃣ ...` → the prompts, numbers stripped."""
    parts = [p.strip() for p in _NUMBERED.split(text) if p.strip()]
    return tuple(parts[:4])


def failure_message(reason: str | None) -> tuple[ErrorKind, str]:
    """A failed task's reason → (kind, message for the user)."""
    text = (reason or "").strip()
    low = text.lower()
    if any(h in low for h in _MODERATION_HINTS):
        return ErrorKind.MODERATION, "Midjourney's moderation refused this prompt. Try different wording."
    if "超时" in text or "timeout" in low or "timed out" in low:
        return ErrorKind.TIMEOUT, "The image service gave up on this job (it timed out upstream). Try again."
    if text:
        return ErrorKind.FAILED, f"The image service could not finish this job: {_clip(text)}"
    return ErrorKind.FAILED, "The image service could not finish this job and gave no reason."


class ProxyProvider:
    """midjourney-proxy dialect over one shared `httpx.AsyncClient`."""

    name = "proxy"

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        api_key: str = "",
        auth_style: str = "bearer",
        notify_hook: str | None = None,
        mode_in_path: bool = False,
    ) -> None:
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

    async def action(self, parent_ref: str, custom_id: str, mode: str | None = None) -> SubmitResult:
        return await self._submit("/mj/submit/action", {"taskId": parent_ref, "customId": custom_id}, mode)

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
                "The image service sent an answer the bot could not read.",
                detail=f"{path}: {type(data).__name__}",
            )
        return self._submit_result(data, path)

    def _submit_result(self, data: dict[str, Any], path: str) -> SubmitResult:
        code = data.get("code")
        description = _clip(str(data.get("description") or data.get("message") or ""))
        props = data.get("properties") if isinstance(data.get("properties"), dict) else {}
        props = props or {}
        if data.get("success") is False and code in (None, -1):
            # trueai LogicException: HTTP 200 {"success": false, "code": -1, "message": ...}
            if any(h in description for h in _QUEUE_FULL_HINTS):
                raise ProviderError(ErrorKind.BUSY, "The image service is at its limit right now. Try again soon.")
            raise ProviderError(ErrorKind.REJECTED, f"The image service refused the request: {description}")
        if code in (1, 21, 22):
            task_id = _task_id(data.get("result"))
            if task_id is None:
                raise ProviderError(
                    ErrorKind.MALFORMED,
                    "The image service accepted the request but sent no task id.",
                    detail=f"{path}: result={data.get('result')!r}",
                )
            queue = props.get("numberOfQueues")
            return SubmitResult(
                task_id=task_id,
                needs_input=code == 21,
                queue_position=queue if isinstance(queue, int) else None,
                final_prompt=props.get("finalPrompt") or None,
            )
        if code == 24:
            word = props.get("bannedWord")
            extra = f" (banned word: {word})" if word else ""
            raise ProviderError(ErrorKind.MODERATION, f"Your prompt was refused by the image service's filter{extra}.")
        if code == 23 or (code == 9 and any(h in description for h in _QUEUE_FULL_HINTS)):
            raise ProviderError(ErrorKind.BUSY, "The image service's queue is full. Try again in a minute.")
        if code == 3:
            raise ProviderError(
                ErrorKind.NOT_FOUND,
                "The image service no longer knows the original job (it may have expired). Start a new /imagine.",
                detail=description,
            )
        if code == 9:
            raise ProviderError(ErrorKind.UNAVAILABLE, "The image service had a system error. Try again later.")
        if code == 4:
            raise ProviderError(ErrorKind.REJECTED, f"The image service refused the request: {description}")
        if code is None:
            raise ProviderError(ErrorKind.MALFORMED, "The image service sent an answer the bot could not read.")
        raise ProviderError(ErrorKind.REJECTED, f"The image service refused the request (code {code}): {description}")

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
                        "The image service sent a task list the bot could not read.",
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

    # -- plumbing ----------------------------------------------------------------------------
    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = self._base + path
        try:
            return await self._client.request(method, url, headers=self._headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ProviderError(
                ErrorKind.TIMEOUT, "The image service did not answer in time. Try again in a moment.", detail=path
            ) from exc
        except httpx.HTTPError as exc:
            raise ProviderError(
                ErrorKind.UNAVAILABLE,
                "The image service cannot be reached right now. Try again later.",
                detail=f"{path}: {type(exc).__name__}",
            ) from exc

    @staticmethod
    def _json(response: httpx.Response, path: str, *, allow_empty: bool = False) -> Any:
        text = response.text.strip()
        if not text or text == "null":
            if allow_empty or response.status_code >= 400:
                return None
            raise ProviderError(
                ErrorKind.MALFORMED,
                "The image service sent an empty answer.",
                detail=f"{path}: HTTP {response.status_code}",
                status=response.status_code,
            )
        try:
            return json.loads(text)
        except ValueError:
            if response.status_code >= 400:
                return None
            raise ProviderError(
                ErrorKind.MALFORMED,
                "The image service sent an answer the bot could not read.",
                detail=f"{path}: HTTP {response.status_code}, not JSON",
                status=response.status_code,
            ) from None

    @staticmethod
    def _http_error(response: httpx.Response, data: Any, path: str) -> ProviderError:
        status = response.status_code
        detail = f"{path}: HTTP {status}"
        if status in (401, 403):
            return ProviderError(
                ErrorKind.AUTH,
                "The image service refused the bot's API key. A server admin needs to check MJ_API_KEY.",
                detail=detail,
                status=status,
            )
        if status == 429:
            return ProviderError(
                ErrorKind.BUSY, "The image service is rate limiting the bot. Try again in a minute.", status=status
            )
        if status >= 500:
            return ProviderError(
                ErrorKind.UNAVAILABLE,
                f"The image service had an internal error (HTTP {status}). Try again later.",
                detail=detail,
                status=status,
            )
        if isinstance(data, dict):
            if data.get("code") == 3 or (status == 404 and data.get("code") is not None):
                return ProviderError(
                    ErrorKind.NOT_FOUND,
                    "The image service no longer knows the original job (it may have expired).",
                    detail=detail,
                    status=status,
                )
            text = _clip(str(data.get("description") or data.get("message") or ""))
            if text:
                return ProviderError(
                    ErrorKind.REJECTED, f"The image service refused the request: {text}", detail=detail, status=status
                )
        if status == 404:
            return ProviderError(
                ErrorKind.REJECTED,
                "The image service does not offer this endpoint. A server admin needs to check MJ_API_BASE.",
                detail=detail,
                status=status,
            )
        return ProviderError(
            ErrorKind.REJECTED, f"The image service refused the request (HTTP {status}).", detail=detail, status=status
        )


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
