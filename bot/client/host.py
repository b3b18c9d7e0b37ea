"""What a feature needs from the bot that loads it: the core and the settings.

A protocol, so that features depend on it and not on the app that loads them (dependencies one way:
app → features → host, core).
"""

from __future__ import annotations

from typing import Protocol

from bot.client.web import WebServer
from bot.core.images import ImageFetcher
from bot.core.jobs import JobService
from bot.core.preferences import Preferences
from bot.settings import Settings


class Host(Protocol):
    settings: Settings
    jobs: JobService
    fetcher: ImageFetcher
    preferences: Preferences
    web: WebServer | None  # features add their routes while they load; None: OPS_PORT is not set

    def feature_on(self, feature: str) -> bool:
        """Whether the feature `cogs.<feature>` is loaded (`EXTENSIONS`)."""
        ...
