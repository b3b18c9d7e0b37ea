"""The catalog's names of a job's kind and state (`JobAction`, `JobStatus`), as /history and /job show them."""

from __future__ import annotations

from bot.core.models import JobAction, JobStatus
from bot.core.text import Text


def action_text(action: JobAction) -> Text:
    """`action-` and the value, `_` as `-` (`upscale_hd`: `action-upscale-hd`)."""
    return Text(f"action-{action.value.replace('_', '-')}")


def status_text(status: JobStatus) -> Text:
    return Text(f"status-{status.value.replace('_', '-')}")
