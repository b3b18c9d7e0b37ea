"""The journal of posted job messages: what a kill leaves behind is read back, and it stays small."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.core.jobs import submit_state
from bot.core.ledger import Ledger
from cogs.generation import posted_messages
from cogs.generation.posted_messages import Posted, PostedMessages, Unread


def test_left_over_is_what_was_posted_and_not_recorded(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3.posted"
    journal = PostedMessages(path)
    journal.start()
    journal.posted(Posted(1, 10, None, "en-US"))
    journal.posted(Posted(2, 10, 7, "zh-CN"))
    journal.recorded(1)
    # A kill in the middle of a write leaves a torn last line: skipped, the rest still read.
    with path.open("a") as f:
        f.write('+{"message_id": 3, "chan')
    assert PostedMessages(path).left_over() == [Posted(2, 10, 7, "zh-CN")]

    journal.close()
    restarted = PostedMessages(path)
    restarted.start()  # settled: a fresh journal
    assert restarted.left_over() == []


def test_the_journal_is_compacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "j"
    monkeypatch.setattr(posted_messages, "COMPACT_AFTER", 10)
    journal = PostedMessages(path)
    journal.start()
    journal.posted(Posted(999, 1, None, "en-US"))
    for message_id in range(50):
        journal.posted(Posted(message_id, 1, None, "en-US"))
        journal.recorded(message_id)
    assert len(path.read_text().splitlines()) <= 12
    assert journal.left_over() == [Posted(999, 1, None, "en-US")]


def test_a_message_is_noted_before_it_is_asked_for_and_settled_by_its_id(tmp_path: Path) -> None:
    path = tmp_path / "j"
    journal = PostedMessages(path)
    journal.start()
    answered, refused, killed = (journal.sending(10, None, "en-US") for _ in range(3))
    assert len({answered, refused, killed}) == 3 and all(len(k) <= 25 for k in (answered, refused))  # nonces
    journal.posted(Posted(100, 10, None, "en-US", unread=answered))  # one line settles the entry
    journal.gone(refused)
    assert [u.key for u in journal.left_unread()] == [killed]
    assert journal.left_over() == [Posted(100, 10, None, "en-US", answered)]
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # it holds interaction tokens


def test_compaction_keeps_what_can_still_be_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "j"
    monkeypatch.setattr(posted_messages, "COMPACT_AFTER", 10)
    journal = PostedMessages(path)
    journal.start()
    waiting = Unread("i999", 1, None, "zh-CN", time.time(), 5, "token")
    journal._note(waiting)
    journal._note(Unread("i998", 1, None, "en-US", time.time() - 3600, 5, "expired"))  # of no use any more
    for message_id in range(50):
        key = journal.sending(1, None, "en-US")
        journal.posted(Posted(message_id, 1, None, "en-US", key))
        journal.recorded(message_id)
    assert len(path.read_text().splitlines()) <= 12
    assert journal.left_unread() == [waiting] and journal.left_over() == []
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_no_journal_for_an_in_memory_ledger() -> None:
    journal = PostedMessages(None)
    journal.start()
    journal.posted(Posted(1, 1, None, "en-US"))
    assert journal.left_over() == []


async def test_each_ledger_names_its_submits_apart(tmp_path: Path) -> None:
    """Job 1 of a new ledger must not be taken for job 1 of an old one on the same API account."""
    first, second = await Ledger.open(tmp_path / "a.sqlite3"), await Ledger.open(tmp_path / "b.sqlite3")
    try:
        assert submit_state(first.instance, 1) != submit_state(second.instance, 1)
        again = await Ledger.open(tmp_path / "a.sqlite3")
        assert again.instance == first.instance  # kept across restarts
        await again.close()
    finally:
        await first.close()
        await second.close()
