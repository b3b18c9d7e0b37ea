"""A burst of /imagine through the real bot process, the fake Discord and the simulator; prints JSON.

    python bench/load.py --jobs 600

N /imagine from N/4 members at once (limits lifted so that every job runs): how fast each is
acknowledged, API status requests per poll interval, Discord REST calls per job, 429s, the bot's
peak RSS, and the seconds until every job's message shows its image.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import add_members, simulator_process, unlimited_env  # noqa: E402
from tests.fakes.discord_server import FakeDiscord  # noqa: E402

POLL = 1.0
JOB_SECONDS = 8.0


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def api_requests(base: str, path: str) -> int:
    """How often the simulator (its own process) was asked `path`, from its /sim/stats."""
    async with httpx.AsyncClient() as http:
        return int((await http.get(f"{base}/sim/stats")).json().get(path, 0))


async def run(jobs: int) -> dict[str, object]:
    # The API in a process of its own, as a real one is: this one runs the fake Discord alone.
    async with simulator_process(JOB_SECONDS) as base:
        return await measure(base, jobs)


async def measure(base: str, jobs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeDiscord(channel_edit_limit=(5, 5.0)) as fake:
            members = add_members(fake, jobs // 4)
            env = unlimited_env(fake, base, Path(tmp), POLL)
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=tmp, env=env, stdout=asyncio.subprocess.DEVNULL
            )
            try:
                await fake.wait_ready(timeout=30)
                await fake.wait_for(lambda: bool(fake.commands), 15)
                loop = asyncio.get_running_loop()
                before = len(fake.requests)

                timeline: list[tuple[float, float]] = []  # (sent on the gateway, answered), per interaction

                async def one(i: int) -> tuple[float, int | None]:
                    member = members[i % len(members)]
                    answer = await fake.invoke_slash("imagine", {"prompt": f"bench {i}"}, user_id=member)
                    # From Discord sending the interaction to the bot's answer reaching it.
                    assert answer.acked_at is not None, "not acknowledged"
                    timeline.append((answer.sent_at or answer.created, answer.acked_at))
                    return answer.acked_at - answer.created, answer.response_message_id

                started = loop.time()
                polls_before = await api_requests(base, "list-by-condition")
                results = await asyncio.gather(*(one(i) for i in range(jobs)))
                acks = sorted(r[0] * 1000 for r in results)
                ids = [r[1] for r in results if r[1] is not None]

                def all_done() -> bool:
                    return all(fake.messages[m].attachments for m in ids)

                await fake.wait_for(all_done, 60 + jobs * 0.2)
                finished = loop.time() - started
                polls = await api_requests(base, "list-by-condition") - polls_before
                calls = [r for r in fake.requests[before:] if not r.path.startswith("/interactions/")]
                return {
                    "jobs": jobs,
                    "members": len(members),
                    "ack_ms": {
                        "p50": round(statistics.median(acks), 1),
                        "p99": round(acks[min(len(acks) - 1, int(len(acks) * 0.99))], 1),
                        "max": round(acks[-1], 1),
                    },
                    # Where the time goes: how fast the fake put the burst on the gateway, how fast the bot answered.
                    "burst_sent_within_ms": round((max(t[0] for t in timeline) - started) * 1000, 1),
                    "first_answer_ms": round((min(t[1] for t in timeline) - started) * 1000, 1),
                    "last_answer_ms": round((max(t[1] for t in timeline) - started) * 1000, 1),
                    "api_polls_per_interval": round(polls / (finished / POLL), 2),
                    "discord_rest_calls_per_job": round(len(calls) / jobs, 2),
                    "discord_429s": sum(r.status == 429 for r in fake.requests[before:]),
                    "bot_peak_rss_mb": round(peak_rss_mb(bot.pid), 1),
                    "seconds_until_all_finished": round(finished, 1),
                    "job_seconds_upstream": JOB_SECONDS,
                }
            finally:
                bot.send_signal(signal.SIGTERM)
                await bot.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=200)
    args = parser.parse_args()
    started = time.perf_counter()
    figures = asyncio.run(run(args.jobs))
    figures["bench_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
