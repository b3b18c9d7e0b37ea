"""`python -m bot db status | upgrade`: the ledger's schema migrations, without starting the bot.

Works on whichever database the settings select (DATABASE_URL, else DATABASE_PATH); never prints a password.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.core.migrations import latest, migrations
from bot.core.storage import Storage, open_storage, shown
from bot.settings import Settings


def status(settings: Settings) -> int:
    """Each migration of the selected backend, applied or pending; exit 1 when the ledger is newer than the code."""
    lines, ok = asyncio.run(_status(settings))
    print("\n".join(lines))
    return 0 if ok else 1


def upgrade(settings: Settings) -> int:
    """Apply the pending migrations (under the same lock as a starting bot)."""
    applied, storage_where = asyncio.run(_upgrade(settings))
    if applied:
        print(f"{storage_where}: applied {', '.join(map(str, applied))}; schema {applied[-1]}")
    else:
        print(f"{storage_where}: up to date, nothing to apply")
    return 0


async def _open(settings: Settings) -> Storage:
    where = settings.database
    if isinstance(where, Path) and str(where) != ":memory:" and not where.exists():
        where.parent.mkdir(parents=True, exist_ok=True)  # `upgrade` creates the ledger, as a start would
    return await open_storage(where, pool_size=1)


async def _status(settings: Settings) -> tuple[list[str], bool]:
    where = settings.database
    if isinstance(where, Path) and str(where) != ":memory:" and not where.exists():  # status creates nothing
        newest = latest("sqlite")
        return [f"ledger: {where} (sqlite) does not exist yet; `mjbot db upgrade` or the first start makes it"
                f" (schema {newest})"], True  # fmt: skip
    storage = await _open(settings)
    try:
        version = await storage.schema_version()
        known, newest = migrations(storage.backend), latest(storage.backend)
        lines = [f"ledger: {shown(settings.database)} ({storage.backend}), schema {version} of {newest}"]
        lines += [f"  {m.version:04d} {m.name:<28} {'applied' if m.version <= version else 'pending'}" for m in known]
        pending = sum(m.version > version for m in known)
        if version > newest:
            lines.append(f"the ledger's schema {version} is newer than this version of the bot knows ({newest})")
        elif pending:
            lines.append(f"{pending} pending: `mjbot db upgrade` applies them (the bot also does at start)")
        return lines, version <= newest
    finally:
        await storage.close()


async def _upgrade(settings: Settings) -> tuple[list[int], str]:
    storage = await _open(settings)
    try:
        return await storage.migrate(), shown(settings.database)
    finally:
        await storage.close()
