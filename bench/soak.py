"""Memory over a long run: waves of /imagine and U1 through the real bot process; prints RSS per wave.

    python bench/soak.py [--waves 10] [--jobs 100] [--tracemalloc]

Each wave is `--jobs` /imagine from `--jobs`/4 members (the same members every wave), then U1 pressed
under each of the grids: 2 × `--jobs` jobs. After each wave the bot's resident memory is read from
/proc; the figure that matters is the growth per 1,000 jobs after the three warm-up waves, which should stay
flat. With `--tracemalloc` the bot runs under tracemalloc and the sources whose allocations grew most
between the end of the warm-up and the last wave are printed (tracemalloc costs memory itself, so its
RSS figures are not comparable with a plain run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import add_members, simulator_process, unlimited_env  # noqa: E402
from tests.fakes.discord_server import FakeDiscord  # noqa: E402

POLL = 0.5
JOB_SECONDS = 1.0
WARM_UP_WAVES = 3  # 600 jobs: the bounded caches (512 recent jobs for presses) are full by then

# Run by the bot's interpreter under --tracemalloc: SIGUSR1 writes a snapshot next to the ledger.
TRACED_BOT = """
import signal, sys, tracemalloc
tracemalloc.start(10)
count = [0]
def dump(*_):
    count[0] += 1
    tracemalloc.take_snapshot().dump(f"snapshot-{count[0]}.tracemalloc")
signal.signal(signal.SIGUSR1, dump)
from bot.__main__ import main
sys.argv = ["mjbot"]
main()
"""


def finished(fake: FakeDiscord, message_id: int) -> bool:
    """The job's message shows its result: an image, and no Cancel button any more (a preview has one)."""
    message = fake.messages[message_id]
    return bool(message.attachments) and not any(b.get("label") == "Cancel" for b in fake.message_buttons(message_id))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def run(waves: int, jobs: int, traced: bool) -> dict[str, object]:
    async with simulator_process(JOB_SECONDS) as base:
        return await soak(base, waves, jobs, traced)


async def soak(base: str, waves: int, jobs: int, traced: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeDiscord(channel_edit_limit=(50, 1.0)) as fake:
            members = add_members(fake, jobs // 4)
            env = unlimited_env(fake, base, Path(tmp), POLL)
            command = ("-c", TRACED_BOT) if traced else ("-m", "bot")
            bot = await asyncio.create_subprocess_exec(
                sys.executable, *command, cwd=tmp, env=env, stdout=asyncio.subprocess.DEVNULL
            )
            try:
                await fake.wait_ready(timeout=120)
                await fake.wait_for(lambda: bool(fake.commands), 15)
                per_wave: list[float] = []
                delivered = 0
                for wave in range(waves):
                    grids = await asyncio.gather(
                        *(
                            fake.invoke_slash(
                                "imagine", {"prompt": f"soak {wave} {i}"}, user_id=members[i % len(members)]
                            )
                            for i in range(jobs)
                        )
                    )
                    ids = [g.response_message_id for g in grids if g.response_message_id is not None]
                    await fake.wait_for(lambda ids=ids: all(finished(fake, m) for m in ids), 120)

                    async def press(message_id: int, member: int) -> int:
                        button = next((b for b in fake.message_buttons(message_id) if b.get("label") == "U1"), None)
                        if button is None:  # a failed grid has no U1
                            return 0
                        await fake.click(message_id, button["custom_id"], user_id=member)
                        return 1

                    before = set(fake.messages)
                    pressed = sum(
                        await asyncio.gather(*(press(m, members[i % len(members)]) for i, m in enumerate(ids)))
                    )

                    def upscaled(before: set[int] = before, pressed: int = pressed) -> bool:
                        # Each press answers with a new message in the channel, replying to the grid.
                        new = [m for m, message in fake.messages.items() if m not in before and not message.flags & 64]
                        return len(new) >= pressed and all(finished(fake, m) for m in new)

                    await fake.wait_for(upscaled, 120)
                    delivered += len(ids) + pressed
                    await asyncio.sleep(2 * POLL)  # the last edits and ledger writes settle
                    per_wave.append(round(rss_mb(bot.pid), 1))
                    print(f"wave {wave + 1}: {delivered} jobs, RSS {per_wave[-1]} MB", file=sys.stderr, flush=True)
                    if traced and wave + 1 in (WARM_UP_WAVES, waves):
                        bot.send_signal(signal.SIGUSR1)
                        await asyncio.sleep(3)  # the snapshot is written by the bot's main thread
                jobs_per_wave = 2 * jobs
                after = per_wave[WARM_UP_WAVES - 1 :]
                growth = (after[-1] - after[0]) / (jobs_per_wave * (len(after) - 1)) * 1000 if len(after) > 1 else 0.0
                figures: dict[str, object] = {
                    "waves": waves,
                    "jobs_per_wave": jobs_per_wave,
                    "members": len(members),
                    "rss_mb_per_wave": per_wave,
                    "growth_mb_per_1000_jobs_after_warm_up": round(growth, 2),
                    "tracemalloc": traced,
                }
                if traced:
                    figures["top_growth"] = top_growth(Path(tmp))
                return figures
            finally:
                bot.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(bot.wait(), 20)
                except TimeoutError:
                    bot.kill()
                    await bot.wait()


def top_growth(folder: Path) -> list[str]:
    import tracemalloc

    first = tracemalloc.Snapshot.load(str(folder / "snapshot-1.tracemalloc"))
    last = tracemalloc.Snapshot.load(str(folder / "snapshot-2.tracemalloc"))
    ignore = [
        tracemalloc.Filter(False, tracemalloc.__file__),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
    ]
    stats = last.filter_traces(ignore).compare_to(first.filter_traces(ignore), "traceback")
    lines = []
    for stat in stats[:8]:
        frames = [f"{f.filename.removeprefix(str(ROOT) + os.sep)}:{f.lineno}" for f in stat.traceback[-6:]]
        lines.append(f"{stat.size_diff / 1024:+.0f} KiB {stat.count_diff:+d} blocks: " + " <- ".join(reversed(frames)))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--waves", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=100, help="/imagine per wave (as many U1 follow)")
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    figures = asyncio.run(run(args.waves, args.jobs, args.tracemalloc))
    figures["bench_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
