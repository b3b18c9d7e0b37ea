"""Benchmark: the web gallery's pages over a large ledger, and what a thumbnail costs to make.

Fills a SQLite ledger with N finished images in one server (M members), serves the gallery's routes on the
bot's web server and asks for grid pages over real HTTP: the first page, a page deep in the keyset walk, a
prompt filter, one member's link, and an image's page. Prints JSON: each route's p50 and p95 in ms; then the
time Pillow takes to make one thumbnail of a 1024×1024 PNG, and the thumbnail's size.
Usage: python bench/gallery.py [--images 20000] [--members 50] [--requests 50]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.client.web import WebServer
from bot.core.gallery import KIND_OF, Gallery, Scope
from bot.core.ledger import Ledger
from bot.core.thumbnails import Thumbnails, make_thumbnail
from cogs.gallery.links import Link, gallery_key, sign
from cogs.gallery.site import GallerySite

GUILD = 1_300_000_000_000_000_100
WORDS = ("fox", "whale", "lantern", "harbour", "garden", "moon", "kettle", "crane", "forest", "city")


async def fill(ledger: Ledger, images: int, members: int) -> None:
    actions = sorted(KIND_OF)
    async with ledger.transaction() as db:
        for n in range(images):
            prompt = f"a {WORDS[n % len(WORDS)]} number {n} --ar 3:2"
            await db.execute(
                """INSERT INTO jobs (user_id, guild_id, channel_id, message_id, provider, action, prompt, status,
                                     image_url, delivered, created_at, updated_at, finished_at)
                   VALUES (?, ?, 5, ?, 'sim', ?, ?, 'succeeded', ?, 1, ?, ?, ?)""",
                (1 + n % members, GUILD, 10_000 + n, actions[n % len(actions)], prompt, f"https://x/{n}.png",
                 1.7e9 + n, 1.7e9 + n, 1.7e9 + n),
            )  # fmt: skip


def figures(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
    }


async def main(images: int, members: int, requests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ledger = await Ledger.open(Path(tmp) / "bench.sqlite3")
        started = time.perf_counter()
        await fill(ledger, images, members)
        filled = time.perf_counter() - started
        key = gallery_key("bench-token")

        async def no_image(job: object) -> bytes | None:
            return None

        site = GallerySite(Gallery(ledger), Thumbnails(Path(tmp) / "t", 1 << 20), key, no_image, lambda g, u: str(u))
        web = WebServer("127.0.0.1", 0)
        site.mount(web.app)
        port = await web.start()
        expires = int(time.time()) + 3600
        server = f"http://127.0.0.1:{port}/gallery/{sign(key, Link(Scope(GUILD, 1, True), expires, 'en-US'))}/"
        member = f"http://127.0.0.1:{port}/gallery/{sign(key, Link(Scope(GUILD, 7, False), expires, 'en-US'))}/"
        deep = images - images // 10  # a keyset cursor nine tenths of the way down
        routes = {
            "grid_first_page": server,
            "grid_deep_page": f"{server}?before={deep}",
            "grid_prompt_filter": f"{server}?q=whale+number+1",
            "grid_member_link": member,
            "image_page": f"{server}image/{images // 2}",
        }
        out: dict[str, object] = {"images": images, "members": members, "fill_seconds": round(filled, 2)}
        async with httpx.AsyncClient() as http:
            for name, url in routes.items():
                samples = []
                for _ in range(requests):
                    start = time.perf_counter()
                    answer = await http.get(url)
                    samples.append(time.perf_counter() - start)
                    assert answer.status_code == 200, (name, answer.status_code)
                out[name] = figures(samples)
        await web.stop()
        await ledger.close()
    png = io.BytesIO()
    Image.effect_noise((1024, 1024), 64).convert("RGB").save(png, "PNG")
    made = []
    for _ in range(10):
        start = time.perf_counter()
        thumb = make_thumbnail(png.getvalue())
        made.append(time.perf_counter() - start)
    out["thumbnail_1024px_png"] = {**figures(made), "source_kb": len(png.getvalue()) // 1024, "kb": len(thumb) // 1024}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20000)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.images, args.members, args.requests))
