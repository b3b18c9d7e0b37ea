"""Job rate of the bot as one process and as two shard processes over one ledger; prints JSON.

    python bench/shards.py --jobs 200

Two servers, one on each shard of 2, each with its own channel and members (limits lifted). The same
burst of /imagine, half in each server, goes once to one unsharded process and once to two processes
run as `SHARD_COUNT=2` with `SHARD_IDS=0` and `SHARD_IDS=1` sharing one ledger: a SQLite file (WAL), or
with `--postgres` a fresh database on a throwaway PostgreSQL for each run (as several processes should). The
figure is jobs finished per second: from the first /imagine until every job's message shows its image.
The simulator runs in its own process; the fake Discord runs in this one and serves both bots, so on
a small machine it and the bots compete for the same cores (the note beside the figures says how many).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import simulator_process, unlimited_env  # noqa: E402
from bot.devtools.pg import ThrowawayPostgres  # noqa: E402
from tests.fakes.discord_server import CHANNEL_ID, GUILD_ID, FakeDiscord  # noqa: E402
from tests.helpers import guild_on_shard  # noqa: E402

JOB_SECONDS = 1.0  # upstream: short, so that the bot's own work is what is measured
OTHER_GUILD = guild_on_shard(1, 2)
OTHER_CHANNEL = 1_400_000_000_000_000_900


async def run(base: str, jobs: int, shards: int, pg: ThrowawayPostgres | None) -> dict[str, float]:
    """`jobs` /imagine over two servers, served by one process (`shards` 0) or `shards` shard processes."""
    ledger = {"DATABASE_URL": await pg.create_database(f"bench_{uuid.uuid4().hex[:10]}")} if pg else {}
    members = [1_400_000_000_000_000_000 + i for i in range(max(2, jobs // 4))]
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeDiscord(shard_count=max(1, shards), channel_edit_limit=(50, 1.0)) as fake:
            fake.add_guild(OTHER_GUILD, "Second Guild", OTHER_CHANNEL)
            for m in members:
                fake.add_user(m, f"member{m % 10000}")
            env = unlimited_env(fake, base, Path(tmp), 0.5, **ledger)
            quiet = asyncio.subprocess.DEVNULL
            shard_envs: list[dict[str, str]] = (
                [{}] if not shards else [{"SHARD_COUNT": str(shards), "SHARD_IDS": str(i)} for i in range(shards)]
            )
            bots = []
            try:
                for extra in shard_envs:
                    bots.append(
                        await asyncio.create_subprocess_exec(
                            sys.executable, "-m", "bot", cwd=tmp, env={**env, **extra}, stdout=quiet
                        )
                    )
                await (fake.wait_shards_ready(timeout=30) if shards else fake.wait_ready(timeout=30))
                await fake.wait_for(lambda: bool(fake.commands), 15)
                loop = asyncio.get_running_loop()

                async def one(i: int) -> tuple[float, int | None]:
                    channel = CHANNEL_ID if i % 2 else OTHER_CHANNEL
                    answer = await fake.invoke_slash(
                        "imagine", {"prompt": f"bench {i}"}, user_id=members[i % len(members)], channel_id=channel
                    )
                    assert answer.acked_at is not None, "not acknowledged"
                    return answer.acked_at - answer.created, answer.response_message_id

                started = loop.time()
                results = await asyncio.gather(*(one(i) for i in range(jobs)))
                ids = [r[1] for r in results if r[1] is not None]
                await fake.wait_for(lambda: all(fake.messages[m].attachments for m in ids), 60 + jobs * 0.5)
                seconds = loop.time() - started
                acks = sorted(r[0] * 1000 for r in results)
                return {
                    "processes": max(1, shards),
                    "jobs_finished": len(ids),
                    "seconds": round(seconds, 2),
                    "jobs_per_second": round(len(ids) / seconds, 2),
                    "ack_ms_p50": round(statistics.median(acks), 1),
                    "ack_ms_max": round(acks[-1], 1),
                    "discord_429s": sum(r.status == 429 for r in fake.requests),
                }
            finally:
                for bot in bots:
                    bot.send_signal(signal.SIGTERM)
                for bot in bots:
                    await bot.wait()


async def bench(jobs: int, postgres: bool) -> dict[str, object]:
    pg = ThrowawayPostgres() if postgres else None
    try:
        if pg is not None:
            pg.start()
        async with simulator_process(JOB_SECONDS) as base:
            one = await run(base, jobs, 0, pg)
            two = await run(base, jobs, 2, pg)
    finally:
        if pg is not None:
            pg.stop()
    return {
        "jobs": jobs,
        "ledger": "postgresql" if postgres else "sqlite",
        "servers": [GUILD_ID, OTHER_GUILD],
        "job_seconds_upstream": JOB_SECONDS,
        "one_process": one,
        "two_shard_processes": two,
        "speedup": round(float(two["jobs_per_second"]) / float(one["jobs_per_second"]), 2),
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="share a throwaway PostgreSQL, not a SQLite file")
    args = parser.parse_args()
    started = time.perf_counter()
    figures = asyncio.run(bench(args.jobs, args.postgres))
    figures["bench_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
