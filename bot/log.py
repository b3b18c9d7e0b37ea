"""Logging set-up: one format for every logger, with secrets scrubbed from every line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from bot.core.redact import redact, register_secret


class RedactingFormatter(logging.Formatter):
    """Masks every secret and anything shaped like one in the final line, tracebacks included."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        for secret in secrets:
            register_secret(secret)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(level: str, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Per-request lines from these are noise at INFO.
    for noisy in ("httpx", "httpcore", "discord.http", "discord.gateway", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
