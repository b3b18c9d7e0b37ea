"""Benchmark: charged job reservations per second, with many members pressing at once.

Each reservation is one SQLite transaction: check the member's limits, insert the job, write its
charge. Runs N concurrent coroutines against one ledger (as the bot does) and prints the rate.
Usage: python bench/reservations.py [--members 50] [--each 40]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bot.core.accounts import Accounts, Refusal
from bot.core.ledger import Ledger
from bot.core.models import JobAction, Requester
from bot.core.quota import Defaults


async def run(members: int, each: int, daily: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ledger = await Ledger.open(Path(tmp) / "bench.sqlite3")
        accounts = Accounts(ledger, Defaults(daily_credits=daily, user_running=0, user_waiting=0, server_running=0))
        refused = 0

        async def member(user: int) -> None:
            nonlocal refused
            for i in range(each):
                try:
                    await accounts.open_job(
                        Requester(user, 1, 1), [], provider="bench", action=JobAction.IMAGINE, prompt=str(i)
                    )
                except Refusal:
                    refused += 1

        start = time.perf_counter()
        await asyncio.gather(*(member(u) for u in range(members)))
        elapsed = time.perf_counter() - start
        total = members * each
        rows = await ledger.fetch_all("SELECT COUNT(*) FROM credit_entries WHERE kind = 'charge'")
        await ledger.close()
    print(f"concurrent members:        {members} x {each} attempts (daily limit {daily or 'none'})")
    print(f"reservations per second:   {total / elapsed:,.0f} ({total} in {elapsed:.2f} s)")
    print(f"charged / refused:         {rows[0][0]} / {refused}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--each", type=int, default=40)
    parser.add_argument("--daily", type=int, default=25)
    args = parser.parse_args()
    asyncio.run(run(args.members, args.each, args.daily))


if __name__ == "__main__":
    main()
