"""Client of the AceData Cloud dialect (`/midjourney/imagine`, `/midjourney/tasks`, `/midjourney/describe`).

See shared/reference/upstream-protocols.md, Part B. Every action goes through `/midjourney/imagine`
with an action name and the `image_id` of the image acted on; there is no modal step. Submits are
streamed as ndjson by default: the first line carries the task id, the rest become
`SubmitResult.updates`. Every HTTP outcome becomes a snapshot or a `ProviderError` fit for a user.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import httpx

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
from bot.core.pricing import parameters
from bot.core.providers.base import Capability
from bot.core.providers.proxy import parse_progress, parse_seed, web_links
from bot.core.reasons import MODERATION_MESSAGE
from bot.core.text import Text
from bot.core.url_policy import RefusedAddress, redirected

log = logging.getLogger(__name__)

NDJSON = "application/x-ndjson"
IMAGINE, VIDEOS = "/midjourney/imagine", "/midjourney/videos"
# Midjourney's standard definition: four files that fit Discord's upload limit far more often than 720p.
VIDEO_RESOLUTION = "480p"
_MOTION_FLAG = re.compile(r"\s--motion\s+\S+")
BATCH_LIMIT = 50  # ids per /midjourney/tasks retrieve_batch request
# Seconds a stream may stay silent before it is given up (the job service then polls). Queued
# jobs can wait a while before their first progress line, so this is longer than a plain request.
STREAM_READ_TIMEOUT = 180.0

_FAILED_STATES = ("failed", "error", "cancelled", "canceled")
_BLEND_RATIO = {"PORTRAIT": "2:3", "SQUARE": "1:1", "LANDSCAPE": "3:2"}
_VERSION_FLAG = re.compile(r"(?:^|\s)--(?:niji|v|version)(?:\s|$)")

_KEY_MESSAGE = Text("upstream-key-refused")
_AUTH_MESSAGES: dict[str | None, Text] = {
    "token_expired": Text("upstream-key-expired"),
    "no_token": Text("upstream-key-missing"),
    "disabled": Text("upstream-account-disabled"),
}
_CREDIT_MESSAGE = Text("upstream-out-of-credit")


def parse_response(raw: object, task_id: str | None = None, *, state: str | None = None) -> TaskSnapshot | None:
    """A B3 response object (stream line, callback body, a task item's `response`) → snapshot.

    `task_id` stands in when the object carries none; `state` is a task item's own state, if any.
    None when there is no task id at all.
    """
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    tid = str(data.get("task_id") or task_id or "")
    if not tid:
        return None
    success = data.get("success")
    progress = parse_progress(data.get("progress"))
    if success is False or str(state or "").lower() in _FAILED_STATES:
        return TaskSnapshot(
            tid, JobStatus.FAILED, progress=progress, fail_reason=_fail_reason(data), fail_kind=_fail_kind(data)
        )
    raw_actions = data.get("actions")
    actions = [a for a in raw_actions if isinstance(a, str) and a] if isinstance(raw_actions, list) else []
    # Intermediate stream lines say success:true too; only a line with actions (or a finished
    # result that offers none, at 100%) is the end. Their image_id is a throwaway preview id.
    if success is True and (actions or progress == 100):
        image = data.get("raw_image_url") or data.get("image_url")
        videos = web_links(data.get("video_urls"))
        # A video is extended by its video_id, an image acted on by its image_id.
        ref = data.get("video_id") if videos else data.get("image_id")
        # Not in AceData's documented answer: taken when a service reports the (translated) prompt it used.
        used = data.get("prompt")
        return TaskSnapshot(
            tid,
            JobStatus.SUCCEEDED,
            progress=100,
            image_url=str(image) if image else None,
            buttons=tuple(UpstreamButton(custom_id=a) for a in actions),
            action_ref=str(ref) if ref not in (None, "") else None,
            video_urls=videos,
            final_prompt=used.strip() if isinstance(used, str) and used.strip() else None,
        )
    preview = data.get("image_url") or None
    return TaskSnapshot(
        tid,
        JobStatus.RUNNING if progress else JobStatus.QUEUED,
        progress=progress,
        image_url=str(preview) if preview else None,
    )


def parse_task_item(item: object) -> TaskSnapshot | None:
    """A `/midjourney/tasks` item (`{"id", "response"?, "state"?...}`) → snapshot; None if not a task."""
    if not isinstance(item, dict) or item.get("id") in (None, ""):
        return None
    response = item.get("response")
    state = item.get("state") if isinstance(item.get("state"), str) else None
    # Pending while `response` is missing or has no `success` (B6); the item's id is authoritative.
    snap = parse_response(response if isinstance(response, dict) else {}, str(item["id"]), state=state)
    if snap is not None and snap.task_id != str(item["id"]):
        snap = dataclasses.replace(snap, task_id=str(item["id"]))
    return snap


def parse_callback(body: object) -> TaskSnapshot | None:
    """A `callback_url` POST body (the B3 object including `task_id`) → snapshot, None if it is not one."""
    if not isinstance(body, dict) or not body.get("task_id"):
        return None
    return parse_response(body)


def _error_of(data: object) -> tuple[str, str]:
    """(`error.code`, `error.message`) of an AceData error body; empty strings when absent."""
    if not isinstance(data, dict):
        return "", ""
    error = data.get("error")
    if isinstance(error, dict):
        return str(error.get("code") or ""), str(error.get("message") or "")
    return str(data.get("code") or ""), str(data.get("message") or data.get("detail") or "")


def _fail_reason(data: dict[str, Any]) -> str:
    code, message = _error_of(data)
    return message or code or "the task failed upstream"


def _fail_kind(data: dict[str, Any]) -> ErrorKind | None:
    """AceData says `forbidden` for its moderation, whatever the message."""
    return ErrorKind.MODERATION if _error_of(data)[0] == "forbidden" else None


class AceDataProvider:
    """AceData Cloud dialect over one shared `httpx.AsyncClient`."""

    name = "acedata"
    # No modal step (Remix and Custom Zoom go in one call), and no `state` to search by: the task id comes
    # on the first line of the answer. Videos and edits have their own endpoints.
    capabilities: frozenset[Capability] = frozenset({Capability.VIDEO, Capability.EDIT, Capability.SEED})

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str = "https://api.acedata.cloud",
        *,
        api_key: str = "",
        callback_url: str | None = None,
        stream: bool = True,
        mode: str | None = None,
        max_streams: int = 8,
        stream_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._client = client
        # Streams hold a connection for a whole job: at most `max_streams`, on their own pool, so that
        # submits, polls and downloads never wait behind them; beyond that jobs are followed by polling.
        self._stream_client = stream_client or client
        self._max_streams = max_streams
        self.open_streams = 0
        self.peak_streams = 0
        self._base = base_url.rstrip("/")
        # Per request, never on the shared client: it also downloads images from other hosts.
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._callback_url = callback_url
        self._stream = stream
        self._mode = mode

    async def aclose(self) -> None:
        """The shared client belongs to the caller."""

    # -- submits -----------------------------------------------------------------------------
    async def imagine(self, request: ImagineRequest) -> SubmitResult:
        urls = [self._image_url(img) for img in request.images]
        text, fields = version_fields(request.prompt.strip(), request.bot_type)
        prompt = " ".join([*urls, text])
        body: dict[str, Any] = {"action": "generate", "prompt": self._with_bot(prompt, request.bot_type), **fields}
        if request.translate:
            body["translation"] = True
        return await self._submit(body, request.mode)

    async def edit(self, request: EditRequest) -> SubmitResult:
        """`/midjourney/edits`: the image by its link, the mask as bare base64 (white = repaint); always
        asynchronous (a task id, then followed like imagine), as AceData's guide shows it."""
        body: dict[str, Any] = {
            "action": "generate",
            "prompt": request.prompt.strip(),
            "image_url": self._image_url(request.image),
        }
        if request.mask_png is not None:
            body["mask"] = base64.b64encode(request.mask_png).decode("ascii")
        return await self._submit(body, request.mode, path="/midjourney/edits", stream=False)

    async def blend(self, request: BlendRequest) -> SubmitResult:
        if not 2 <= len(request.images) <= 5:
            raise ProviderError(ErrorKind.REJECTED, Text("blend-count"))
        urls = [self._image_url(img) for img in request.images]
        ratio = _BLEND_RATIO.get(request.dimensions.upper(), "1:1")
        prompt = self._with_bot(" ".join([*urls, f"--ar {ratio}"]), request.bot_type)
        return await self._submit({"action": "generate", "prompt": prompt}, request.mode)

    async def describe(self, image: ReferenceImage) -> SubmitResult:
        """`{"descriptions": [4 prompts]}` at once."""
        path = "/midjourney/describe"
        data = await self._post_sync(path, {"image_url": self._image_url(image)})
        return _final_texts("describe", data, "descriptions", 4, path)

    async def shorten(self, prompt: str, bot_type: str) -> SubmitResult:
        """`{"prompts": [up to 5]}` at once."""
        path = "/midjourney/shorten"
        data = await self._post_sync(path, {"prompt": self._with_bot(prompt, bot_type)})
        return _final_texts("shorten", data, "prompts", 5, path)

    async def action(
        self, parent_ref: str, custom_id: str, mode: str | None = None, *, remix_prompt: str | None = None
    ) -> SubmitResult:
        body: dict[str, Any] = {"action": custom_id, "image_id": parent_ref}
        if remix_prompt is not None:
            # No modal step here: the Remix prompt goes with the action, as `prompt` goes with variation_region.
            body["prompt"] = remix_prompt
        return await self._submit(body, mode)

    async def vary_region(
        self, parent_ref: str, custom_id: str, prompt: str, mask_png: bytes, mode: str | None = None
    ) -> SubmitResult:
        # One call with the mask (white = repaint); AceData has no modal step.
        body: dict[str, Any] = {
            "action": "variation_region",
            "image_id": parent_ref,
            "mask": base64.b64encode(mask_png).decode("ascii"),
        }
        if prompt.strip():
            body["prompt"] = prompt.strip()
        return await self._submit(body, mode)

    async def animate(self, image_url: str, prompt: str, motion: str, mode: str | None = None) -> SubmitResult:
        body = {
            "action": "generate",
            "prompt": _with_motion(prompt, motion),
            "image_url": image_url,
            "resolution": VIDEO_RESOLUTION,
            "loop": False,
        }
        return await self._submit(body, _video_mode(mode or self._mode), VIDEOS)

    async def extend(self, video_ref: str, prompt: str, motion: str, mode: str | None = None) -> SubmitResult:
        # The first of the four videos: the bot offers one Extend pair per result, not one per video.
        body = {"action": "extend", "prompt": _with_motion(prompt, motion), "video_id": video_ref, "video_index": 0}
        return await self._submit(body, _video_mode(mode or self._mode), VIDEOS)

    @staticmethod
    def _image_url(image: ReferenceImage) -> str:
        if not image.url:
            raise ProviderError(
                ErrorKind.REJECTED,
                Text("upstream-needs-image-links"),
            )
        return image.url

    @staticmethod
    def _with_bot(prompt: str, bot_type: str) -> str:
        if bot_type == "NIJI_JOURNEY" and not _VERSION_FLAG.search(prompt):
            return f"{prompt} --niji"
        return prompt

    async def _submit(
        self, body: dict[str, Any], mode: str | None, path: str = IMAGINE, *, stream: bool = True
    ) -> SubmitResult:
        if mode or self._mode:
            body["mode"] = (mode or self._mode or "").lower()
        if self._callback_url:
            body["callback_url"] = self._callback_url
        if stream and self._stream and self.open_streams < self._max_streams:
            return await self._submit_streamed(path, body)
        body["async"] = True
        # One attempt only: a submit that may have reached the API must not be paid twice.
        response = await self._request(path, body)
        data = self._json(response, path)
        if response.status_code != 200:
            raise self._error(response.status_code, data, path)
        if not isinstance(data, dict):
            raise ProviderError(ErrorKind.MALFORMED, Text("upstream-unreadable"), detail=path)
        if data.get("success") is False:
            raise self._error(None, data, path)
        task_id = data.get("task_id")
        if not isinstance(task_id, str | int) or isinstance(task_id, bool) or not str(task_id).strip():
            raise ProviderError(ErrorKind.MALFORMED, Text("upstream-no-task-id"), detail=path)
        snapshot = parse_response(data) if "success" in data else None
        return SubmitResult(str(task_id).strip(), snapshot=snapshot)

    async def _submit_streamed(self, path: str, body: dict[str, Any]) -> SubmitResult:
        headers = {**self._headers, "accept": NDJSON}
        client = self._stream_client
        timeout = client.timeout
        timeout = httpx.Timeout(timeout.connect, read=STREAM_READ_TIMEOUT, write=timeout.write, pool=timeout.pool)
        request = client.build_request("POST", self._base + path, json=body, headers=headers, timeout=timeout)
        self.open_streams += 1
        self.peak_streams = max(self.peak_streams, self.open_streams)
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            self._release_stream()
            raise self._transport_error(exc, path) from exc
        try:
            if response.status_code != 200:
                await response.aread()
                raise self._error(response.status_code, self._json(response, path), path)
            lines = response.aiter_lines()
            first = await self._first_line(lines, path)
            if first.get("success") is False:
                raise self._error(None, first, path)
            snapshot = parse_response(first)
            if snapshot is None:
                raise ProviderError(ErrorKind.MALFORMED, Text("upstream-no-task-id"), detail=path)
        except BaseException:
            self._release_stream()
            await response.aclose()
            raise
        if snapshot.status.finished:
            self._release_stream()
            await response.aclose()
            return SubmitResult(snapshot.task_id, snapshot=snapshot)
        updates = _Updates(response, lines, snapshot.task_id, self._release_stream)
        return SubmitResult(snapshot.task_id, snapshot=snapshot, updates=updates)

    def _release_stream(self) -> None:
        self.open_streams -= 1

    async def _first_line(self, lines: AsyncIterator[str], path: str) -> dict[str, Any]:
        unreadable = ProviderError(ErrorKind.MALFORMED, Text("upstream-unreadable"), detail=f"{path}: stream")
        try:
            async for line in lines:
                if not line.strip():
                    continue
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise unreadable
                return data
        except ValueError:
            raise unreadable from None
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, path) from exc
        raise ProviderError(ErrorKind.MALFORMED, Text("upstream-empty"), detail=f"{path}: stream")

    # -- task queries ----------------------------------------------------------------------
    async def fetch_many(self, task_ids: Sequence[str]) -> dict[str, TaskSnapshot]:
        # Describe results are ours (see describe()): the API has no task for them.
        ids = [t for t in dict.fromkeys(task_ids) if not t.startswith(("describe-", "shorten-"))]
        path = "/midjourney/tasks"
        found: dict[str, TaskSnapshot] = {}
        for start in range(0, len(ids), BATCH_LIMIT):
            chunk = ids[start : start + BATCH_LIMIT]
            body = {"action": "retrieve_batch", "ids": chunk, "offset": 0, "limit": len(chunk)}
            response = await self._request(path, body)
            data = self._json(response, path)
            if response.status_code != 200:
                raise self._error(response.status_code, data, path)
            items = data.get("items") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise ProviderError(
                    ErrorKind.MALFORMED,
                    Text("upstream-unreadable-list"),
                    detail=f"{path}: {type(data).__name__}",
                )
            wanted = set(chunk)
            for item in items:
                snap = parse_task_item(item)
                if snap is not None and snap.task_id in wanted:
                    found[snap.task_id] = snap
        return found

    async def seed(self, ref: str) -> str | None:
        """`POST /midjourney/seed {"image_id"}` → `{"seed": "…"}`; None for a 404 (no such route or image)."""
        path = "/midjourney/seed"
        data = await self._post_sync(path, {"image_id": ref}, none_if_missing=True)
        if data is None:
            return None
        seed = parse_seed(data.get("seed")) if isinstance(data, dict) else None
        if seed is None:
            raise ProviderError(ErrorKind.MALFORMED, Text("upstream-unreadable"), detail=f"{path}: no seed")
        return seed

    # -- plumbing ----------------------------------------------------------------------------
    async def _post_sync(self, path: str, body: dict[str, Any], *, none_if_missing: bool = False) -> Any:
        """The answer of an endpoint that answers at once (describe, shorten, seed); refusals raise.
        `none_if_missing`: a 404 (no such route or image) is None instead of a refusal."""
        response = await self._request(path, body)
        if response.status_code == 404 and none_if_missing:
            return None
        data = self._json(response, path)
        if response.status_code != 200:
            raise self._error(response.status_code, data, path)
        if isinstance(data, dict) and data.get("success") is False:
            raise self._error(None, data, path)
        return data

    async def _request(self, path: str, body: dict[str, Any]) -> httpx.Response:
        try:
            return await self._client.post(self._base + path, json=body, headers=self._headers)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, path) from exc

    @staticmethod
    def _transport_error(exc: httpx.HTTPError, path: str) -> ProviderError:
        if isinstance(exc, httpx.TimeoutException):
            return ProviderError(ErrorKind.TIMEOUT, Text("upstream-no-answer-in-time"), detail=path)
        if isinstance(exc, RefusedAddress):
            return redirected(exc, path)
        return ProviderError(
            ErrorKind.UNAVAILABLE,
            Text("upstream-unreachable"),
            detail=f"{path}: {type(exc).__name__}",
            unsent=isinstance(exc, httpx.ConnectError),
        )

    @staticmethod
    def _json(response: httpx.Response, path: str) -> Any:
        """The body as JSON; None for an unreadable error body; MALFORMED for an unreadable success."""
        text = response.text.strip()
        ok = response.status_code == 200
        if not text:
            if ok:
                raise ProviderError(ErrorKind.MALFORMED, Text("upstream-empty"), detail=path, status=200)
            return None
        try:
            return json.loads(text)
        except ValueError:
            if not ok:
                return None
            raise ProviderError(
                ErrorKind.MALFORMED,
                Text("upstream-unreadable"),
                detail=f"{path}: HTTP 200, not JSON",
                status=200,
            ) from None

    def _error(self, status: int | None, data: object, path: str) -> ProviderError:
        """An HTTP status (None for a `success:false` line in a 200 answer) and error body → ProviderError."""
        code, message = _error_of(data)
        # The API's own text, without anything that would show where the API lives.
        message = _clip(message.replace(self._base, "the image service"))
        detail = f"{path}: HTTP {status}" + (f" {code}" if code else "")

        def err(kind: ErrorKind, text: Text) -> ProviderError:
            return ProviderError(kind, text, detail=detail, status=status)

        if status == 401 or code in ("invalid_token", "token_expired", "no_token"):
            return err(ErrorKind.AUTH, _AUTH_MESSAGES.get(code, _KEY_MESSAGE))
        if code == "forbidden":
            return err(ErrorKind.MODERATION, MODERATION_MESSAGE)
        if code == "used_up":
            return err(ErrorKind.REJECTED, _CREDIT_MESSAGE)
        if code == "disabled":
            return err(ErrorKind.AUTH, _AUTH_MESSAGES["disabled"])
        if status == 429 or code == "too_many_requests":
            return err(ErrorKind.BUSY, Text("upstream-rate-limited"))
        if status == 504 or code == "timeout":
            return err(ErrorKind.TIMEOUT, Text("upstream-job-timed-out"))
        if (status is not None and status >= 500) or code == "api_error":
            return err(ErrorKind.UNAVAILABLE, Text("upstream-internal-error", status=status or 0))
        if status == 403:
            return err(ErrorKind.AUTH, _KEY_MESSAGE)
        if message:
            return err(ErrorKind.REJECTED, Text("upstream-refused-said", reason=message))
        if status == 404:
            return err(
                ErrorKind.REJECTED,
                Text("upstream-no-endpoint"),
            )
        if status:
            return err(ErrorKind.REJECTED, Text("upstream-refused-status", status=status))
        return err(ErrorKind.REJECTED, Text("upstream-refused-code", code=code) if code else Text("upstream-refused"))


_FIELD_FLAGS = re.compile(r"(?:^|\s)--(v|version|q|quality)\s+(\S+)|(?:^|\s)--(hd)(?=\s|$)")
_QUALITIES = {"0.25": ".25", "0.5": ".5"}


def version_fields(prompt: str, bot_type: str = "MID_JOURNEY") -> tuple[str, dict[str, Any]]:
    """AceData's own fields for what the prompt says with flags: `--v` → `version`, `--hd` → `hd`, `--q` →
    `quality` (taken out of the prompt); `--sref` and moodboards (`--profile`) stay in it and set their
    billing flags `style_reference` and `moodboard`. Niji prompts go as written (their versions are Niji's)."""
    fields: dict[str, Any] = {}
    if bot_type == "NIJI_JOURNEY":
        return prompt, fields

    def lift(m: re.Match[str]) -> str:
        if m[3]:
            fields["hd"] = True
        elif m[1] in ("v", "version"):
            fields["version"] = m[2]
        else:
            fields["quality"] = _QUALITIES.get(m[2], m[2])
        return ""

    text = " ".join(_FIELD_FLAGS.sub(lift, prompt).split())
    params = parameters(text)
    if "sref" in params:
        fields["style_reference"] = True
    if "profile" in params:
        fields["moodboard"] = True
    return text, fields


def _with_motion(prompt: str, motion: str) -> str:
    return f"{_MOTION_FLAG.sub('', ' ' + prompt).strip()} --motion {motion}"


def _video_mode(mode: str | None) -> str | None:
    """AceData makes no video in relax mode: such a job goes at fast, the API's default."""
    return "fast" if mode and mode.lower() == "relax" else mode


class _Updates:
    """The rest of an ndjson submit stream as snapshots; owns the open response and always closes it.

    A broken stream (connection lost, unreadable line, end without a final line) just ends the
    iteration with a warning: the task may well go on upstream, and the job service polls for it.
    """

    def __init__(
        self, response: httpx.Response, lines: AsyncIterator[str], task_id: str, release: Callable[[], None]
    ) -> None:
        self._response = response
        self._lines = lines
        self._task_id = task_id
        self._release = release  # gives the provider its stream slot back, once
        self._closed = False

    def __aiter__(self) -> _Updates:
        return self

    async def __anext__(self) -> TaskSnapshot:
        if self._closed:
            raise StopAsyncIteration
        try:
            snapshot = await self._next_snapshot()
        except BaseException:
            await self.aclose()
            raise
        if snapshot is None:
            await self.aclose()
            raise StopAsyncIteration
        if snapshot.status.finished:
            await self.aclose()  # nothing comes after the final line
        return snapshot

    async def _next_snapshot(self) -> TaskSnapshot | None:
        try:
            async for line in self._lines:
                if not line.strip():
                    continue
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise ValueError("not an object")
                return parse_response(data, self._task_id)
        except ValueError:
            log.warning("AceData stream of task %s sent an unreadable line; polling instead", self._task_id)
            return None
        except (httpx.HTTPError, httpx.StreamError) as exc:
            log.warning("AceData stream of task %s broke (%s); polling instead", self._task_id, type(exc).__name__)
            return None
        log.warning("AceData stream of task %s ended before the task did; polling instead", self._task_id)
        return None

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._release()
        closer = getattr(self._lines, "aclose", None)
        try:
            if closer is not None:
                await closer()
        finally:
            await self._response.aclose()

    @property
    def closed(self) -> bool:
        return self._closed


def _final_texts(kind: str, data: Any, field: str, most: int, path: str) -> SubmitResult:
    """A synchronous answer's prompts as a finished task: no task upstream, so the id is ours."""
    raw = data.get(field) if isinstance(data, dict) else None
    texts = tuple(t.strip() for t in raw if isinstance(t, str) and t.strip())[:most] if isinstance(raw, list) else ()
    if not texts:
        raise ProviderError(ErrorKind.MALFORMED, Text("upstream-unreadable"), detail=path)
    task_id = f"{kind}-{uuid.uuid4()}"
    return SubmitResult(task_id, snapshot=TaskSnapshot(task_id, JobStatus.SUCCEEDED, progress=100, descriptions=texts))
