"""A member's own defaults in one server (`/prefer suffix`, `/settings`): speed mode, bot, Remix, a suffix.

Kept in the ledger (`member_preferences`, on either database) and mirrored in memory, because /imagine
answers before any I/O and so reads the mirror. The mirror is filled at start and changed by every write
made here; `read` refreshes one member from the ledger (another process may have written).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bot.core.errors import InvalidInput
from bot.core.ledger import Ledger
from bot.core.moderation import banned_word
from bot.core.prompts import MAX_PROMPT_CHARS, checked_prompt, clean
from bot.core.storage import Row
from bot.core.text import Text

MODES = ("fast", "relax", "turbo")
BOTS = ("MID_JOURNEY", "NIJI_JOURNEY")
MAX_SUFFIX_CHARS = MAX_PROMPT_CHARS // 3  # leaves most of the limit to the prompts it is appended to
VERSIONS = ("8.1", "8", "7", "6.1")  # offered in /settings (a prompt's own --v may name any)
_COLUMNS = ("mode", "bot_type", "remix", "suffix", "version")


@dataclass(frozen=True)
class Preference:
    """None and empty mean "as the server has it" (its default, else the bot's)."""

    mode: str | None = None  # fast | relax | turbo
    bot_type: str | None = None  # MID_JOURNEY | NIJI_JOURNEY
    remix: bool = False  # variations, re-rolls and pans open the prompt dialog first
    suffix: str = ""  # appended to every /imagine prompt
    version: str | None = None  # the Midjourney version of prompts that name none (versions.py)

    def suffixed(self, prompt: str, *, has_images: bool = False) -> str:
        """`prompt` with the suffix appended, checked as one prompt; `InvalidInput` says why not."""
        if not self.suffix:
            return checked_prompt(prompt, has_images=has_images)
        own = checked_prompt(prompt, has_images=has_images)  # the member's own words are judged first
        whole = f"{own} {self.suffix}"
        if len(whole) > MAX_PROMPT_CHARS:
            raise InvalidInput(Text("prompt-too-long-suffix", length=len(whole), limit=MAX_PROMPT_CHARS))
        return checked_prompt(whole, has_images=has_images)


def checked_suffix(text: str, banned_words: list[str]) -> str:
    """A suffix fit to append to prompts ("" clears it): valid parameters, room left, none of the server's
    banned words. Raises `InvalidInput`."""
    suffix = clean(text)
    if not suffix:
        return ""
    if len(suffix) > MAX_SUFFIX_CHARS:
        raise InvalidInput(Text("suffix-too-long", length=len(suffix), limit=MAX_SUFFIX_CHARS))
    checked_prompt(suffix, has_images=True)  # parameters and marks as in a prompt; a suffix may be only flags
    if word := banned_word(suffix, banned_words):
        raise InvalidInput(Text("suffix-banned-word", word=word))
    return suffix


class Preferences:
    def __init__(self, ledger: Ledger, clock: Callable[[], float] = time.time) -> None:
        self.ledger = ledger
        self._clock = clock
        self._mirror: dict[tuple[int, int], Preference] = {}

    async def load(self) -> None:
        """Every stored preference into memory (at start, before any interaction)."""
        rows = await self.ledger.fetch_all(f"SELECT guild_id, user_id, {', '.join(_COLUMNS)} FROM member_preferences")
        self._mirror = {(int(r["guild_id"]), int(r["user_id"])): _from_row(r) for r in rows}

    def of(self, guild_id: int | None, user_id: int) -> Preference:
        """From memory, no I/O: fit to read before an interaction is answered."""
        return self._mirror.get((guild_id, user_id), Preference()) if guild_id is not None else Preference()

    async def read(self, guild_id: int, user_id: int) -> Preference:
        """From the ledger (another process may have changed it); the mirror follows."""
        row = await self.ledger.storage.fetch_one(
            f"SELECT {', '.join(_COLUMNS)} FROM member_preferences WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        found = _from_row(row) if row else Preference()
        self._mirror[(guild_id, user_id)] = found
        return found

    async def change(self, guild_id: int, user_id: int, **changes: Any) -> Preference:
        """Set some of `mode`, `bot_type`, `remix`, `suffix`, `version` (the caller checked a suffix); the others
        stay."""
        unknown = set(changes) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"not a preference: {sorted(unknown)}")
        _check(replace(Preference(), **changes))
        values = {name: int(v) if isinstance(v, bool) else v for name, v in changes.items()}
        names = [*values, "updated_at"]
        updates = ", ".join(f"{name} = excluded.{name}" for name in names)
        async with self.ledger.transaction() as db:
            # Only the named columns: a change of the mode in one process never undoes another's suffix.
            await db.execute(
                f"INSERT INTO member_preferences (guild_id, user_id, {', '.join(names)})"
                f" VALUES (?, ?, {', '.join('?' for _ in names)})"
                f" ON CONFLICT(guild_id, user_id) DO UPDATE SET {updates}",
                (guild_id, user_id, *values.values(), self._clock()),
            )
            row = await db.fetch_one(
                f"SELECT {', '.join(_COLUMNS)} FROM member_preferences WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
        assert row is not None
        self._mirror[(guild_id, user_id)] = found = _from_row(row)
        return found


def _check(preference: Preference) -> None:
    if preference.mode not in (None, *MODES):
        raise ValueError(f"unknown mode {preference.mode!r}")
    if preference.bot_type not in (None, *BOTS):
        raise ValueError(f"unknown bot {preference.bot_type!r}")
    if preference.version not in (None, *VERSIONS):
        raise ValueError(f"unknown version {preference.version!r}")


def _from_row(row: Row) -> Preference:
    return Preference(row["mode"], row["bot_type"], bool(row["remix"]), row["suffix"] or "", row["version"])
