"""The journal of posted job messages: what a kill leaves behind is read back, and it stays small."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.client.generation import posted_messages
from bot.client.generation.posted_messages import Answering, Posted, PostedMessages
from bot.core.jobs import submit_state
from bot.core.ledger import Ledger


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


def test_an_answer_is_noted_before_it_is_sent_and_settled_by_its_message(tmp_path: Path) -> None:
    path = tmp_path / "j"
    journal = PostedMessages(path)
    journal.start()
    sent, refused, killed = (Answering(n, 5, f"token-{n}", 10, "en-US", 1.0) for n in (1, 2, 3))
    for answer in (sent, refused, killed):
        journal.answering(answer)
    journal.posted(Posted(100, 10, None, "en-US", interaction_id=1))  # one line settles the answer
    journal.unanswerable(2)
    assert journal.unanswered() == [killed]
    assert journal.left_over() == [Posted(100, 10, None, "en-US", 1)]
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # it holds interaction tokens


def test_compaction_keeps_the_unanswered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "j"
    monkeypatch.setattr(posted_messages, "COMPACT_AFTER", 10)
    journal = PostedMessages(path)
    journal.start()
    waiting = Answering(999, 5, "token", 1, "zh-CN", time.time())
    journal.answering(Answering(998, 5, "expired", 1, "en-US", time.time() - 3600))  # its token is of no use
    journal.answering(waiting)
    for message_id in range(50):
        journal.answering(Answering(message_id, 5, "t", 1, "en-US", 1.0))
        journal.posted(Posted(message_id, 1, None, "en-US", message_id))
        journal.recorded(message_id)
    assert len(path.read_text().splitlines()) <= 12
    assert journal.unanswered() == [waiting] and journal.left_over() == []
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
