"""Secrets out of every text the bot shows, stores or logs, even when an API echoes them back.

The configured secrets (the API key, the bot token) are registered at start; on top of them, anything
shaped like a credential is masked: `sk-…` keys, `Bearer …` values, Discord bot tokens, JWTs and
`key=…`/`token: …` pairs.
"""

from __future__ import annotations

import re

from bot.core.text import Text

MASK = "[redacted]"

_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}"),
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=\-]{6,}"),
    re.compile(r"\b[A-Za-z0-9_\-]{23,28}\.[A-Za-z0-9_\-]{6,7}\.[A-Za-z0-9_\-]{27,}"),  # Discord bot token
    re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),  # JWT
    re.compile(
        r"(?i)\b(api[_-]?key|apikey|access[_-]?token|token|secret|password|mj-api-secret|authorization)"
        r"(\"?\s*[:=]\s*\"?)[^\s\"',;&]{6,}"
    ),
)

_secrets: list[str] = []


def register_secret(secret: str) -> None:
    """A configured secret to mask wherever it appears (shorter than 6 characters: too common to mask)."""
    if len(secret) >= 6 and secret not in _secrets:
        _secrets.append(secret)
        _secrets.sort(key=len, reverse=True)  # a secret containing another is masked whole


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(_masked, text)
    return text


def _masked(match: re.Match[str]) -> str:
    if match.lastindex and match.lastindex >= 2:  # `name=value`: keep the name, so the admin sees what it was
        return f"{match[1]}{match[2]}{MASK}"
    return MASK


def redact_text(text: Text) -> Text:
    """A member's message with every string argument scrubbed (an upstream's words may echo a key)."""
    args = {k: redact_text(v) if isinstance(v, Text) else redact(v) if isinstance(v, str) else v
            for k, v in text.args.items()}  # fmt: skip
    return Text(text.key, **args)
