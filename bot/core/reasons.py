"""What an upstream's own reason means, in plain words, whichever dialect or language it came in.

Midjourney proxies, resellers' gateways and AceData put the cause of a refusal or a failure in free
text, often Chinese. Known reasons get a kind and a sentence that says what happened and who can act;
unknown ones are shown as the service's own words (scrubbed of secrets and clipped).
"""

from __future__ import annotations

import re

from bot.core.errors import ErrorKind, clip

MODERATION_HINTS = (
    "banned prompt",
    "敏感词",
    "moderat",
    "违规",
    "community standards",
    "output filter",
)
MODERATION_MESSAGE = "Midjourney's moderation refused this prompt. Try different wording."
QUEUE_FULL_HINTS = (
    "队列已满",
    "queue full",
    "queue is full",
    "队列数已达上限",
    "并发数已达上限",
    "执行中的任务已满",
    "saturated",
    "饱和",
)

# (pattern, kind, sentence); the first that matches wins. `{model}` is filled from the pattern's group.
_KNOWN: tuple[tuple[re.Pattern[str], ErrorKind, str], ...] = (
    (
        re.compile(r"(?:模型|model)\s*(?P<model>[\w.\-]+)\s*(?:下)?\s*无可用渠道|no available channel", re.I),
        ErrorKind.CONFIG,
        "The API reseller has no channel for {model}: a server admin should check the reseller's settings.",
    ),
    (
        re.compile(r"无可用的?账号|无可用实例|no (?:available|usable) account", re.I),
        ErrorKind.UNAVAILABLE,
        "The image service has no Midjourney account free right now. Try again later.",
    ),
    (
        re.compile(r"实例不可用|instance unavailable", re.I),
        ErrorKind.UNAVAILABLE,
        "The image service's Midjourney account became unavailable during the job. Try again later.",
    ),
    (
        re.compile(r"任务失败，?请重试"),
        ErrorKind.FAILED,
        "The image service failed the job (its account may be out of fast hours). Try again later.",
    ),
    (
        re.compile(r"账号已被临时封锁|temporar\w* (?:blocked|banned)", re.I),
        ErrorKind.UNAVAILABLE,
        "The image service's account is blocked for a while after refused prompts. Try again later.",
    ),
    (
        re.compile(r"Pending mod message|Plan Cancelled|Subscription (?:required|paused)|^Blocked\b", re.I),
        ErrorKind.CONFIG,
        "The image service's Midjourney account cannot work right now (its subscription or standing):"
        " a server admin should check it.",
    ),
    (
        re.compile(r"超时|timeout|timed out", re.I),
        ErrorKind.TIMEOUT,
        "The image service gave up on this job (it timed out upstream). Try again.",
    ),
    (
        re.compile(r"额度不足|余额不足|insufficient (?:quota|balance)|quota exceeded", re.I),
        ErrorKind.CONFIG,
        "The image service account has run out of credit. A server admin needs to top it up.",
    ),
)


def moderation(reason: str) -> bool:
    low = reason.lower()
    return any(h in low for h in MODERATION_HINTS)


def queue_full(reason: str) -> bool:
    low = reason.lower()
    return any(h in low for h in QUEUE_FULL_HINTS)


def known(reason: str) -> tuple[ErrorKind, str] | None:
    """The kind and plain sentence of a reason the bot recognises, else None."""
    if moderation(reason):
        return ErrorKind.MODERATION, MODERATION_MESSAGE
    if queue_full(reason):
        return ErrorKind.BUSY, "The image service is at its limit right now. Try again soon."
    for pattern, kind, sentence in _KNOWN:
        if m := pattern.search(reason):
            model = (m.groupdict().get("model") or "this request") if "{model}" in sentence else ""
            return kind, sentence.format(model=model)
    return None


def failure_message(reason: str | None, kind: ErrorKind | None = None) -> tuple[ErrorKind, str]:
    """A failed task's reason → (kind, message for the member); `kind` is what the dialect knew beyond the text."""
    if kind is ErrorKind.MODERATION:
        return kind, MODERATION_MESSAGE
    text = (reason or "").strip()
    if not text:
        return ErrorKind.FAILED, "The image service could not finish this job and gave no reason."
    return known(text) or (ErrorKind.FAILED, f"The image service could not finish this job. It said: “{clip(text)}”")


def refusal_message(reason: str, fallback: str) -> tuple[ErrorKind, str]:
    """A refused request's reason → (kind, message); `fallback` when the service said nothing."""
    text = reason.strip()
    if not text:
        return ErrorKind.REJECTED, fallback
    return known(text) or (ErrorKind.REJECTED, f"The image service refused the request. It said: “{clip(text)}”")
