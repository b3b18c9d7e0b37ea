"""Shards: SHARD_IDS parsed and checked, which process owns which server, and the job service of each
shard process touching only its own servers' jobs in a ledger they share."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from bot.core.accounts import Accounts
from bot.core.jobs import JobService
from bot.core.ledger import Ledger
from bot.core.migrations import latest
from bot.core.models import ImagineRequest, JobAction, JobStatus, Requester
from bot.core.providers.proxy import ProxyProvider
from bot.core.quota import Defaults
from bot.core.shards import EVERY_SERVER, ShardSet, shard_of
from bot.settings import SettingsError, load_settings
from bot.simulator.server import Simulator
from tests.helpers import NO_LIMITS, Recorder, guild_on_shard, record_job, start_job

SIMULATOR_DURATION = 1.0
ON_0, ON_1 = guild_on_shard(0, 2), guild_on_shard(1, 2)


@pytest.mark.parametrize(
    ("text", "count", "ids"),
    [("0,1", 2, {0, 1}), ("0-3", 4, {0, 1, 2, 3}), (" 1 , 3-4 ", 5, {1, 3, 4}), ("2", 4, {2}), ("", 3, {0, 1, 2})],
)
def test_shard_ids_parse(text: str, count: int, ids: set[int]) -> None:
    assert ShardSet.parse(text, count) == ShardSet(count, frozenset(ids))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHARD_COUNT": "2", "SHARD_IDS": "2"}, "SHARD_IDS: shard 2 is outside 0..1"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0-99999999"}, "SHARD_IDS: shard 99999999 is outside 0..1"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "3-1"}, "SHARD_IDS: the range '3-1' runs backwards"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0,,1"}, "SHARD_IDS: '' is not a shard id"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "one"}, "SHARD_IDS: 'one' is not a shard id"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "-1"}, "SHARD_IDS: '-1' is not a shard id"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT"),
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
    ],
)
def test_bad_shard_settings_say_what_is_wrong(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings({"DISCORD_TOKEN": "t", **env})


def test_settings_give_the_process_its_shards() -> None:
    assert load_settings({"DISCORD_TOKEN": "t"}).shards == EVERY_SERVER
    assert load_settings({"DISCORD_TOKEN": "t", "SHARD_COUNT": "4", "SHARD_IDS": "1-2"}).shards.ids == {1, 2}
    assert load_settings({"DISCORD_TOKEN": "t", "SHARD_COUNT": "3"}).shards.ids == {0, 1, 2}


def test_ownership_follows_discords_formula_and_dms_go_to_shard_0() -> None:
    assert [shard_of(g, 2) for g in (ON_0, ON_1)] == [0, 1]
    assert shard_of((41 << 22) + 12345, 16) == 41 % 16  # the id's timestamp part picks the shard
    zero, one = ShardSet.parse("0", 2), ShardSet.parse("1", 2)
    assert zero.owns(ON_0) and not zero.owns(ON_1) and zero.owns(None)
    assert one.owns(ON_1) and not one.owns(ON_0) and not one.owns(None)
    assert EVERY_SERVER.owns(ON_0) and EVERY_SERVER.owns(ON_1) and EVERY_SERVER.owns(None)
    assert ShardSet.parse("0-1", 4).tag == "0-1of4"


def service(ledger: Ledger, base: str, http: httpx.AsyncClient, shards: ShardSet = EVERY_SERVER) -> JobService:
    return JobService(
        ledger, ProxyProvider(http, base), accounts=Accounts(ledger, NO_LIMITS), poll_interval=0.05, shards=shards
    )


async def test_each_shard_process_resumes_only_its_servers_jobs(
    tmp_path: Path, simulator: Simulator, http: httpx.AsyncClient
) -> None:
    path = tmp_path / "shared.sqlite3"
    first = await Ledger.open(path)
    before = service(first, simulator.base_url, http)
    await before.start()
    in_flight = {
        g: await start_job(before, ImagineRequest(f"fox {g}"), message_id=g % 1000, who=Requester(7, g, 3))
        for g in (ON_0, ON_1)
    }
    unsent = await record_job(before, ImagineRequest("never sent"), message_id=99, who=Requester(7, ON_1, 3))
    await before.stop()  # the bot dies with two jobs in flight and one not yet submitted
    await first.close()

    ledgers = [await Ledger.open(path), await Ledger.open(path)]  # two processes, one ledger file
    services = [service(ledgers[i], simulator.base_url, http, ShardSet.parse(str(i), 2)) for i in (0, 1)]
    recorders = [Recorder(), Recorder()]
    try:
        services[0].subscribe(recorders[0])
        await services[0].start()
        assert services[0].following == 1
        assert (await ledgers[0].get(unsent.id)).status is JobStatus.SUBMITTING  # type: ignore[union-attr]
        await recorders[0].wait(in_flight[ON_0].id)

        services[1].subscribe(recorders[1])
        await services[1].start()
        assert (await recorders[1].wait(unsent.id)).status is JobStatus.FAILED  # shard 1 ends it: never sent
        assert (await recorders[1].wait(in_flight[ON_1].id)).status is JobStatus.SUCCEEDED
        for recorder, guild in zip(recorders, (ON_0, ON_1), strict=True):
            assert {u.guild_id for u in recorder.updates} == {guild}
    finally:
        for s in services:
            await s.stop()
        for led in ledgers:
            await led.close()


async def test_queued_jobs_start_only_in_the_owning_process(tmp_path: Path) -> None:
    ledger = await Ledger.open(tmp_path / "shared.sqlite3")
    try:
        accounts = Accounts(ledger, Defaults(daily_credits=0, user_running=1, user_waiting=5, server_running=0))
        opened = {}
        for guild in (ON_0, ON_1):
            who = Requester(7, guild, 3)
            for n in (1, 2):
                job = await accounts.open_job(who, [], provider="proxy", action=JobAction.IMAGINE,
                                              prompt="p", message_id=guild % 1000 + n)  # fmt: skip
                opened[guild, n] = job
        assert {j.status for (_, n), j in opened.items() if n == 2} == {JobStatus.WAITING}
        for guild in (ON_0, ON_1):
            await ledger.transition(opened[guild, 1].id, JobStatus.FAILED)  # a slot frees in both servers
        started = await accounts.start_waiting(ShardSet.parse("1", 2).owns)
        assert [j.id for j in started] == [opened[ON_1, 2].id]
        assert (await ledger.get(opened[ON_0, 2].id)).status is JobStatus.WAITING  # type: ignore[union-attr]
        assert [j.id for j in await accounts.start_waiting(ShardSet.parse("0", 2).owns)] == [opened[ON_0, 2].id]
    finally:
        await ledger.close()


async def test_a_write_waits_while_another_process_wrote_after_a_read_of_ours_began(tmp_path: Path) -> None:
    """SQLite answers "locked" at once, not after busy_timeout, when one of our reads began before another
    process's write: our write must wait for that read instead of failing a member's command."""
    path = tmp_path / "shared.sqlite3"
    ours, theirs = await Ledger.open(path), await Ledger.open(path)
    try:
        for n in range(3):
            await ours.create_job(Requester(7, ON_0, 3), provider="proxy", action=JobAction.IMAGINE, prompt=f"{n}")
        reading = await ours.storage._db.execute("SELECT id FROM jobs")  # type: ignore[attr-defined]  # a read under way
        await theirs.create_job(Requester(7, ON_1, 3), provider="proxy", action=JobAction.IMAGINE, prompt="b")

        async def finish_reading() -> None:
            await asyncio.sleep(0.1)
            await reading.fetchall()
            await reading.close()

        finishing = asyncio.create_task(finish_reading())
        written = await ours.create_job(Requester(7, ON_0, 3), provider="proxy", action=JobAction.IMAGINE, prompt="a")
        await finishing
        assert written.id == 5
    finally:
        await ours.close()
        await theirs.close()


async def test_processes_opening_a_new_ledger_together_migrate_it_once(tmp_path: Path) -> None:
    for attempt in range(3):  # the race is in the timing: a few tries catch it
        path = tmp_path / f"new-{attempt}.sqlite3"
        opened = await asyncio.gather(*(Ledger.open(path) for _ in range(3)))
        try:
            assert {await led.schema_version() for led in opened} == {latest("sqlite")}
            assert len({led.instance for led in opened}) == 1  # one ledger, one name
        finally:
            for led in opened:
                await led.close()
