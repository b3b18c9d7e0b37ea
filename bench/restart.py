"""A restart with many unfinished jobs in the ledger: how long until all are followed; prints JSON.

    python bench/restart.py --jobs 1000

The jobs are real tasks of the simulator, recorded as accepted; the job service starts on that ledger
and the clock runs until the API has answered for every one of them (its first batched poll).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.accounts import Accounts
from bot.core.jobs import JobService
from bot.core.ledger import Ledger
from bot.core.models import ImagineRequest, JobAction, JobStatus, Requester, TaskSnapshot
from bot.core.providers.proxy import ProxyProvider
from bot.core.quota import Defaults
from bot.simulator.server import Simulator


async def run(jobs: int) -> dict[str, object]:
    sim = Simulator(duration=600.0)  # still running upstream while the bot restarts
    await sim.start()
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=20)) as http:
        provider = ProxyProvider(http, sim.base_url)
        with tempfile.TemporaryDirectory() as tmp:
            ledger = await Ledger.open(Path(tmp) / "restart.sqlite3")
            for i in range(jobs):
                job = await ledger.create_job(
                    Requester(1 + i % 50, 1, 1), provider="proxy", action=JobAction.IMAGINE, prompt=f"p{i}",
                    message_id=10_000 + i,
                )  # fmt: skip
                accepted = await provider.imagine(ImagineRequest(f"p{i}"))
                await ledger.transition(
                    job.id, JobStatus.QUEUED, upstream_task_id=accepted.task_id, submitted_at=time.time()
                )
            await ledger.close()

            ledger = await Ledger.open(Path(tmp) / "restart.sqlite3")
            sim.requests.clear()
            accounts = Accounts(ledger, Defaults(daily_credits=0, user_running=0, user_waiting=0, server_running=0))
            service = JobService(ledger, provider, poll_interval=1.0, job_timeout=3600, accounts=accounts)
            polled: set[str] = set()
            all_polled = asyncio.Event()
            fetch_many = provider.fetch_many

            async def counting(task_ids: Sequence[str]) -> dict[str, TaskSnapshot]:
                found = await fetch_many(task_ids)
                polled.update(found)  # these jobs' states came back from the API
                if len(polled) >= jobs:
                    all_polled.set()
                return found

            provider.fetch_many = counting  # type: ignore[method-assign]
            started = time.perf_counter()
            await service.start()
            await asyncio.wait_for(all_polled.wait(), 120)
            followed_in = time.perf_counter() - started
            await service.stop()
            await ledger.close()
    await sim.stop()
    status_requests = sim.requests["list-by-condition"] + sim.requests["fetch"]
    return {
        "jobs": jobs,
        "seconds_until_all_followed": round(followed_in, 2),
        "status_requests": status_requests,
        "jobs_per_status_request": round(jobs / max(1, status_requests), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=1000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.jobs)), indent=2))


if __name__ == "__main__":
    main()
