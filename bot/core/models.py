"""Plain data shared by the providers, the ledger and the job service (no Discord here)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.errors import ErrorKind
from bot.core.text import Text


class JobStatus(StrEnum):
    WAITING = "waiting"  # charged, waiting in the bot's queue for a free slot
    SUBMITTING = "submitting"  # row written, the paid submit not answered yet
    QUEUED = "queued"  # accepted upstream, not started
    RUNNING = "running"  # upstream reports progress
    NEEDS_INPUT = "needs_input"  # upstream waits for a modal submit (proxy status MODAL)
    MIRRORING = "mirroring"  # free copy of another job's result (the same upscale pressed twice), waiting for it
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"  # stopped by its member or an admin

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class JobAction(StrEnum):
    IMAGINE = "imagine"
    UPSCALE = "upscale"
    VARIATION = "variation"
    REROLL = "reroll"
    UPSCALE_HD = "upscale_hd"
    VARY_SUBTLE = "vary_subtle"
    VARY_STRONG = "vary_strong"
    VARY_REGION = "vary_region"
    ZOOM = "zoom"
    CUSTOM_ZOOM = "custom_zoom"
    PAN = "pan"
    BOOKMARK = "bookmark"
    BLEND = "blend"
    DESCRIBE = "describe"
    DESCRIBE_PICK = "describe_pick"  # 1️⃣-5️⃣ under a /describe or /shorten result: /imagine that prompt
    SHORTEN = "shorten"  # shorter versions of a prompt, to pick one
    VIDEO = "video"  # Animate (High/Low motion): four short videos from an upscaled image
    VIDEO_EXTEND = "video_extend"  # Extend (High/Low motion): a video made longer
    VIDEO_UPSCALE = "video_upscale"  # video U1-U4: one of the four videos on its own
    EDIT = "edit"  # /edit: a member's own image repainted from a prompt, whole or where a mask is white
    OTHER = "other"


@dataclass(frozen=True)
class UpstreamButton:
    """One entry of a task's `buttons[]`, kept verbatim: the customId is sent back as is."""

    custom_id: str
    label: str = ""
    emoji: str = ""
    style: int = 2

    def to_json(self) -> dict[str, object]:
        return {"customId": self.custom_id, "label": self.label, "emoji": self.emoji, "style": self.style}

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> UpstreamButton:
        style = raw.get("style", 2)
        return cls(
            custom_id=str(raw.get("customId") or ""),
            label=str(raw.get("label") or ""),
            emoji=str(raw.get("emoji") or ""),
            style=style if isinstance(style, int) else 2,
        )


@dataclass(frozen=True)
class TaskSnapshot:
    """What a provider reports about one upstream task, normalised."""

    task_id: str
    status: JobStatus
    progress: int | None = None
    image_url: str | None = None
    buttons: tuple[UpstreamButton, ...] = ()
    fail_reason: str | None = None
    fail_kind: ErrorKind | None = None  # what the dialect knows of the failure beyond its text (AceData's 403)
    final_prompt: str | None = None
    # What actions on this result are addressed to: the proxy task id, AceData's image_id.
    action_ref: str | None = None
    descriptions: tuple[str, ...] = ()  # /describe results
    video_urls: tuple[str, ...] = ()  # a video job's MP4s; `image_url` is then their cover


@dataclass(frozen=True)
class SubmitResult:
    """An accepted submit: the upstream task id and what the API said about it."""

    task_id: str
    needs_input: bool = False  # code 21: the task waits for a modal submit
    queue_position: int | None = None  # code 22
    final_prompt: str | None = None
    # A live stream of the task's states (AceData ndjson); it may end before the task does.
    updates: AsyncIterator[TaskSnapshot] | None = None
    # The state already known at submit (a synchronous answer, or the stream's first line).
    snapshot: TaskSnapshot | None = None


@dataclass(frozen=True)
class ReferenceImage:
    """An image a user attached, already checked to be a real image."""

    data: bytes
    content_type: str  # e.g. image/png
    url: str | None = None  # where the API can fetch it (dialects that take URLs, not bytes)

    def data_url(self) -> str:
        import base64

        return f"data:{self.content_type};base64,{base64.b64encode(self.data).decode('ascii')}"


@dataclass(frozen=True)
class ImagineRequest:
    prompt: str
    images: tuple[ReferenceImage, ...] = ()
    bot_type: str = "MID_JOURNEY"  # or NIJI_JOURNEY
    mode: str | None = None  # fast | relax | turbo; None: the API's default
    translate: bool = False  # ask the API to translate a non-English prompt (the server's `translate_prompts`)


@dataclass(frozen=True)
class EditRequest:
    """/edit: repaint a member's image from `prompt`, where `mask_png` is white (None: the whole image)."""

    image: ReferenceImage
    prompt: str
    mask_png: bytes | None = None  # the image's own size
    mode: str | None = None


@dataclass(frozen=True)
class BlendRequest:
    images: tuple[ReferenceImage, ...]  # 2 to 5
    dimensions: str = "SQUARE"  # PORTRAIT (2:3) | SQUARE (1:1) | LANDSCAPE (3:2)
    bot_type: str = "MID_JOURNEY"
    mode: str | None = None


@dataclass(frozen=True)
class Requester:
    """Who asked for a job and where its message lives."""

    user_id: int
    guild_id: int | None
    channel_id: int
    parent_channel_id: int | None = None  # the channel a thread belongs to


@dataclass
class Job:
    """One row of the ledger's `jobs` table."""

    id: int
    user_id: int
    guild_id: int | None
    channel_id: int
    action: JobAction
    prompt: str
    status: JobStatus
    created_at: float
    updated_at: float
    message_id: int | None = None
    parent_id: int | None = None
    parent_button: int | None = None  # index into the parent's buttons
    upstream_task_id: str | None = None
    progress: int = 0
    image_url: str | None = None
    preview_url: str | None = None
    buttons: list[UpstreamButton] = field(default_factory=list)
    error: Text | None = None  # why it failed or was cancelled, for its message
    finished_at: float | None = None
    delivered: bool = False  # the final state reached the Discord message
    title: Text | None = None  # e.g. "Image #2", "Variations (Strong)"; None: the prompt says it all
    action_ref: str | None = None  # see TaskSnapshot.action_ref
    # /describe and /shorten: the prompts to pick. An image job: at most one, the prompt the API reports it
    # used (translated or rewritten) when it differs from `prompt` (see `prompt_used`).
    descriptions: list[str] = field(default_factory=list)
    video_urls: list[str] = field(default_factory=list)  # a video job's MP4s; `image_url` is their cover
    image_width: int | None = None  # of the delivered image, for Vary (Region) masks
    image_height: int | None = None
    cost: int = 0  # credits charged for it
    refunded: bool = False
    running_limit: int = 0  # the member's running limit when it was queued (0: none)
    locale: str = "en-US"  # of the member who started it: the language of its public message
    mode: str | None = None  # speed mode it was sent with (fast | relax | turbo); None: the API's default
    bot_type: str | None = None  # MID_JOURNEY | NIJI_JOURNEY, when the job chose one
    submitted_at: float | None = None  # when the API accepted the paid submit: JOB_TIMEOUT counts from here
    input_since: float | None = None  # when it began waiting for a Remix prompt: REMIX_TIMEOUT counts from here
    source_id: int | None = None  # MIRRORING: the job whose result this one shows
    provider: str = ""  # the API that made it (providers/pool.py): its buttons and status checks go there
    queue_position: int | None = None  # while waiting; worked out when published, not stored

    @property
    def prompt_used(self) -> str | None:
        """The prompt the API used, where it differs from the member's (a translation); None otherwise."""
        if self.action in (JobAction.DESCRIBE, JobAction.SHORTEN) or not self.descriptions:
            return None
        return self.descriptions[0]
