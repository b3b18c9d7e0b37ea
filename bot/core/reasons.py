"""What an upstream's own reason means, in plain words, whichever dialect or language it came in.

Midjourney proxies, resellers' gateways and AceData put the cause of a refusal or a failure in free
text, often Chinese. Known reasons get a kind and a sentence that says what happened and who can act;
unknown ones are shown as the service's own words (scrubbed of secrets and clipped).
"""

from __future__ import annotations

import re

from bot.core.errors import ErrorKind, clip
from bot.core.redact import redact
from bot.core.text import Text

MODERATION_HINTS = (
    "banned prompt",
    "敏感词",
    "moderat",
    "违规",
    "community standards",
    "output filter",
)
MODERATION_MESSAGE = Text("upstream-moderation")
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

# (pattern, kind, catalog key); the first that matches wins. A `model` group becomes the message's `$model`.
_KNOWN: tuple[tuple[re.Pattern[str], ErrorKind, str], ...] = (
    (
        re.compile(r"(?:模型|model)\s*(?P<model>[\w.\-]+)\s*(?:下)?\s*无可用渠道|no available channel", re.I),
        ErrorKind.CONFIG,
        "upstream-no-channel",
    ),
    (
        re.compile(r"无可用的?账号|无可用实例|no (?:available|usable) account", re.I),
        ErrorKind.UNAVAILABLE,
        "upstream-no-account",
    ),
    (
        re.compile(r"实例不可用|instance unavailable", re.I),
        ErrorKind.UNAVAILABLE,
        "upstream-account-lost",
    ),
    (
        re.compile(r"任务失败，?请重试"),
        ErrorKind.FAILED,
        "upstream-failed-retry",
    ),
    (
        re.compile(r"账号已被临时封锁|temporar\w* (?:blocked|banned)", re.I),
        ErrorKind.UNAVAILABLE,
        "upstream-account-blocked",
    ),
    (
        re.compile(r"Pending mod message|Plan Cancelled|Subscription (?:required|paused)|^Blocked\b", re.I),
        ErrorKind.CONFIG,
        "upstream-account-standing",
    ),
    (
        re.compile(r"超时|timeout|timed out", re.I),
        ErrorKind.TIMEOUT,
        "upstream-timed-out",
    ),
    (
        re.compile(r"额度不足|余额不足|insufficient (?:quota|balance)|quota exceeded", re.I),
        ErrorKind.CONFIG,
        "upstream-out-of-credit",
    ),
)


def moderation(reason: str) -> bool:
    low = reason.lower()
    return any(h in low for h in MODERATION_HINTS)


def queue_full(reason: str) -> bool:
    low = reason.lower()
    return any(h in low for h in QUEUE_FULL_HINTS)


def known(reason: str) -> tuple[ErrorKind, Text] | None:
    """The kind and plain words of a reason the bot recognises, else None; the plain words carry the
    service's own (they often say more, e.g. which account state), unless those hold a secret."""
    explained = _explained(reason)
    if explained is None:
        return None
    kind, message = explained
    words = clip(reason.strip())
    if redact(words) != words:  # a key or token in the reason: the admin's log has it, scrubbed
        return kind, message
    return kind, Text("upstream-explained", explanation=message, reason=words)


def _explained(reason: str) -> tuple[ErrorKind, Text] | None:
    if moderation(reason):
        return ErrorKind.MODERATION, MODERATION_MESSAGE
    if queue_full(reason):
        return ErrorKind.BUSY, Text("upstream-at-limit")
    for pattern, kind, key in _KNOWN:
        if m := pattern.search(reason):
            # A reseller that names no model is told as "none" (the catalog's wording for that case).
            named = {"model": m["model"] or "none"} if "model" in pattern.groupindex else {}
            return kind, Text(key, **named)
    return None


def failure_message(reason: str | None, kind: ErrorKind | None = None) -> tuple[ErrorKind, Text]:
    """A failed task's reason → (kind, message for the member); `kind` is what the dialect knew beyond the text."""
    if kind is ErrorKind.MODERATION:
        return kind, MODERATION_MESSAGE
    text = (reason or "").strip()
    if not text:
        return ErrorKind.FAILED, Text("upstream-failed-no-reason")
    return known(text) or (ErrorKind.FAILED, Text("upstream-failed-said", reason=clip(text)))


def refusal_message(reason: str, fallback: Text) -> tuple[ErrorKind, Text]:
    """A refused request's reason → (kind, message); `fallback` when the service said nothing."""
    text = reason.strip()
    if not text:
        return ErrorKind.REJECTED, fallback
    return known(text) or (ErrorKind.REJECTED, Text("upstream-refused-said", reason=clip(text)))
