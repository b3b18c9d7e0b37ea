"""How an upstream button looks in Discord and what it does, from its Midjourney customId.

The API's labels are unreliable (custom emoji names such as `upscale_1`, empty labels), so the face
is derived from the customId pattern, which Midjourney fixes; unknown buttons keep the API's label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.models import JobAction, UpstreamButton
from bot.core.text import Text

PRIMARY, SECONDARY, SUCCESS = 1, 2, 3


@dataclass(frozen=True)
class ButtonFace:
    action: JobAction
    label: str | None
    emoji: str | None
    row: int
    title: Text  # what the resulting job is called in its message, e.g. "Image #2"
    needs_input: bool = False  # the API answers with a modal (Custom Zoom, Vary Region)
    style: int = SECONDARY


_PAN = {"left": "⬅️", "right": "➡️", "up": "⬆️", "down": "⬇️"}
_KEYCAPS = {"1": "1️⃣", "2": "2️⃣", "3": "3️⃣", "4": "4️⃣", "5": "5️⃣"}
_OUTPAINT = {"50": "Zoom Out 2x", "75": "Zoom Out 1.5x", "100": "Make Square"}
_OUTPAINT_TITLE = {"50": Text("title-zoom-out", factor="2x"), "75": Text("title-zoom-out", factor="1.5x"),
                   "100": Text("title-make-square")}  # fmt: skip
# The bot's own Animate and Extend buttons, for a dialect that offers video as an endpoint, not as buttons.
_BOT_VIDEO = re.compile(r"video::(animate|extend)::(high|low)")


def bot_video_buttons(*, extend: bool) -> tuple[UpstreamButton, UpstreamButton]:
    """Animate (High/Low motion) under an upscaled image, or Extend (High/Low motion) under a video."""
    verb = "extend" if extend else "animate"
    return UpstreamButton(f"video::{verb}::high"), UpstreamButton(f"video::{verb}::low")


def bot_video(custom_id: str) -> tuple[bool, str] | None:
    """(extend?, motion) of one of the bot's own video buttons; None for any other customId."""
    m = _BOT_VIDEO.fullmatch(custom_id)
    return (m[1] == "extend", m[2]) if m else None


def describe_button(button: UpstreamButton) -> ButtonFace | None:
    """The Discord face of an upstream button, or None for ones without a customId (the Web link)."""
    cid = button.custom_id
    if not cid:
        return None
    if cid.startswith("describe::"):
        n = cid.removeprefix("describe::")
        return ButtonFace(
            JobAction.DESCRIBE_PICK, None, _KEYCAPS.get(n, n), 0, Text("title-prompt", n=n), style=PRIMARY
        )
    if made := bot_video(cid):
        return _video_face(*made)
    if "::" not in cid:
        return _acedata_face(cid)
    if m := re.fullmatch(r"nz::(UPSCALE|VARIATION|REROLL)::(\d)", cid):  # the open-source proxy's /change
        cid = {"UPSCALE": "MJ::JOB::upsample::{}::", "VARIATION": "MJ::JOB::variation::{}::"}.get(
            m[1], "MJ::JOB::reroll::{}::"
        ).format(m[2])
    if m := re.match(r"MJ::JOB::upsample::(\d)::", cid):
        return ButtonFace(JobAction.UPSCALE, f"U{m[1]}", None, 0, Text("title-image", n=int(m[1])))
    if cid.startswith("MJ::JOB::reroll::"):
        return ButtonFace(JobAction.REROLL, None, "🔄", 0, Text("title-reroll"))
    if m := re.match(r"MJ::JOB::variation::(\d)::", cid):
        return ButtonFace(JobAction.VARIATION, f"V{m[1]}", None, 1, Text("title-variations", n=int(m[1])))
    if m := re.match(r"MJ::JOB::upsample_v[0-9a-z]+_(\d)x(?:_(subtle|creative))?::", cid):
        kind = m[2] or f"{m[1]}x"
        redo = button.label.lower().startswith("redo")
        return ButtonFace(JobAction.UPSCALE_HD, _upscale_label(kind, redo), None, 0, _upscale_title(kind, redo))
    if cid.startswith("MJ::JOB::low_variation::"):
        return ButtonFace(JobAction.VARY_SUBTLE, "Vary (Subtle)", "🪄", 0, Text("title-vary-subtle"))
    if cid.startswith("MJ::JOB::high_variation::"):
        return ButtonFace(JobAction.VARY_STRONG, "Vary (Strong)", "🪄", 0, Text("title-vary-strong"))
    if cid.startswith("MJ::Inpaint::"):
        return ButtonFace(JobAction.VARY_REGION, "Vary (Region)", "🖌️", 0, Text("title-vary-region"), True)
    if m := re.match(r"MJ::Outpaint::(\d+)::", cid):
        label = _OUTPAINT.get(m[1], f"Zoom Out ({m[1]})")
        title = _OUTPAINT_TITLE.get(m[1], Text("title-zoom-out-value", value=m[1]))
        return ButtonFace(JobAction.ZOOM, label, "↔️" if m[1] == "100" else "🔍", 1, title)
    if cid.startswith("MJ::CustomZoom::"):
        return ButtonFace(JobAction.CUSTOM_ZOOM, "Custom Zoom", "🔍", 1, Text("title-custom-zoom"), True)
    if m := re.match(r"MJ::JOB::pan_(left|right|up|down)::", cid):
        return ButtonFace(JobAction.PAN, None, _PAN[m[1]], 2, Text("title-pan", direction=m[1]))
    if m := re.match(r"MJ::JOB::animate_(high|low)(_extend)?::", cid):
        return _video_face(bool(m[2]), m[1])
    if m := re.match(r"MJ::JOB::video_virtual_upscale::(\d)::", cid):
        return ButtonFace(JobAction.VIDEO_UPSCALE, f"U{m[1]}", None, 0, Text("title-video", n=int(m[1])))
    if cid.startswith("MJ::BOOKMARK::"):
        return ButtonFace(JobAction.BOOKMARK, None, "❤️", 3, Text("title-favourite"))
    other_label = button.label.strip()[:80] or None
    other_emoji = button.emoji if button.emoji and not button.emoji.isascii() else None
    if not other_label and not other_emoji:
        return None
    title = Text.verbatim(other_label) if other_label else Text("title-other")
    return ButtonFace(JobAction.OTHER, other_label, other_emoji, 3, title)


def _acedata_face(action: str) -> ButtonFace | None:
    """AceData names actions (`upscale2`, `variation_subtle`, ...) instead of Midjourney customIds."""
    if m := re.fullmatch(r"upscale([1-4])", action):
        return ButtonFace(JobAction.UPSCALE, f"U{m[1]}", None, 0, Text("title-image", n=int(m[1])))
    if action == "reroll":
        return ButtonFace(JobAction.REROLL, None, "🔄", 0, Text("title-reroll"))
    if m := re.fullmatch(r"variation([1-4])", action):
        return ButtonFace(JobAction.VARIATION, f"V{m[1]}", None, 1, Text("title-variations", n=int(m[1])))
    if m := re.fullmatch(r"(redo_)?upscale_(2x|4x|subtle|creative)", action):
        redo = bool(m[1])
        return ButtonFace(JobAction.UPSCALE_HD, _upscale_label(m[2], redo), None, 0, _upscale_title(m[2], redo))
    if action == "variation_subtle":
        return ButtonFace(JobAction.VARY_SUBTLE, "Vary (Subtle)", "🪄", 0, Text("title-vary-subtle"))
    if action == "variation_strong":
        return ButtonFace(JobAction.VARY_STRONG, "Vary (Strong)", "🪄", 0, Text("title-vary-strong"))
    if action == "variation_region":
        return ButtonFace(JobAction.VARY_REGION, "Vary (Region)", "🖌️", 0, Text("title-vary-region"), True)
    if m := re.fullmatch(r"zoom_out_(2x|1_5x)", action):
        factor = m[1].replace("_", ".")
        return ButtonFace(JobAction.ZOOM, f"Zoom Out {factor}", "🔍", 1, Text("title-zoom-out", factor=factor))
    if action == "square":
        return ButtonFace(JobAction.ZOOM, "Make Square", "↔️", 1, Text("title-make-square"))
    if m := re.fullmatch(r"pan_(left|right|up|down)", action):
        return ButtonFace(JobAction.PAN, None, _PAN[m[1]], 2, Text("title-pan", direction=m[1]))
    return None


def _video_face(extend: bool, motion: str) -> ButtonFace:
    """Midjourney's own English labels, `Animate (High motion)`, `Extend (Low motion)`."""
    label = f"{'Extend' if extend else 'Animate'} ({motion.capitalize()} motion)"
    title = Text("title-video-extend" if extend else "title-animate", motion=motion)
    return ButtonFace(JobAction.VIDEO_EXTEND if extend else JobAction.VIDEO, label, "🎞️", 3, title)


def _upscale_label(kind: str, redo: bool) -> str:
    """Midjourney's own English label (`Redo Upscale (Subtle)`); kind: subtle, creative, 2x, 4x."""
    return f"{'Redo ' if redo else ''}Upscale ({kind.capitalize() if kind[0].isalpha() else kind})"


def _upscale_title(kind: str, redo: bool) -> Text:
    return Text("title-upscale", kind=kind, redo="yes" if redo else "no")


# Actions whose press starts a new image job (the rest: ❤️ bookmarks, /describe picks).
IMAGE_ACTIONS = frozenset(
    {
        JobAction.UPSCALE,
        JobAction.VARIATION,
        JobAction.REROLL,
        JobAction.UPSCALE_HD,
        JobAction.VARY_SUBTLE,
        JobAction.VARY_STRONG,
        JobAction.VARY_REGION,
        JobAction.ZOOM,
        JobAction.CUSTOM_ZOOM,
        JobAction.PAN,
    }
)
# What a server turns off with `video off`: hidden, and an old press refused before anything is charged.
VIDEO_ACTIONS = frozenset({JobAction.VIDEO, JobAction.VIDEO_EXTEND, JobAction.VIDEO_UPSCALE})
# Actions whose press starts a new job from the parent's result.
JOB_ACTIONS = IMAGE_ACTIONS | VIDEO_ACTIONS
# The presses Remix asks a prompt for (Midjourney's Remix mode: variations, re-rolls, pans).
REMIX_ACTIONS = frozenset(
    {JobAction.VARIATION, JobAction.REROLL, JobAction.VARY_SUBTLE, JobAction.VARY_STRONG, JobAction.PAN}
)

MAX_ROWS, MAX_PER_ROW = 5, 5


def layout(buttons: list[UpstreamButton], *, video: bool = True) -> list[tuple[int, ButtonFace]]:
    """(index into `buttons`, face) for every button to show, with rows that fit Discord's 5x5.

    Rows follow Midjourney: U1-U4 and 🔄 / V1-V4 on a grid; upscale and vary / zoom / pans after an
    upscale; Animate beside ❤️. A full row spills into the next one with room. `video` False (the
    server's `video off`) leaves out every video button.
    """
    placed: list[tuple[int, ButtonFace]] = []
    used = [0] * MAX_ROWS
    for index, button in enumerate(buttons):
        face = describe_button(button)
        if face is None or face.action is JobAction.OTHER or (not video and face.action in VIDEO_ACTIONS):
            continue
        row = face.row
        while row < MAX_ROWS and used[row] >= MAX_PER_ROW:
            row += 1
        if row >= MAX_ROWS:
            break
        used[row] += 1
        placed.append((index, face if row == face.row else _with_row(face, row)))
    return placed


def _with_row(face: ButtonFace, row: int) -> ButtonFace:
    from dataclasses import replace

    return replace(face, row=row)
