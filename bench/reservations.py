"""Benchmark: charged job reservations per second, with many members of one server pressing at once.

Each reservation is one transaction: lock the server's credits (PostgreSQL), check the member's limits in
the ledger, insert the job, write its charge. Runs on SQLite (one process, as today) and on a throwaway
PostgreSQL with 1 and then 2 real processes contending on the same server and members; each run checks
that no credit was spent twice (the charges equal exactly what the daily limit allows).
Usage: python bench/reservations.py [--members 20] [--each 20] [--daily 13] [--url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path

import asyncpg

from bot.core.accounts import Accounts, Refusal
from bot.core.ledger import Ledger
from bot.core.models import JobAction, Requester
from bot.core.quota import Defaults
from bot.devtools.pg import ThrowawayPostgres

GUILD = 900000000000000001


async def attempts(where: Path | str, members: int, each: int, daily: int, barrier: Barrier | None = None) -> int:
    """Every member tries `each` jobs at once through one ledger (one process); returns how many were refused."""
    ledger = await Ledger.open(where)
    accounts = Accounts(ledger, Defaults(daily_credits=daily, user_running=0, user_waiting=0, server_running=0))
    await accounts.load()
    refused = 0

    async def member(user: int) -> None:
        nonlocal refused
        for i in range(each):
            try:
                await accounts.open_job(
                    Requester(user, GUILD, 1), [], provider="bench", action=JobAction.IMAGINE, prompt=str(i)
                )
            except Refusal:
                refused += 1

    if barrier is not None:
        barrier.wait()  # every process starts at once
    try:
        await asyncio.gather(*(member(u) for u in range(1, members + 1)))
    finally:
        await ledger.close()
    return refused


def _process(where: str, members: int, each: int, daily: int, barrier: Barrier, refused: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    refused.put(asyncio.run(attempts(where, members, each, daily, barrier)))


def contend(where: str, processes: int, members: int, each: int, daily: int) -> tuple[float, int]:
    """`processes` real processes, each making `each` attempts for every member at once; (seconds, refused)."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes + 1)
    refused: multiprocessing.Queue = ctx.Queue()  # type: ignore[type-arg]
    workers = [
        ctx.Process(target=_process, args=(where, members, each, daily, barrier, refused)) for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    barrier.wait()
    start = time.perf_counter()
    total_refused = sum(refused.get(timeout=600) for _ in workers)
    elapsed = time.perf_counter() - start
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise SystemExit(f"a benchmark process failed (exit {worker.exitcode})")
    return elapsed, total_refused


async def charges(where: Path | str) -> tuple[int, int, int]:
    """(charges, the most charged to one member, jobs charged more than once)."""
    ledger = await Ledger.open(where)
    try:
        total = await ledger.fetch_all("SELECT COUNT(*) FROM credit_entries WHERE kind = 'charge'")
        most = await ledger.fetch_all(
            "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM credit_entries WHERE kind = 'charge'"
            " GROUP BY user_id) AS per_member"
        )
        twice = await ledger.fetch_all(
            "SELECT COUNT(*) FROM (SELECT job_id FROM credit_entries WHERE kind = 'charge'"
            " GROUP BY job_id HAVING COUNT(*) > 1) AS doubled"
        )
    finally:
        await ledger.close()
    return int(total[0][0]), int(most[0][0]), int(twice[0][0])


async def migrate(url: str) -> None:
    ledger = await Ledger.open(url)
    await ledger.close()


async def empty(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("TRUNCATE jobs, credit_entries, strikes, guild_settings RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


def report(
    label: str, where: Path | str, seconds: float, per_member: int, refused: int, members: int, daily: int
) -> bool:
    """Print the rate; True when the charges are exactly what the limit allows, none twice."""
    charged, most, twice = asyncio.run(charges(where))
    attempts_made = members * per_member
    allowed = members * (min(daily, per_member) if daily else per_member)
    exact = charged == allowed == attempts_made - refused and most <= (daily or per_member) and twice == 0
    print(
        f"{label:<28} {attempts_made / seconds:8,.0f} reservations/s  ({attempts_made} in {seconds:.2f} s)"
        f"  charged {charged} of {allowed} allowed, refused {refused}"
        f"  {'no double spend' if exact else 'DOUBLE SPEND OR LOST CHARGE'}"
    )
    return exact


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=20, help="members of the one server")
    parser.add_argument("--each", type=int, default=20, help="attempts of each member (split between processes)")
    parser.add_argument("--daily", type=int, default=13, help="each member's daily credits")
    parser.add_argument("--url", help="an existing, empty PostgreSQL database (default: a throwaway server)")
    args = parser.parse_args()
    m, each, daily = args.members, args.each, args.daily
    print(f"one server, {m} members, {each} attempts each (split between the processes), {daily} credits a day each")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        start = time.perf_counter()
        refused = asyncio.run(attempts(path, m, each, daily))
        ok &= report("SQLite, 1 process", path, time.perf_counter() - start, each, refused, m, daily)

    server = None
    url = args.url
    if url is None:
        server = ThrowawayPostgres()
        server.start()
        url = asyncio.run(server.create_database("bench"))
    try:
        asyncio.run(migrate(url))  # before the clock starts
        for processes in (1, 2):
            asyncio.run(empty(url))
            share = each // processes  # the same attempts in all, split between the processes
            seconds, refused = contend(url, processes, m, share, daily)
            label = f"PostgreSQL, {processes} process{'es' if processes > 1 else ''}"
            ok &= report(label, url, seconds, processes * share, refused, m, daily)
    finally:
        if server is not None:
            server.stop()
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
