"""Logging set-up: one format for every logger (text, or one JSON object a line), secrets scrubbed from every line."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from bot.core import logcontext
from bot.core.redact import redact, register_secret

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# The code's convention names a job and a member in the format string (`"job %s: …", job.id`, `"user %s"`):
# their placeholders' arguments become the JSON line's `job_id` and `member_id`.
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
_LAST_WORD = re.compile(r"(\w+)\s*$")
_NAMED = {"job": "job_id", "user": "member_id"}


class RedactingFormatter(logging.Formatter):
    """Masks every secret and anything shaped like one in the final line, tracebacks included."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        for secret in secrets:
            register_secret(secret)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and `job_id`, `guild_id` and
    `member_id` where the line is about one (given as `extra=`, named by the format string, or the interaction
    being handled); `exception` with the traceback. Every text redacted, as in the text format."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        for secret in secrets:
            register_secret(secret)

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        about = logcontext.current()
        ids = {"job_id": None, "guild_id": about.guild_id, "member_id": about.member_id} | _named_ids(record)
        for key in ids:
            ids[key] = getattr(record, key, ids[key])  # `extra=` wins
        line |= {k: v for k, v in ids.items() if v is not None}
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        elif record.stack_info:
            line["exception"] = redact(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def _named_ids(record: logging.LogRecord) -> dict[str, Any]:
    if not isinstance(record.msg, str) or not isinstance(record.args, tuple) or not record.args:
        return {}
    found: dict[str, Any] = {}
    placeholders = [m for m in _PLACEHOLDER.finditer(record.msg) if m.group() != "%%"]
    for index, match in enumerate(placeholders[: len(record.args)]):
        before = _LAST_WORD.search(record.msg[: match.start()])
        word = before.group(1).lower() if before else ""
        if word in _NAMED and isinstance(record.args[index], int):
            found.setdefault(_NAMED[word], record.args[index])
    return found


def setup_logging(level: str, secrets: Iterable[str] = (), log_format: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    formatter = JsonFormatter(secrets) if log_format == "json" else RedactingFormatter(TEXT_FORMAT, secrets)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Per-request lines from these are noise at INFO.
    for noisy in ("httpx", "httpcore", "discord.http", "discord.gateway", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
