"""Schema changes as numbered SQL files, one folder per backend (`sqlite/`, `postgres/`).

The same number means the same change on both backends; each backend's storage records the last one it
applied (SQLite: `PRAGMA user_version`; PostgreSQL: the `schema_migrations` table) and applies the rest
in order, under a lock, at start or with `mjbot db upgrade`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Backend = Literal["sqlite", "postgres"]
_NAME = re.compile(r"^(\d{4})_(\w+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        """The script's statements one by one (no `;` inside a statement's text; `--` comments dropped)."""
        lines = [line for line in self.sql.splitlines() if not line.lstrip().startswith("--")]
        return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


@cache
def migrations(backend: Backend) -> tuple[Migration, ...]:
    """Every migration of `backend`, in order; numbered 1, 2, 3 … without a gap."""
    found = []
    for entry in resources.files(__package__).joinpath(backend).iterdir():
        if match := _NAME.match(entry.name):
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"{backend} migrations are not numbered 1..{len(found)}: {[m.version for m in found]}")
    return tuple(found)


def latest(backend: Backend) -> int:
    return len(migrations(backend))
