"""Job messages posted on Discord that the ledger may not hold yet.

Between posting a job's message and writing it to the ledger lies an await; a kill there would leave
the message at "Waiting to start" for good. So each message is noted here as soon as Discord answers —
one synchronous append, nothing awaited in between — and struck off once the ledger holds it. Before
the message is asked for, what finds it again is noted too (`Unread`): a kill while Discord's reply is
on its way leaves a message whose id the bot never read. An interaction's answer is found by its token
(`@original`, for 15 minutes); a message sent to a channel carries a nonce, and sent again with it
Discord hands back the one it made (for a few minutes). At the next start the ones left over are
settled (`settle_left_over`). A kill only ends the process, so the appends need no fsync: the kernel
still writes them. The file holds interaction tokens: it is private to the bot's user and its lines are
never logged.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import cast

import discord

from bot.client.replies import NO_MENTIONS
from bot.core.jobs import JobService
from bot.core.text import Text
from bot.i18n import render
from bot.settings import Settings

log = logging.getLogger(__name__)

COMPACT_AFTER = 10_000  # lines; then the file is rewritten with only the open entries
TOKEN_USABLE_FOR = 14 * 60.0  # seconds an interaction token finds its answer (Discord: 15 minutes)
NONCE_WINDOW = 4 * 60.0  # seconds Discord hands back the message made with a nonce ("a few minutes")


@dataclass(frozen=True)
class Posted:
    message_id: int
    channel_id: int
    job_id: int | None  # known when the job was recorded before its message (button presses)
    locale: str
    unread: str | None = None  # the `Unread` entry this message settles


@dataclass(frozen=True)
class Unread:
    """A job's message about to be made: an interaction's answer (found by its token), or a channel
    message sent with the nonce `key` (found by sending it again)."""

    key: str  # "i<interaction id>", or the nonce
    channel_id: int
    job_id: int | None
    locale: str
    at: float  # when noted: an expired token or nonce is not tried
    application_id: int | None = None
    token: str | None = None


def answer_key(interaction_id: int) -> str:
    return f"i{interaction_id}"


class PostedMessages:
    def __init__(self, path: Path | None) -> None:
        self._path = path  # None: not kept (an in-memory ledger cannot be recovered anyway)
        self._fd: int | None = None
        self._open: dict[int, Posted] = {}
        self._unread: dict[str, Unread] = {}
        self._lines = 0

    def left_over(self) -> list[Posted]:
        """What the previous run posted and never struck off."""
        return self._read()[0]

    def left_unread(self) -> list[Unread]:
        """Messages the previous run was making when it stopped, whose id it never noted."""
        return self._read()[1]

    def _read(self) -> tuple[list[Posted], list[Unread]]:
        if self._path is None or not self._path.exists():
            return [], []
        entries: dict[int, Posted] = {}
        unread: dict[str, Unread] = {}
        lines = self._path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, 1):
            try:
                if line.startswith("+"):
                    posted = Posted(**json.loads(line[1:]))
                    entries[posted.message_id] = posted
                    unread.pop(posted.unread or "", None)
                elif line.startswith("-"):
                    entries.pop(int(line[1:]), None)
                elif line.startswith("?"):
                    making = Unread(**json.loads(line[1:]))
                    unread[making.key] = making
                elif line.startswith("!"):
                    unread.pop(line[1:], None)
            except (ValueError, TypeError):  # a torn last write; not shown: it may hold a token
                log.warning("posted-messages journal: unreadable line %d skipped", number)
        return list(entries.values()), list(unread.values())

    def start(self) -> None:
        """Begin a fresh journal; call once the left-over entries are settled."""
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def answering(self, interaction: discord.Interaction, job_id: int | None = None) -> str:
        """Before the interaction is answered: its key, for `posted` or `gone`."""
        channel_id, locale = interaction.channel_id or 0, str(interaction.locale)
        entry = Unread(
            answer_key(interaction.id), channel_id, job_id, locale, time.time(), interaction.application_id,
            interaction.token,
        )  # fmt: skip
        return self._note(entry)

    def sending(self, channel_id: int, job_id: int | None, locale: str) -> str:
        """Before a job's message is sent to a channel: the nonce to send it with (and its key)."""
        return self._note(Unread("n" + secrets.token_hex(8), channel_id, job_id, locale, time.time()))

    def _note(self, entry: Unread) -> str:
        self._unread[entry.key] = entry
        self._write("?" + json.dumps(asdict(entry), separators=(",", ":")))
        return entry.key

    def gone(self, *keys: str) -> None:
        """The message was not made, or the answer was no job's message (a refusal): nothing to find."""
        for key in keys:
            if self._unread.pop(key, None) is not None:
                self._write(f"!{key}")

    def posted(self, entry: Posted) -> None:
        """The message is known (one line, which also settles its `Unread` entry)."""
        if entry.unread is not None and self._unread.pop(entry.unread, None) is None:
            entry = replace(entry, unread=None)
        self._open[entry.message_id] = entry
        self._write("+" + json.dumps(asdict(entry), separators=(",", ":")))

    def recorded(self, message_id: int) -> None:
        if self._open.pop(message_id, None) is None:
            return
        self._write(f"-{message_id}")
        if self._lines > COMPACT_AFTER:
            self._compact()

    def _write(self, line: str) -> None:
        if self._fd is not None:
            os.write(self._fd, (line + "\n").encode())
            self._lines += 1

    def _compact(self) -> None:
        assert self._path is not None
        fresh = self._path.with_suffix(".tmp")
        now = time.time()  # an entry never settled (an error in between) is of no use once it expires
        self._unread = {k: u for k, u in self._unread.items() if now - u.at <= TOKEN_USABLE_FOR}
        kept = [("?", u) for u in self._unread.values()] + [("+", p) for p in self._open.values()]
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # private: it holds tokens
        with os.fdopen(fd, "w") as out:
            out.write("".join(f"{mark}{json.dumps(asdict(e), separators=(',', ':'))}\n" for mark, e in kept))
        os.replace(fresh, self._path)
        self.close()
        self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND, 0o600)
        self._lines = len(kept)


def journal_path(settings: Settings) -> Path | None:
    """`<DATABASE_PATH>.posted`; each shard process its own (`….shards-0-1of4.posted`), as it settles only
    its own messages and processes sharing a ledger must not write one file."""
    path = str(settings.database_path)
    if path == ":memory:":
        return None
    return Path(path + (f".shards-{settings.shards.tag}" if settings.shard_count is not None else "") + ".posted")


async def settle_left_over(journal: PostedMessages, client: discord.Client, jobs: JobService) -> None:
    """Messages the previous run posted just before it died, before their job was recorded; then a
    fresh journal. Runs before the job service starts, whose recovery then ends the jobs it knows."""
    for unread in journal.left_unread():
        await _settle_unread(unread, client, jobs)
    for posted in journal.left_over():
        if posted.job_id is not None:  # the job was recorded first: give it its message, recovery ends it
            await _give_message(jobs, posted.job_id, posted.message_id)
            continue
        if await jobs.ledger.jobs_where("message_id = ?", (posted.message_id,)):
            continue  # recorded after all
        message = client.get_partial_messageable(posted.channel_id).get_partial_message(posted.message_id)
        await _end_unrecorded(message, posted.locale)
    journal.start()


async def _give_message(jobs: JobService, job_id: int, message_id: int) -> None:
    job = await jobs.ledger.get(job_id)
    if job is not None and job.message_id is None:
        await jobs.set_message(job.id, message_id)


def _unrecorded_text(locale: str) -> str:
    return "❌ " + render(Text("job-restarted-unrecorded"), locale)


async def _end_unrecorded(message: discord.PartialMessage | discord.Message, locale: str) -> None:
    log.warning("message %s: posted just before the bot stopped, no job recorded; nothing charged", message.id)
    try:
        await message.edit(content=_unrecorded_text(locale), view=None, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        log.warning("message %s could not be ended: %s", message.id, exc)


async def _settle_unread(entry: Unread, client: discord.Client, jobs: JobService) -> None:
    """A message the previous run asked for without reading Discord's reply: found again, and ended
    like the posted ones (a recorded job's by recovery, the others here)."""
    if time.time() - entry.at > (TOKEN_USABLE_FOR if entry.token else NONCE_WINDOW):
        log.warning("a job message made just before the bot stopped is too old to find (%s)", entry.key[:1])
        return
    try:
        if entry.token is not None:
            hook = discord.Webhook.partial(entry.application_id or 0, entry.token, client=client)
            message: discord.Message = await hook.fetch_message(cast(int, "@original"))  # Discord's alias
        else:  # Discord hands back the message it made with this nonce, or makes this one now
            channel = client.get_partial_messageable(entry.channel_id)
            text = _unrecorded_text(entry.locale)
            message = await channel.send(text, nonce=entry.key, allowed_mentions=NO_MENTIONS)
    except discord.NotFound:
        return  # never answered: Discord told the member the bot did not respond
    except discord.HTTPException as exc:
        log.warning("a job message made just before the bot stopped could not be looked up: %s", exc)
        return
    if entry.job_id is not None:
        await _give_message(jobs, entry.job_id, message.id)
    elif message.content != _unrecorded_text(entry.locale) and not await jobs.ledger.jobs_where(
        "message_id = ?", (message.id,)
    ):  # (a message with that text was made just now, and says so already)
        await _end_unrecorded(message, entry.locale)
