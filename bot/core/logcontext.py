"""Who a log line is about: the server and member of the interaction being handled, for structured logs.

Set once per interaction (the client's command tree); read by the JSON log format (bot/log.py). A ContextVar,
so each interaction's task carries its own.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class About:
    guild_id: int | None = None
    member_id: int | None = None


NOBODY = About()
CURRENT: ContextVar[About | None] = ContextVar("log_about", default=None)


def bind(guild_id: int | None, member_id: int | None) -> None:
    CURRENT.set(About(guild_id, member_id))


def current() -> About:
    return CURRENT.get() or NOBODY
