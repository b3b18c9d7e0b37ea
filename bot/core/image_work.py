"""Pillow's work off the event loop, on a small pool of threads: Pillow lets go of the GIL while it decodes,
encodes and draws, so fitting a 22 MB PNG for upload or drawing a region mask (0.2-0.7 s each) no longer
stops every other member's answer. Two threads: the machine the bot runs on has few cores, and more would
only hold more images in memory at once; further work waits its turn."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

IMAGE_THREADS = 2
_pool = ThreadPoolExecutor(max_workers=IMAGE_THREADS, thread_name_prefix="pillow")


async def off_loop(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`work(*args, **kwargs)` on the image threads; the event loop serves everyone else meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(_pool, lambda: work(*args, **kwargs))
