"""Errors the core raises, each with a `Text` fit to show a Discord member."""

from __future__ import annotations

from enum import StrEnum

from bot.core.redact import redact
from bot.core.text import Text


class ErrorKind(StrEnum):
    INVALID_INPUT = "invalid_input"  # refused before anything was paid
    MODERATION = "moderation"
    BUSY = "busy"  # queue full: try again later
    NOT_FOUND = "not_found"  # parent task unknown upstream
    REJECTED = "rejected"  # validation or other refusal by the API
    AUTH = "auth"  # API key refused: an admin must act
    CONFIG = "config"  # the API's account or reseller is set up wrong (no channel, no credit): an admin must act
    UNAVAILABLE = "unavailable"  # 5xx, connection refused
    TIMEOUT = "timeout"
    MALFORMED = "malformed"  # an answer the bot cannot read
    FAILED = "failed"  # the task itself failed upstream


class UserFacingError(Exception):
    """Everything a member should be told: `text` is safe to show (no secrets, no internal URLs).

    The Discord layer answers it privately, in the member's language (`bot.client.errors.answer_error`);
    `detail` is for the log only."""

    def __init__(self, text: Text, *, detail: str = "") -> None:
        super().__init__(text, detail)
        self.text = text
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.text} ({self.detail})" if self.detail else str(self.text)


class MJError(UserFacingError):
    """What the image service or the input made impossible, with its kind."""

    def __init__(self, kind: ErrorKind, text: Text, *, detail: str = "") -> None:
        super().__init__(text, detail=detail)
        self.kind = kind


class InvalidInput(MJError):
    def __init__(self, text: Text) -> None:
        super().__init__(ErrorKind.INVALID_INPUT, text)


class ProviderError(MJError):
    """The API refused a request or could not be reached."""

    def __init__(
        self,
        kind: ErrorKind,
        text: Text,
        *,
        detail: str = "",
        status: int | None = None,
        retry_after: float | None = None,
        unsent: bool = False,
    ):
        super().__init__(kind, text, detail=detail)
        self.status = status
        self.retry_after = retry_after  # seconds the API asked to wait (HTTP Retry-After)
        self.unsent = unsent  # the request never reached the API (no connection): nothing can have been taken


def clip(text: str, limit: int = 200) -> str:
    """An API's text on one line, without secrets, short enough for a Discord message."""
    text = redact(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"
