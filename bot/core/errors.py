"""Errors the core raises, each with a message fit to show a Discord user."""

from __future__ import annotations

from enum import StrEnum

from bot.core.redact import redact


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
    """Everything a member should be told: `user_message` is safe to show (no secrets, no internal URLs).

    The Discord layer answers it privately, in the member's language (`bot.client.errors.answer_error`)."""

    def __init__(self, user_message: str, *, detail: str = "") -> None:
        super().__init__(user_message if not detail else f"{user_message} ({detail})")
        self.user_message = user_message
        self.detail = detail


class MJError(UserFacingError):
    """What the image service or the input made impossible, with its kind."""

    def __init__(self, kind: ErrorKind, user_message: str, *, detail: str = "") -> None:
        super().__init__(user_message, detail=detail)
        self.kind = kind


class InvalidInput(MJError):
    def __init__(self, user_message: str) -> None:
        super().__init__(ErrorKind.INVALID_INPUT, user_message)


class ProviderError(MJError):
    """The API refused a request or could not be reached."""

    def __init__(
        self,
        kind: ErrorKind,
        user_message: str,
        *,
        detail: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(kind, user_message, detail=detail)
        self.status = status
        self.retry_after = retry_after  # seconds the API asked to wait (HTTP Retry-After)


def clip(text: str, limit: int = 200) -> str:
    """An API's text on one line, without secrets, short enough for a Discord message."""
    text = redact(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"
