"""LOG_FORMAT=json: one JSON object a line, naming the job, server and member a line is about, secrets redacted."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from bot.core import logcontext
from bot.log import JsonFormatter, RedactingFormatter, setup_logging


def line(record: logging.LogRecord) -> dict[str, object]:
    return json.loads(JsonFormatter(["sekrit-token-123"]).format(record))


def record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("bot.core.jobs", logging.WARNING, __file__, 1, msg, args, None)
    made.__dict__.update(extra)
    return made


def test_ids_come_from_the_format_string_the_interaction_and_extra() -> None:
    got = line(record("job %s: submit refused: %s (user %d)", 41, "Bearer sekrit-token-123", 7))
    assert got["job_id"] == 41 and got["member_id"] == 7 and "guild_id" not in got
    assert got["level"] == "warning" and got["logger"] == "bot.core.jobs"
    assert "sekrit-token-123" not in str(got["message"]) and str(got["message"]).startswith("job 41: submit refused")
    assert str(got["time"]).endswith("+00:00")

    logcontext.bind(guild_id=900, member_id=8)
    try:
        got = line(record("input refused: %s", "too long", job_id=5))
        assert (got["guild_id"], got["member_id"], got["job_id"]) == (900, 8, 5)
    finally:
        logcontext.bind(None, None)
    assert "job_id" not in line(record("the image service is failing (%s)", "timeout"))
    assert "job_id" not in line(record("job %s", "not-an-id"))


def test_tracebacks_are_one_field_and_redacted() -> None:
    try:
        raise RuntimeError("boom sekrit-token-123")
    except RuntimeError:
        failed = logging.LogRecord("bot", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    got = line(failed)
    assert "RuntimeError" in str(got["exception"]) and "sekrit-token-123" not in json.dumps(got)


@pytest.mark.parametrize(("fmt", "kind"), [("json", JsonFormatter), ("text", RedactingFormatter)])
def test_setup_picks_the_format(fmt: str, kind: type) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        setup_logging("INFO", (), fmt)
        assert isinstance(root.handlers[0].formatter, kind)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
