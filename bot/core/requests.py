"""A job's request, kept in the ledger until it is submitted, so a queued job can start after a restart."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from bot.core.models import BlendRequest, EditRequest, ImagineRequest, ReferenceImage


@dataclass(frozen=True)
class ActionRequest:
    parent_id: int
    index: int
    prompt: str | None = None  # Custom Zoom's answer to the API's dialog, or the Remix prompt
    mode: str | None = None  # speed mode; None: the API's default
    remix: bool = False  # `prompt` is the member's Remix prompt, asked before the press


@dataclass(frozen=True)
class RegionRequest:
    parent_id: int
    index: int
    prompt: str
    mask_png: bytes
    mode: str | None = None


@dataclass(frozen=True)
class DescribeRequest:
    image: ReferenceImage


@dataclass(frozen=True)
class ShortenRequest:
    prompt: str
    bot_type: str = "MID_JOURNEY"


JobRequest = (
    ImagineRequest | BlendRequest | DescribeRequest | ShortenRequest | ActionRequest | RegionRequest | EditRequest
)


def _image(img: ReferenceImage) -> dict[str, Any]:
    return {"data": base64.b64encode(img.data).decode("ascii"), "type": img.content_type, "url": img.url}


def _unimage(raw: dict[str, Any]) -> ReferenceImage:
    return ReferenceImage(base64.b64decode(raw["data"]), raw["type"], raw.get("url"))


def encode(request: JobRequest) -> str:
    if isinstance(request, ImagineRequest):
        body: dict[str, Any] = {
            "kind": "imagine",
            "prompt": request.prompt,
            "images": [_image(i) for i in request.images],
            "bot_type": request.bot_type,
            "mode": request.mode,
            "translate": request.translate,
        }
    elif isinstance(request, BlendRequest):
        body = {
            "kind": "blend",
            "images": [_image(i) for i in request.images],
            "dimensions": request.dimensions,
            "bot_type": request.bot_type,
            "mode": request.mode,
        }
    elif isinstance(request, DescribeRequest):
        body = {"kind": "describe", "image": _image(request.image)}
    elif isinstance(request, ShortenRequest):
        body = {"kind": "shorten", "prompt": request.prompt, "bot_type": request.bot_type}
    elif isinstance(request, EditRequest):
        mask = base64.b64encode(request.mask_png).decode("ascii") if request.mask_png is not None else None
        body = {
            "kind": "edit",
            "image": _image(request.image),
            "prompt": request.prompt,
            "mask": mask,
            "mode": request.mode,
        }
    elif isinstance(request, ActionRequest):
        body = {
            "kind": "action",
            "parent_id": request.parent_id,
            "index": request.index,
            "prompt": request.prompt,
            "mode": request.mode,
            "remix": request.remix,
        }
    else:
        body = {
            "kind": "region",
            "parent_id": request.parent_id,
            "index": request.index,
            "prompt": request.prompt,
            "mask": base64.b64encode(request.mask_png).decode("ascii"),
            "mode": request.mode,
        }
    return json.dumps(body)


def decode(text: str) -> JobRequest:
    raw = json.loads(text)
    kind = raw["kind"]
    if kind == "imagine":
        images = tuple(_unimage(i) for i in raw["images"])
        return ImagineRequest(raw["prompt"], images, raw["bot_type"], raw["mode"], bool(raw.get("translate")))
    if kind == "blend":
        images = tuple(_unimage(i) for i in raw["images"])
        return BlendRequest(images, raw["dimensions"], raw["bot_type"], raw["mode"])
    if kind == "describe":
        return DescribeRequest(_unimage(raw["image"]))
    if kind == "shorten":
        return ShortenRequest(raw["prompt"], raw["bot_type"])
    if kind == "edit":
        mask = base64.b64decode(raw["mask"]) if raw.get("mask") else None
        return EditRequest(_unimage(raw["image"]), raw["prompt"], mask, raw.get("mode"))
    if kind == "action":
        return ActionRequest(
            raw["parent_id"], raw["index"], raw.get("prompt"), raw.get("mode"), raw.get("remix", False)
        )
    if kind == "region":
        mask = base64.b64decode(raw["mask"])
        return RegionRequest(raw["parent_id"], raw["index"], raw["prompt"], mask, raw.get("mode"))
    raise ValueError(f"unknown request kind {kind!r}")
