"""Start-up checks that end in one clear line instead of a traceback.

Discord unreachable: retried with backoff for `STARTUP_RETRY_SECONDS`, then `StartupError` (exit 1). The
token refused: `StartupError` at once. The image API unreachable or refusing the key: a warning, and the
bot starts anyway (jobs fail clearly until it answers, and polling backs off meanwhile).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp
import discord

from bot.core.errors import MJError, clip
from bot.core.providers.base import Provider

log = logging.getLogger(__name__)

ATTEMPT_SECONDS = 5.0  # Discord answers a login in well under a second
PROBE_TASK = "mjbot-probe"  # asking for a task that does not exist costs nothing


class StartupError(Exception):
    """The bot cannot start; the message says why and what to check, in one line."""


async def log_in(bot: discord.Client, token: str, api_base: str, within: float) -> None:
    """Log in to Discord, retrying while it cannot be reached, for at most `within` seconds (or until the bot is
    closed: a SIGTERM while retrying ends the process at once).

    An attempt that gets no answer within `ATTEMPT_SECONDS` counts as unreachable (a dropped route answers
    nothing for minutes), so the first line saying so comes at once.
    """
    loop = asyncio.get_running_loop()
    deadline, delay = loop.time() + within, 1.0
    while not bot.is_closed():  # closed (SIGTERM) while retrying: stop trying, the caller ends
        try:
            await _attempt(bot, token, min(ATTEMPT_SECONDS, max(deadline - loop.time(), 0.1)))
            return
        except discord.LoginFailure:
            raise StartupError("DISCORD_TOKEN was refused by Discord (check the token)") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            if bot.user is not None:  # logged in: a later step failed, which a retry would repeat
                raise
            reason = clip(str(exc) or type(exc).__name__, 160)
            left = deadline - loop.time()
            if left <= 0:
                raise StartupError(
                    f"cannot reach Discord at DISCORD_API_BASE={api_base} ({reason}); check the network"
                ) from None
            log.warning("cannot reach Discord at %s (%s); trying again in %.0f s", api_base, reason, min(delay, left))
            # discord.py opens a new HTTP session per login: the failed one's is closed, with its connector.
            await bot.http.close()
            bot.http.connector = discord.utils.MISSING
            await _pause(bot, min(delay, left))
            delay = min(delay * 2, 30.0)


async def _pause(bot: discord.Client, seconds: float) -> None:
    """Sleep `seconds`, or less if the bot is closed meanwhile (discord.py offers no event for that: looked at)."""
    until = asyncio.get_running_loop().time() + seconds
    while not bot.is_closed() and (left := until - asyncio.get_running_loop().time()) > 0:  # noqa: ASYNC110
        await asyncio.sleep(min(left, 0.25))


async def _attempt(bot: discord.Client, token: str, seconds: float) -> None:
    """`bot.login`, given up when Discord has not answered within `seconds`; once it has (the bot knows its
    user), the set-up that follows in `login` is never cut short."""
    attempt = asyncio.ensure_future(bot.login(token))
    done, _ = await asyncio.wait({attempt}, timeout=seconds)
    if not done and bot.user is None:
        attempt.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await attempt
        if bot.user is None:
            raise TimeoutError(f"no answer within {seconds:.0f} s")
    await attempt


async def probe_api(provider: Provider) -> MJError | None:
    """Why the image API does not answer with the configured key, or None when it does (a status request
    for a task that does not exist: free)."""
    try:
        await provider.fetch_many([PROBE_TASK])
    except MJError as exc:
        return exc
    return None


async def check_api(provider: Provider, api_base: str) -> bool:
    """`probe_api` at start: a warning when the API does not answer, and the bot starts anyway."""
    if (problem := await probe_api(provider)) is not None:
        log.warning("the image API at %s does not answer as it should: %s; starting anyway", api_base, problem)
        return False
    return True
