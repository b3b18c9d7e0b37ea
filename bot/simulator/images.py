"""Real PNG images for the simulator, drawn with Pillow: a 2x2 grid or one upscaled image."""

from __future__ import annotations

import hashlib
import io
import random
import textwrap

from PIL import Image, ImageDraw, ImageFilter, ImageFont

CELL = 256


def _rng(*parts: object) -> random.Random:
    seed = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def _cell(prompt: str, seed: str, index: int, size: int) -> Image.Image:
    rng = _rng(prompt, seed, index)
    base = tuple(rng.randrange(40, 200) for _ in range(3))
    img = Image.new("RGB", (size, size), base)
    draw = ImageDraw.Draw(img)
    for _ in range(7):
        x, y = rng.randrange(size), rng.randrange(size)
        r = rng.randrange(size // 10, size // 3)
        color = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=color)
    font = ImageFont.load_default(size=max(12, size // 16))
    lines = textwrap.wrap(prompt, width=max(10, size // 12))[:4]
    text = "\n".join(lines)
    draw.multiline_text((size // 16 + 1, size // 16 + 1), text, fill=(0, 0, 0), font=font)
    draw.multiline_text((size // 16, size // 16), text, fill=(255, 255, 255), font=font)
    draw.text((size - size // 8, size - size // 8), str(index), fill=(255, 255, 255), font=font)
    return img


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False)
    return out.getvalue()


def grid_png(prompt: str, seed: str, cell: int = CELL) -> bytes:
    """Four images in a 2x2 grid, numbered 1-4 as Midjourney numbers them."""
    grid = Image.new("RGB", (cell * 2, cell * 2))
    for i in range(4):
        grid.paste(_cell(prompt, seed, i + 1, cell), ((i % 2) * cell, (i // 2) * cell))
    return _png(grid)


def single_png(prompt: str, seed: str, index: int, size: int = CELL * 2) -> bytes:
    """One upscaled image: cell `index` of the grid drawn larger."""
    return _png(_cell(prompt, seed, index, size))


def preview_png(final_png: bytes, progress: int) -> bytes:
    """A small, blurred preview that sharpens as progress rises, like Midjourney's."""
    img = Image.open(io.BytesIO(final_png)).convert("RGB")
    img.thumbnail((256, 256))
    radius = max(0.0, (100 - progress) / 8)
    return _png(img.filter(ImageFilter.GaussianBlur(radius)))
