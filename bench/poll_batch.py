"""Benchmark: what following N jobs costs the image API, and how fast the ledger writes.

Runs the real job service and HTTP client against the built-in simulator on loopback and prints:
status requests per poll, requests per job, and ledger updates per second.
Usage: python bench/poll_batch.py [--jobs 10] [--duration 3] [--poll 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for the test helpers

from bot.core.ledger import Ledger
from bot.core.models import ImagineRequest, Job, JobAction, JobStatus, Requester
from bot.core.providers.proxy import ProxyProvider
from bot.simulator.server import Simulator
from tests.helpers import job_service, start_job


async def follow_jobs(jobs: int, duration: float, poll: float) -> None:
    sim = Simulator(duration=duration)
    await sim.start()
    done = asyncio.Event()
    finished: set[int] = set()

    async def on_job(job: Job) -> None:
        if job.status.finished:
            finished.add(job.id)
            if len(finished) == jobs:
                done.set()

    with tempfile.TemporaryDirectory() as tmp:
        ledger = await Ledger.open(Path(tmp) / "bench.sqlite3")
        async with httpx.AsyncClient() as http:
            service = job_service(ledger, ProxyProvider(http, sim.base_url), poll_interval=poll, job_timeout=600)
            service.subscribe(on_job)
            await service.start()
            start = time.perf_counter()
            for i in range(jobs):
                await start_job(service, ImagineRequest(f"bench {i}"), message_id=i + 1)
            await asyncio.wait_for(done.wait(), duration * 10 + 30)
            elapsed = time.perf_counter() - start
            await service.stop()
            ok = len(await ledger.jobs_with_status([JobStatus.SUCCEEDED]))
        await ledger.close()
    await sim.stop()
    status_requests = sim.requests["list-by-condition"] + sim.requests["fetch"]
    print(f"jobs in flight:            {jobs} ({ok} succeeded in {elapsed:.2f} s)")
    print(f"poll cycles:               {service.polls}")
    print(f"status requests:           {status_requests} ({status_requests / max(service.polls, 1):.2f} per poll)")
    print(f"status requests per job:   {status_requests / jobs:.2f}")
    print(f"single-task fetches:       {sim.requests['fetch']}")


async def ledger_writes(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ledger = await Ledger.open(Path(tmp) / "bench.sqlite3")
        job = await ledger.create_job(Requester(1, 1, 1), provider="bench", action=JobAction.IMAGINE, prompt="x")
        await ledger.transition(job.id, JobStatus.QUEUED, upstream_task_id="T")
        await ledger.transition(job.id, JobStatus.RUNNING)
        start = time.perf_counter()
        for i in range(count):
            await ledger.update(job.id, progress=i % 100)
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        for i in range(count // 10):
            await ledger.create_job(Requester(1, 1, 1), provider="bench", action=JobAction.IMAGINE, prompt=str(i))
        created = time.perf_counter() - start
        await ledger.close()
    print(f"ledger progress updates:   {count / elapsed:,.0f} per second")
    print(f"ledger job inserts:        {count // 10 / created:,.0f} per second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds the simulator takes per job")
    parser.add_argument("--poll", type=float, default=0.5, help="MJ_POLL_INTERVAL for the run")
    parser.add_argument("--writes", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(follow_jobs(args.jobs, args.duration, args.poll))
    asyncio.run(ledger_writes(args.writes))


if __name__ == "__main__":
    main()
