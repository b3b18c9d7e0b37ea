"""What each Midjourney version takes, checked before anything is charged.

V8.1 is Midjourney's default since 2026-06: native HD (`--hd`, 2048 px) on V8 and later only, `--q` not
on V8, `--oref` (omni reference) and `--draft` only on V7, and V8.1 runs at Fast or Relax, not Turbo
(AceData's guide). A job that breaks a rule is refused with what the version does not take and what would;
Turbo on V8.1 goes at Fast instead, as Midjourney's Turbo falls back to Fast where it is unavailable.
Niji versions keep their own rules and are not checked here.
"""

from __future__ import annotations

from bot.core.errors import InvalidInput
from bot.core.pricing import major, parameters, version_of
from bot.core.text import Text

NO_TURBO = ("8.1",)  # versions with no Turbo mode upstream


def with_version(prompt: str, chosen: str | None) -> str:
    """The prompt as sent: a member's or server's default version appended where the prompt names none."""
    params = parameters(prompt)
    if not chosen or "v" in params or "version" in params or "niji" in params:
        return prompt
    return f"{prompt} --v {chosen}"


def check(prompt: str, mode: str | None, default: str) -> None:
    """Refuse (InvalidInput) what the prompt's version does not take."""
    params = parameters(prompt)
    if "niji" in params:
        return
    version = version_of(params, default)
    number = major(version)
    if number >= 8 and ("q" in params or "quality" in params):
        raise InvalidInput(Text("version-no-quality", version=version))
    for name in ("oref", "draft"):
        if name in params and number != 7:
            raise InvalidInput(Text("version-only-v7", name=name, version=version))
    if "hd" in params and number < 8:
        raise InvalidInput(Text("version-hd-v8", version=version))


def speed(prompt: str, mode: str | None, default: str) -> tuple[str | None, Text | None]:
    """The mode the job can go at, and why it changed: Turbo falls back to Fast where the version has none
    (as Midjourney itself does), priced at Fast, and the member is told."""
    params = parameters(prompt)
    version = version_of(params, default)
    if mode == "turbo" and version in NO_TURBO and "niji" not in params:
        return "fast", Text("version-turbo-fast", version=version)
    return mode, None
