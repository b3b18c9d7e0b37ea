"""A prompt made fit to send, or refused with the reason, before anything is paid.

Control and invisible format characters are removed; runs of stacked combining marks ("zalgo") and
Midjourney parameters Midjourney would refuse are refused here, with the reason, instead of failing
upstream after the charge.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.errors import InvalidInput
from bot.core.text import Text

MAX_PROMPT_CHARS = 1500
MAX_MARKS_IN_A_ROW = 4  # scripts that stack marks (Thai, Devanagari, Vietnamese) use at most three
KEEP_FORMAT = {"\u200c", "\u200d"}  # joiners: Persian and Indic words, emoji sequences
MAX_RATIO = 14  # --ar beyond 1:14 or 14:1 is refused by Midjourney


@dataclass(frozen=True)
class _Param:
    check: Callable[[str], bool] | None  # None: a switch that takes no value
    says: Text  # what a valid value is, for the refusal
    words: bool = False  # the value is everything up to the next parameter (`--no red cars`), not one token


def _number(low: float, high: float, whole: bool = False) -> Callable[[str], bool]:
    def ok(value: str) -> bool:
        try:
            number = float(value)
        except ValueError:
            return False
        return low <= number <= high and (not whole or number.is_integer()) and "e" not in value.lower()

    return ok


def _ratio(value: str) -> bool:
    m = re.fullmatch(r"(\d{1,4}):(\d{1,4})", value)
    if not m or int(m[1]) == 0 or int(m[2]) == 0:
        return False
    w, h = int(m[1]), int(m[2])
    return max(w, h) <= MAX_RATIO * min(w, h)


def _one_of(*values: str) -> Callable[[str], bool]:
    return lambda value: value.lower() in values


def _anything(value: str) -> bool:
    return bool(value)


_VERSIONS = ("1", "2", "3", "4", "5", "5.0", "5.1", "5.2", "6", "6.0", "6.1", "7", "7.0", "8", "8.0", "8.1")
_RATIO = _Param(_ratio, Text("param-takes-ratio", ratio=MAX_RATIO))
_CHAOS = _Param(_number(0, 100, whole=True), Text("param-takes-whole", low=0, high=100))
_STYLIZE = _Param(_number(0, 1000, whole=True), Text("param-takes-whole", low=0, high=1000))
_WEIRD = _Param(_number(0, 3000, whole=True), Text("param-takes-whole", low=0, high=3000))
_QUALITY = _Param(_one_of(".25", "0.25", ".5", "0.5", "1", "2", "4"), Text("param-takes-quality"))
_VERSION = _Param(_one_of(*_VERSIONS), Text("param-takes-one-of", values=", ".join(_VERSIONS)))
_REPEAT = _Param(_number(1, 40, whole=True), Text("param-takes-whole", low=1, high=40))
_SWITCH = _Param(None, Text.verbatim(""))

PARAMETERS: dict[str, _Param] = {
    "ar": _RATIO,
    "aspect": _RATIO,
    "c": _CHAOS,
    "chaos": _CHAOS,
    "s": _STYLIZE,
    "stylize": _STYLIZE,
    "w": _WEIRD,
    "weird": _WEIRD,
    "iw": _Param(_number(0, 3), Text("param-takes-number", low=0, high=3)),
    "seed": _Param(_number(0, 4294967295, whole=True), Text("param-takes-whole", low=0, high=4294967295)),
    "q": _QUALITY,
    "quality": _QUALITY,
    "v": _VERSION,
    "version": _VERSION,
    "niji": _Param(lambda v: v in ("", "4", "5", "6", "7"), Text("param-takes-niji")),
    "stop": _Param(_number(10, 100, whole=True), Text("param-takes-whole", low=10, high=100)),
    "r": _REPEAT,
    "repeat": _REPEAT,
    "zoom": _Param(_number(1, 2), Text("param-takes-number", low="1.0", high="2.0")),
    "cw": _Param(_number(0, 100, whole=True), Text("param-takes-whole", low=0, high=100)),
    "sw": _Param(_number(0, 1000, whole=True), Text("param-takes-whole", low=0, high=1000)),
    "ow": _Param(_number(1, 1000, whole=True), Text("param-takes-whole", low=1, high=1000)),
    "exp": _Param(_number(0, 100, whole=True), Text("param-takes-whole", low=0, high=100)),
    "style": _Param(_anything, Text("param-takes-style"), words=True),
    "no": _Param(_anything, Text("param-takes-exclusions"), words=True),
    "cref": _Param(_anything, Text("param-takes-link"), words=True),
    "sref": _Param(_anything, Text("param-takes-link-or-code"), words=True),
    "oref": _Param(_anything, Text("param-takes-link"), words=True),
    "sv": _Param(_anything, Text("param-takes-style-version")),
    "p": _Param(lambda v: True, Text.verbatim(""), words=True),
    "personalize": _Param(lambda v: True, Text.verbatim(""), words=True),
    "profile": _Param(_anything, Text("param-takes-profile")),
    **{
        switch: _SWITCH
        for switch in ("tile", "raw", "relax", "fast", "turbo", "draft", "video", "hd", "loop", "public", "stealth")
    },
}

_PARAM = re.compile(r"(?:^|\s)(?:--|—)([A-Za-z]+)((?:\s+(?!--|—)[^\s]+)*)")


def clean(text: str) -> str:
    """Control and format characters removed (joiners kept), whitespace folded to single spaces."""
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc" and not ch.isspace():
            continue
        if category == "Cf" and ch not in KEEP_FORMAT:
            continue
        kept.append(ch)
    return " ".join("".join(kept).split())


def checked_prompt(text: str, *, has_images: bool = False) -> str:
    """The prompt as it will be sent, or `InvalidInput` with the reason."""
    prompt = clean(text)
    if not prompt:
        raise InvalidInput(Text("prompt-empty"))
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidInput(Text("prompt-too-long", length=len(prompt), limit=MAX_PROMPT_CHARS))
    run = 0
    for ch in prompt:
        run = run + 1 if unicodedata.category(ch) in ("Mn", "Me") else 0
        if run > MAX_MARKS_IN_A_ROW:
            raise InvalidInput(Text("prompt-stacked-marks"))
    words = _check_parameters(prompt)
    if not words and not has_images:
        raise InvalidInput(Text("prompt-only-parameters"))
    return prompt


def _check_parameters(prompt: str) -> str:
    """Every `--name value` Midjourney would refuse is refused here; returns the words before them."""
    first = None
    for m in _PARAM.finditer(prompt):
        first = m.start() if first is None else first
        name, value = m[1].lower(), m[2].strip()
        param = PARAMETERS.get(name)
        if param is None:
            raise InvalidInput(Text("prompt-unknown-parameter", name=name))
        if param.check is None:
            continue
        shown = value.split()[0] if value else ""
        if not param.check(value if param.words else shown):
            raise InvalidInput(Text("prompt-invalid-parameter", name=name, value=shown[:20], takes=param.says))
    return prompt if first is None else prompt[:first].strip()


def parameters(prompt: str) -> list[tuple[str, str]]:
    """The Midjourney parameters written in a prompt, as (name, value) in order (`--ar 3:2` → ("ar", "3:2"))."""
    return [(match[1].lower(), match[2].strip()) for match in _PARAM.finditer(prompt)]
