"""The one owner of a job's status: the table is walked, illegal moves are refused and logged."""

from __future__ import annotations

import logging
import re

import pytest

from bot.core import lifecycle
from bot.core.ledger import Ledger
from bot.core.lifecycle import FINISHED, PROGRESSING, RUNNING, TRANSITIONS, UNFINISHED, WAITING, IllegalTransition
from bot.core.models import JobAction, JobStatus, Requester
from tests.helpers import ROOT

ALICE = Requester(user_id=1, guild_id=9, channel_id=3)


async def job_in(ledger: Ledger, status: JobStatus) -> int:
    """A job put in `status` by the raw SQL a test may use to set the scene (the code may not)."""
    job = await ledger.create_job(ALICE, provider="t", action=JobAction.IMAGINE, prompt="p")
    async with ledger.transaction() as db:
        await db.execute("UPDATE jobs SET status = ? WHERE id = ?", (status.value, job.id))
    return job.id


@pytest.mark.parametrize("current", list(JobStatus))
@pytest.mark.parametrize("wanted", list(JobStatus))
async def test_every_move_of_the_table(
    ledger: Ledger, current: JobStatus, wanted: JobStatus, caplog: pytest.LogCaptureFixture
) -> None:
    job_id = await job_in(ledger, current)
    # Staying is progress only where the API reports it; SUBMITTING -> SUBMITTING would be a second paid submit.
    legal = wanted in TRANSITIONS[current] or (current == wanted and current in PROGRESSING)
    if legal:
        moved = await ledger.transition(job_id, wanted, progress=7)
        assert moved.status is wanted and moved.progress == 7
        return
    with caplog.at_level(logging.WARNING, logger="bot.core.lifecycle"), pytest.raises(IllegalTransition):
        await ledger.transition(job_id, wanted, progress=7)
    stored = await ledger.get(job_id)
    assert stored is not None and stored.status is current and stored.progress == 0  # nothing written
    assert f"{current} -> {wanted} is not allowed" in caplog.text


def test_finished_is_final_and_every_state_has_a_row() -> None:
    assert set(TRANSITIONS) == set(JobStatus)
    assert all(not TRANSITIONS[s] for s in FINISHED)
    assert RUNNING.isdisjoint(WAITING) and (RUNNING | WAITING) <= UNFINISHED
    assert JobStatus.MIRRORING not in RUNNING | WAITING  # a shared upscale costs no slot


async def test_rows_start_only_in_an_initial_state(ledger: Ledger) -> None:
    for status in JobStatus:
        if status in lifecycle.INITIAL:
            job = await ledger.create_job(ALICE, provider="t", action=JobAction.IMAGINE, prompt="p", status=status)
            assert job.status is status
        else:
            with pytest.raises(IllegalTransition):
                await ledger.create_job(ALICE, provider="t", action=JobAction.IMAGINE, prompt="p", status=status)


async def test_update_cannot_write_a_status(ledger: Ledger) -> None:
    job = await ledger.create_job(ALICE, provider="t", action=JobAction.IMAGINE, prompt="p")
    with pytest.raises(ValueError, match="status"):
        await ledger.update(job.id, status=JobStatus.SUCCEEDED)


def test_no_other_module_writes_a_status() -> None:
    """The lifecycle is the only place whose SQL sets `status`."""
    writers = []
    for path in sorted(p for package in ("bot", "cogs") for p in (ROOT / package).rglob("*.py")):
        text = path.read_text()
        if re.search(r"SET(?:(?!WHERE)[^\"'])*\bstatus\s*=", text) and path.name != "lifecycle.py":
            writers.append(path.relative_to(ROOT))
    assert writers == []
