"""The journal of posted job messages: what a kill leaves behind is read back, and it stays small."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.jobs import submit_state
from bot.core.ledger import Ledger
from cogs.generation import posted_messages
from cogs.generation.posted_messages import Posted, PostedMessages


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
