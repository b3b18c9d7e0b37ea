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


# Numbers another branch's migration holds until it is merged: the one gap allowed. A ledger upgraded past a
# reserved number never gets that migration afterwards (the schema version is the last number applied), so
# the branches merge together before any real ledger is upgraded; drop the number here at that merge.
RESERVED = frozenset({9, 10})


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
    numbers = [m.version for m in found]
    if not well_numbered(numbers):
        raise RuntimeError(f"{backend} migrations are not numbered 1..{numbers[-1]}: {numbers}")
    return tuple(found)


def well_numbered(numbers: list[int]) -> bool:
    """1, 2, 3 … in order, each once: the schema version is the last one applied, so a gap filled later
    would never be applied to a ledger already past it."""
    top = numbers[-1] if numbers else 0
    return numbers == [n for n in range(1, top + 1) if n not in RESERVED or n in numbers]


def latest(backend: Backend) -> int:
    """The newest schema version."""
    found = migrations(backend)
    return found[-1].version if found else 0
