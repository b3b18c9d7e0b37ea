"""`python -m bot ledger export | stats`: the ledger read outside Discord, by the operator."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sys
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.charts import usage_png
from bot.core.accounts import Accounts
from bot.core.ledger import Ledger, SchemaMismatch
from bot.core.usage import summary, usage
from bot.settings import Settings

COLUMNS = ("record", "id", "time_utc", "guild_id", "user_id", "job_id", "action", "status", "kind", "pool",
           "amount", "prompt", "error", "note")  # fmt: skip


class LedgerToolError(Exception):
    """What the operator asked cannot be done; one line."""


def export(settings: Settings, guild: int | None, since: date | None, fmt: str, out: Path | None) -> int:
    """Every job and credit entry (of one server, since a day), as CSV or JSON lines."""
    _require(settings)
    records = asyncio.run(_records(settings, guild, since))
    text = _csv(records) if fmt == "csv" else "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        jobs = sum(r["record"] == "job" for r in records)
        print(f"{jobs} jobs and {len(records) - jobs} credit entries written to {out}", file=sys.stderr)
    return 0


def stats(settings: Settings, guild: int | None, png: Path | None) -> int:
    """The figures of `/mjadmin stats` for one server or each; `png`: the same chart."""
    _require(settings)
    lines, chart = asyncio.run(_stats(settings, guild, png is not None))
    print("\n".join(lines))
    if png is not None and chart is not None:
        png.write_bytes(chart)
        print(f"chart written to {png}", file=sys.stderr)
    return 0


def _require(settings: Settings) -> None:
    if settings.database_url is not None:
        return  # a server: opening it says whether it is there
    if str(settings.database_path) != ":memory:" and not Path(settings.database_path).exists():
        raise LedgerToolError(f"no ledger at DATABASE_PATH={settings.database_path}")


async def _open(settings: Settings) -> Ledger:
    """The ledger, read-only: these commands never migrate or write it, even by accident."""
    try:
        return await Ledger.open(settings.database, pool_size=2, read_only=True)
    except SchemaMismatch as exc:
        hint = "run `mjbot db upgrade` first" if exc.version < exc.latest else "use the bot's own version"
        raise LedgerToolError(f"{exc}; {hint}") from None


async def _records(settings: Settings, guild: int | None, since: date | None) -> list[dict[str, Any]]:
    ledger = await _open(settings)
    try:
        where, params = _filter(guild, since)
        jobs = await ledger.fetch_all(
            f"SELECT id, created_at, guild_id, user_id, action, status, prompt, error FROM jobs WHERE {where}"
            " ORDER BY id",
            params,
        )
        entries = await ledger.fetch_all(
            "SELECT id, created_at, guild_id, user_id, job_id, kind, pool, amount, note FROM credit_entries"
            f" WHERE {where} ORDER BY id",
            params,
        )
    finally:
        await ledger.close()
    return [_record("job", dict(r), job_id=r["id"]) for r in jobs] + [_record("credit", dict(r)) for r in entries]


async def _stats(settings: Settings, guild: int | None, draw: bool) -> tuple[list[str], bytes | None]:
    ledger = await _open(settings)
    lines: list[str] = []
    chart = None
    try:
        accounts = Accounts(ledger, settings.quota_defaults)
        now = time.time()
        guilds = [guild] if guild is not None else [
            int(r[0]) for r in await ledger.fetch_all("SELECT DISTINCT guild_id FROM jobs WHERE guild_id IS NOT NULL")
        ]  # fmt: skip
        for guild_id in sorted(guilds):
            lines.append(f"Server {guild_id}")
            lines += [f"  {line}" for line in await summary(accounts, guild_id, now)]  # English: str(Text)
        if draw:
            zone = (await accounts.config(guild)).zone() if guild is not None else ZoneInfo("UTC")
            figures = await usage(ledger, guild, now, zone)
            title = f"Server {guild}" if guild is not None else "All servers"
            chart = usage_png(figures, f"{title}: the last {len(figures.days)} days")
    finally:
        await ledger.close()
    return lines, chart


def _filter(guild: int | None, since: date | None) -> tuple[str, list[Any]]:
    clauses: list[str] = ["1 = 1"]
    params: list[Any] = []
    if guild is not None:
        clauses.append("guild_id = ?")
        params.append(guild)
    if since is not None:
        clauses.append("created_at >= ?")
        params.append(datetime(since.year, since.month, since.day, tzinfo=UTC).timestamp())
    return " AND ".join(clauses), params


def _record(kind: str, row: dict[str, Any], **extra: Any) -> dict[str, Any]:
    created = row.pop("created_at")
    when = datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%d %H:%M:%S")
    return {"record": kind, "time_utc": when, **row, **extra}


def _csv(records: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()
