"""Job messages posted on Discord that the ledger may not hold yet.

Between posting a job's message and writing it to the ledger lies an await; a kill there would leave
the message at "Waiting to start" for good. So each message is noted here as soon as Discord answers —
one synchronous append, nothing awaited in between — and struck off once the ledger holds it. Before
an interaction is answered, what finds its answer again is noted too (`Answering`: the interaction and
its token), since a kill while Discord's reply is on its way leaves a message whose id the bot never
read. At the next start the ones left over are settled (`settle_left_over`). A kill only ends the
process, so the appends need no fsync: the kernel still writes them. The file holds interaction tokens
(valid 15 minutes): it is private to the bot's user and its lines are never logged.
"""

from __future__ import annotations

import json
import logging
import os
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


@dataclass(frozen=True)
class Posted:
    message_id: int
    channel_id: int
    job_id: int | None  # known when the job was recorded before its message (button presses)
    locale: str
    interaction_id: int | None = None  # the answer it was: its `Answering` entry is settled with it


@dataclass(frozen=True)
class Answering:
    """An interaction about to be answered with a job's message (or deferred before one is posted)."""

    interaction_id: int
    application_id: int
    token: str
    channel_id: int
    locale: str
    at: float  # when noted, so an expired token is not tried


class PostedMessages:
    def __init__(self, path: Path | None) -> None:
        self._path = path  # None: not kept (an in-memory ledger cannot be recovered anyway)
        self._fd: int | None = None
        self._open: dict[int, Posted] = {}
        self._answering: dict[int, Answering] = {}
        self._lines = 0

    def left_over(self) -> list[Posted]:
        """What the previous run posted and never struck off."""
        return self._read()[0]

    def unanswered(self) -> list[Answering]:
        """Interactions the previous run was answering when it stopped, whose message it never noted."""
        return self._read()[1]

    def _read(self) -> tuple[list[Posted], list[Answering]]:
        if self._path is None or not self._path.exists():
            return [], []
        entries: dict[int, Posted] = {}
        answering: dict[int, Answering] = {}
        lines = self._path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, 1):
            try:
                if line.startswith("+"):
                    posted = Posted(**json.loads(line[1:]))
                    entries[posted.message_id] = posted
                    answering.pop(posted.interaction_id or 0, None)
                elif line.startswith("-"):
                    entries.pop(int(line[1:]), None)
                elif line.startswith("?"):
                    answer = Answering(**json.loads(line[1:]))
                    answering[answer.interaction_id] = answer
                elif line.startswith("!"):
                    answering.pop(int(line[1:]), None)
            except (ValueError, TypeError):  # a torn last write; not shown: it may hold a token
                log.warning("posted-messages journal: unreadable line %d skipped", number)
        return list(entries.values()), list(answering.values())

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

    def answering(self, entry: Answering) -> None:
        """Before the answer: a kill while Discord's reply is on its way still finds the message."""
        self._answering[entry.interaction_id] = entry
        self._write("?" + json.dumps(asdict(entry), separators=(",", ":")))

    def unanswerable(self, interaction_id: int) -> None:
        """The answer failed, or ended without a job's message (a refusal): nothing to find."""
        if self._answering.pop(interaction_id, None) is not None:
            self._write(f"!{interaction_id}")

    def posted(self, entry: Posted) -> None:
        """The message is known (one line, which also settles its interaction's `Answering` entry)."""
        if entry.interaction_id is not None and self._answering.pop(entry.interaction_id, None) is None:
            entry = replace(entry, interaction_id=None)
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
        now = time.time()  # an answer never settled (an error in between) is of no use once its token expires
        self._answering = {k: a for k, a in self._answering.items() if now - a.at <= TOKEN_USABLE_FOR}
        kept = [("?", a) for a in self._answering.values()] + [("+", p) for p in self._open.values()]
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
    for answer in journal.unanswered():
        await _settle_unanswered(answer, client, jobs)
    for posted in journal.left_over():
        if posted.job_id is not None:  # the job was recorded first: give it its message, recovery ends it
            job = await jobs.ledger.get(posted.job_id)
            if job is not None and job.message_id is None:
                await jobs.set_message(job.id, posted.message_id)
            continue
        if await jobs.ledger.jobs_where("message_id = ?", (posted.message_id,)):
            continue  # recorded after all
        log.warning(
            "message %s: posted just before the bot stopped, no job recorded; nothing charged", posted.message_id
        )
        reason = render(Text("job-restarted-unrecorded"), posted.locale)
        text = f"❌ {reason}"
        message = client.get_partial_messageable(posted.channel_id).get_partial_message(posted.message_id)
        try:
            await message.edit(content=text, view=None, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("message %s could not be ended: %s", posted.message_id, exc)
    journal.start()


async def _settle_unanswered(answer: Answering, client: discord.Client, jobs: JobService) -> None:
    """An answer the previous run sent without reading Discord's reply: found by its token, and ended
    like any unrecorded message unless a job holds it after all (then recovery ends it)."""
    if time.time() - answer.at > TOKEN_USABLE_FOR:
        log.warning("interaction %s: answered just before the bot stopped; too old to find", answer.interaction_id)
        return
    hook = discord.Webhook.partial(answer.application_id, answer.token, client=client)
    try:
        message = await hook.fetch_message(cast(int, "@original"))  # the answer, by Discord's own alias
    except discord.NotFound:
        return  # never answered: Discord told the member the bot did not respond
    except discord.HTTPException as exc:
        log.warning("interaction %s: its answer could not be looked up: %s", answer.interaction_id, exc)
        return
    if await jobs.ledger.jobs_where("message_id = ?", (message.id,)):
        return
    log.warning("message %s: answered just before the bot stopped, no job recorded; nothing charged", message.id)
    text = "❌ " + render(Text("job-restarted-unrecorded"), answer.locale)
    try:
        await message.edit(content=text, view=None, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        log.warning("message %s could not be ended: %s", message.id, exc)
