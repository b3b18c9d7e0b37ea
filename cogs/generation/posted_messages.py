"""Job messages posted on Discord that the ledger may not hold yet.

Between posting a job's message and writing it to the ledger lies an await; a kill there would leave
the message at "Waiting to start" for good. So each message is noted here as soon as Discord answers —
one synchronous append, nothing awaited in between — and struck off once the ledger holds it. At the
next start the ones left over are settled (`settle_left_over`). A kill only ends the process, so the
appends need no fsync: the kernel still writes them.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import discord

from bot.client.replies import NO_MENTIONS
from bot.core.jobs import JobService
from bot.core.text import Text
from bot.i18n import render
from bot.settings import Settings

log = logging.getLogger(__name__)

COMPACT_AFTER = 10_000  # lines; then the file is rewritten with only the open entries


@dataclass(frozen=True)
class Posted:
    message_id: int
    channel_id: int
    job_id: int | None  # known when the job was recorded before its message (button presses)
    locale: str


class PostedMessages:
    def __init__(self, path: Path | None) -> None:
        self._path = path  # None: not kept (an in-memory ledger cannot be recovered anyway)
        self._fd: int | None = None
        self._open: dict[int, Posted] = {}
        self._lines = 0

    def left_over(self) -> list[Posted]:
        """What the previous run posted and never struck off."""
        if self._path is None or not self._path.exists():
            return []
        entries: dict[int, Posted] = {}
        for line in self._path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                if line.startswith("+"):
                    posted = Posted(**json.loads(line[1:]))
                    entries[posted.message_id] = posted
                elif line.startswith("-"):
                    entries.pop(int(line[1:]), None)
            except (ValueError, TypeError):
                log.warning("posted-messages journal: unreadable line skipped: %.80r", line)  # a torn last write
        return list(entries.values())

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

    def posted(self, entry: Posted) -> None:
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
        fresh.write_text("".join(f"+{json.dumps(asdict(p), separators=(',', ':'))}\n" for p in self._open.values()))
        os.replace(fresh, self._path)
        self.close()
        self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND, 0o600)
        self._lines = len(self._open)


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
