"""The simulated account's tasks, shared by both dialects: their timing, images and buttons.

A task's state is a function of the time since its submit (see `TaskBook.status`); prompts steer it:
`sim:fail` fails midway, `sim:stall` never finishes. Images are drawn from a seed, on demand.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import io
import itertools
import re
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

from bot.simulator.images import grid_png, single_png

BANNED_WORDS = ("nsfw", "gore", "nude")
PROGRESS_STEPS = (0, 15, 31, 46, 62, 78, 93)
QUEUED_SHARE = 0.15  # share of the run spent in SUBMITTED
IMAGE_CACHE = 32  # finished images kept in memory


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
    cancelled: bool = False  # stopped by POST /mj/task/{id}/cancel
    videos: int = 0  # a video task (kind "video"): how many MP4s it finishes with, besides its cover image
    translated: bool = False  # AceData `translation`: `prompt` is the simulated translation of what was sent
    version: str = ""  # AceData's `version` field; the proxy's comes in the prompt (`--v 8.1`)

    @property
    def on_v8(self) -> bool:
        """V8 and later have no separate upscalers ("v 8 版本移除了 Upscale 高清功能", trueai-org); a task that
        names no version is drawn as V7 here, so the older tests' buttons stay."""
        named = self.version or (m[1] if (m := _VERSION.search(self.prompt)) else "")
        return named.split(".")[0].isdigit() and int(named.split(".")[0]) >= 8


class TaskBook:
    """Every task of the simulated account, and what the account is set to do."""

    def __init__(
        self,
        *,
        duration: float = 6.0,
        api_key: str = "",
        remix: bool = False,
        modal_code: int = 21,
        buttons: bool = True,
        video: bool = True,
        edits: bool = True,
        seed: bool = True,
    ) -> None:
        self.duration = duration
        self.api_key = api_key
        # Like an upstream account with Remix on: variations, re-rolls and pans wait for a modal (code 21).
        self.remix = remix
        # new-api resellers answer such a submit with code 1: the wait shows only as status MODAL.
        self.modal_code = modal_code
        # The open-source proxy sends no `buttons` and takes U/V/🔄 at /mj/submit/change instead.
        self.with_buttons = buttons
        # Upscaled single images offer Animate (High/Low motion), as on an upstream account with video.
        self.video = video
        # trueai-org and new-api serve /mj/submit/edits; the open-source proxy does not (404).
        self.with_edits = edits
        # trueai-org and new-api tell an image's seed (/mj/task/{id}/image-seed), as AceData does
        # (/midjourney/seed); the open-source proxy has no such route (404).
        self.with_seed = seed
        # Result images that fail as real servers' links do: "missing" (404) or "html" (a web page at 200).
        self.image_fault: str | None = None
        self.video_fault: str | None = None  # the same for result videos
        self.tasks: dict[str, SimTask] = {}
        self._ids = itertools.count(int(time.time() * 1000) * 1000)
        self._with_images: deque[SimTask] = deque()

    def new_task(self, **kwargs: Any) -> SimTask:
        task = SimTask(id=str(next(self._ids)), submitted=time.monotonic(), image_hash=str(uuid.uuid4()), **kwargs)
        self.tasks[task.id] = task
        return task

    def derive(self, parent: SimTask, custom_id: str, *, remix: bool = False) -> SimTask:
        """The task a press of `custom_id` makes; `remix` (trueai's `enableRemix`) opens the modal as an
        account with Remix on would."""
        remix = remix or self.remix
        m = re.match(r"MJ::JOB::(\w+?)::(\d+)::", custom_id)
        verb, index = (m[1], int(m[2])) if m else ("", 1)
        common = {"prompt": parent.prompt, "parent_id": parent.id, "custom_id": custom_id}
        if verb == "upsample":
            return self.new_task(action="UPSCALE", kind="single", index=index, **common)
        if m := re.fullmatch(r"animate_(?:high|low)(_extend)?", verb):
            action = "VIDEO_EXTEND" if m[1] else "VIDEO"
            return self.new_task(
                action=action, kind="video", index=parent.index, videos=4, modal_pending=self.remix, **common
            )
        if verb == "video_virtual_upscale":  # one of the four videos on its own; trueai calls it UPSCALE
            return self.new_task(action="UPSCALE", kind="video", index=index, videos=1, **common)
        if verb.startswith("upsample_"):
            return self.new_task(action="UPSCALE_HD", kind="single", index=parent.index, upscaled=True, **common)
        if verb == "reroll":
            return self.new_task(action="REROLL", kind="grid", modal_pending=remix, **common)
        if verb.startswith("pan_"):
            return self.new_task(action="PAN", kind="grid", modal_pending=remix, **common)
        if custom_id.startswith("MJ::Outpaint::"):
            return self.new_task(action="ZOOM", kind="grid", **common)
        needs_modal = custom_id.startswith(("MJ::CustomZoom::", "MJ::Inpaint::"))
        action = "ZOOM" if custom_id.startswith("MJ::CustomZoom::") else "VARIATION"
        return self.new_task(action=action, kind="grid", modal_pending=needs_modal or remix, **common)

    async def final_image(self, task: SimTask) -> bytes:
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
        size = png_size(await self.final_image(task))
        assert size is not None
        return size

    def status(self, task: SimTask) -> tuple[str, int | None, str]:
        """(status, progress, failReason) at this moment."""
        if task.cancelled:
            return "FAILURE", None, "取消任务"  # as trueai-org reports a cancelled task
        if task.modal_pending:
            return "MODAL", 0, ""
        share = (time.monotonic() - task.submitted) / self.duration
        if share < QUEUED_SHARE:
            return "SUBMITTED", 0, ""
        if "sim:fail" in task.prompt and share >= 0.5:
            return "FAILURE", None, "Simulated failure: the image could not be generated"
        if task.kind == "video" and "sim:video-fail" in task.prompt and share >= 0.5:
            return "FAILURE", None, "Simulated failure: the video could not be made"
        if share >= 1 and "sim:stall" not in task.prompt:
            return "SUCCESS", 100, ""
        step = int((min(share, 0.99) - QUEUED_SHARE) / (1 - QUEUED_SHARE) * len(PROGRESS_STEPS))
        return "IN_PROGRESS", PROGRESS_STEPS[min(step, len(PROGRESS_STEPS) - 1)], ""

    def buttons(self, task: SimTask) -> list[dict[str, Any]]:
        if task.action in ("DESCRIBE", "SHORTEN"):
            return []
        h = task.image_hash
        if task.kind == "video":
            ups = [_button(f"MJ::JOB::video_virtual_upscale::{i}::{h}", f"U{i}") for i in range(1, 5)]
            extend = [_button(f"MJ::JOB::animate_{m}_extend::1::{h}", f"Extend ({m.capitalize()} motion)", "🎞️")
                      for m in ("high", "low")]  # fmt: skip
            return (ups if task.videos > 1 else []) + extend
        if task.kind == "grid":
            return (
                [_button(f"MJ::JOB::upsample::{i}::{h}", f"U{i}") for i in range(1, 5)]
                + [_button(f"MJ::JOB::reroll::0::{h}::SOLO", "", "🔄")]
                + [_button(f"MJ::JOB::variation::{i}::{h}", f"V{i}") for i in range(1, 5)]
            )
        buttons = []
        if not task.upscaled and not task.on_v8:
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
        if self.video:
            buttons += [
                _button(f"MJ::JOB::animate_{m}::1::{h}::SOLO", f"Animate ({m.capitalize()} motion)", "🎞️")
                for m in ("high", "low")
            ]
        buttons.append(_button(f"MJ::BOOKMARK::{h}", "", "❤️"))
        return buttons


_VERSION = re.compile(r"--v(?:ersion)?\s+(\d[\d.]*)")
_PANS = (("left", "⬅️"), ("right", "➡️"), ("up", "⬆️"), ("down", "⬇️"))
KEYCAPS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣")
BLEND_RATIOS = {"PORTRAIT": "2:3", "SQUARE": "1:1", "LANDSCAPE": "3:2"}


def image_seed(task: SimTask) -> str:
    """The seed a task's image was drawn from, as both dialects report it: a whole number 0–4294967295, the
    same for the same task every time."""
    return str(int(hashlib.sha256(f"seed:{task.image_hash}".encode()).hexdigest()[:8], 16))


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


def shorten_texts(prompt: str) -> tuple[str, ...]:
    """Five ever shorter versions of a prompt, its parameters kept (both dialects)."""
    words = [w for w in prompt.split() if not w.startswith("--")]
    params = prompt[prompt.index(" --") :] if " --" in prompt else ""
    out = []
    for share in (0.9, 0.75, 0.6, 0.45, 0.3):
        keep = max(1, round(len(words) * share))
        out.append(" ".join(words[:keep]) + params)
    return tuple(out)


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+")


def simulated_translation(prompt: str) -> str | None:
    """A deterministic stand-in for a translation of the Chinese, Japanese or Korean in `prompt`, marked as
    simulated (`[sim-en 1a2b3c]` for each run of such text, the rest kept); None when there is none."""
    if not _CJK.search(prompt):
        return None

    def mark(run: re.Match[str]) -> str:
        return f"[sim-en {hashlib.sha256(run[0].encode()).hexdigest()[:6]}]"

    return re.sub(r"\s+", " ", _CJK.sub(lambda m: f" {mark(m)} ", prompt)).strip()


def image_bytes_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of any image Pillow reads; None for anything else."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except (UnidentifiedImageError, OSError):
        return None


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


def banned_word(prompt: str) -> str | None:
    """The first of BANNED_WORDS in the prompt, as a whole word."""
    low = prompt.lower()
    for word in BANNED_WORDS:
        if re.search(rf"\b{re.escape(word)}\b", low):
            return word
    return None


def _button(custom_id: str, label: str, emoji: str = "") -> dict[str, Any]:
    return {"customId": custom_id, "emoji": emoji, "label": label, "type": 2, "style": 2}
