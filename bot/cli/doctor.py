"""`python -m bot doctor`: is this installation ready? Each check as a table row; exit 1 naming what failed.

Nothing here changes anything: the ledger is read, not migrated, and the image API is asked for a task
that does not exist (free). No secret is ever printed.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from rich.console import Console
from rich.table import Table

from bot.client.startup import probe_api
from bot.core.migrations import Backend, latest, migrations
from bot.core.redact import redact, register_secret
from bot.core.storage import open_storage, shown
from bot.settings import Settings, SettingsError, load_settings


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


async def run_checks(settings: Settings) -> list[Check]:
    checks = [Check("settings", True, f"provider {settings.mj_provider}, ledger {shown(settings.database)}")]
    async with httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=5.0)) as http:
        checks += await _discord(http, settings)
        checks.append(await _api(http, settings))
        checks.append(await _ops(http, settings))
    checks.append(await _postgres(settings) if settings.database_url is not None else _ledger(settings.database_path))
    if settings.webhook_public_url:
        checks.append(_push(settings))
    return checks


async def _discord(http: httpx.AsyncClient, settings: Settings) -> list[Check]:
    headers = {"Authorization": f"Bot {settings.discord_token.get_secret_value()}"}
    base = settings.discord_api_base
    try:
        me = await http.get(f"{base}/users/@me", headers=headers)
        if me.status_code == 401:
            return [Check("Discord token", False, "refused by Discord: reset it in the developer portal")]
        me.raise_for_status()
        user = me.json()
        app = await http.get(f"{base}/oauth2/applications/@me", headers=headers)
        app.raise_for_status()
        application = app.json()
    except (httpx.HTTPError, ValueError) as exc:
        return [Check("Discord token", False, f"cannot ask Discord at DISCORD_API_BASE={base}: {exc}")]
    name = f"{user.get('username', '?')} ({user.get('id', '?')})"
    return [
        Check("Discord token", True, f"accepted: the bot is {name}"),
        Check("Discord application", True, f"{application.get('name', '?')} ({application.get('id', '?')})"),
    ]


async def _api(http: httpx.AsyncClient, settings: Settings) -> Check:
    if settings.mj_provider == "simulator":
        return Check("image API", True, "the built-in simulator (no API configured)")
    from bot.client.app import build_provider

    provider = build_provider(settings, http, settings.mj_api_base, None)
    if (problem := await probe_api(provider)) is not None:
        return Check("image API", False, f"{settings.mj_api_base}: {problem}")
    return Check("image API", True, f"{settings.mj_api_base} answers with the key ({settings.mj_provider} dialect)")


async def _postgres(settings: Settings) -> Check:
    """Connect and read the schema version; nothing is created or migrated."""
    where = shown(settings.database)
    try:
        storage = await asyncio.wait_for(open_storage(settings.database, pool_size=1), timeout=10)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return Check("ledger", False, f"PostgreSQL at {where} cannot be reached: {exc}")
    try:
        version = await storage.schema_version()
    except asyncpg.PostgresError as exc:
        return Check("ledger", False, f"PostgreSQL at {where} cannot be read: {exc}")
    finally:
        await storage.close()
    return _schema("ledger", f"PostgreSQL at {where}", version, "postgres")


def _schema(name: str, where: str, version: int, backend: Backend) -> Check:
    newest = latest(backend)
    if version > newest:
        return Check(name, False, f"{where} has schema {version}, newer than this version knows ({newest})")
    pending = sum(m.version > version for m in migrations(backend))
    return Check(
        name, True, f"{where}, schema {version}" + (f"; {pending} migration(s) run at start" if pending else "")
    )


def _ledger(path: Path) -> Check:
    newest = latest("sqlite")
    if str(path) == ":memory:":
        return Check("ledger", True, "in memory (nothing kept across restarts)")
    if not path.exists():
        folder = next((p for p in path.parents if p.exists()), Path("."))
        if not folder.is_dir():
            return Check("ledger", False, f"{path}: {folder} is not a folder")
        return Check("ledger", True, f"{path} will be created at the first start (schema {newest})")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        return Check("ledger", False, f"{path} cannot be read: {exc}")
    return _schema("ledger", f"SQLite at {path}", version, "sqlite")


async def _ops(http: httpx.AsyncClient, settings: Settings) -> Check:
    """The bot's web server: a bot already answering there, else whether the port can be opened."""
    if settings.ops_port is None:
        return Check("ops endpoint", True, "off (OPS_PORT is not set): no probes, no metrics")
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(settings.ops_host, settings.ops_host)
    base = f"http://{f'[{host}]' if ':' in host else host}:{settings.ops_port}"
    try:
        live = await http.get(f"{base}/health/live", timeout=3)
        ready = await http.get(f"{base}/health/ready", timeout=10)
        verdict = ready.json()
    except httpx.TransportError:
        try:
            with socket.socket(socket.AF_INET6 if ":" in settings.ops_host else socket.AF_INET) as probe:
                probe.bind((settings.ops_host, settings.ops_port))
        except OSError as exc:
            return Check("ops endpoint", False, f"{settings.ops_host}:{settings.ops_port} cannot be opened: {exc}")
        return Check("ops endpoint", True, f"{base}: free; the bot serves /health/live, /health/ready, /metrics there")
    except ValueError:
        return Check("ops endpoint", False, f"{base} is taken by something that is not the bot")
    if live.status_code != 200 or not isinstance(verdict, dict) or "checks" not in verdict:
        return Check("ops endpoint", False, f"{base} is taken by something that is not the bot")
    checks = ", ".join(f"{name} {state}" for name, state in verdict["checks"].items())
    state = "ready" if ready.status_code == 200 else "not ready"
    return Check("ops endpoint", True, f"{base}: a running bot answers, live and {state} ({checks})")


def _push(settings: Settings) -> Check:
    try:
        with socket.socket() as probe:
            probe.bind((settings.webhook_host, settings.webhook_port))
    except OSError as exc:
        return Check("push endpoint", False, f"{settings.webhook_host}:{settings.webhook_port} cannot be opened: {exc}")
    return Check(
        "push endpoint", True, f"{settings.webhook_public_url} → {settings.webhook_host}:{settings.webhook_port}"
    )


def doctor(console: Console | None = None) -> int:
    console = console or Console(width=140)
    try:
        settings = load_settings()
    except SettingsError as exc:
        checks = [Check("settings", False, str(exc))]
    else:
        for secret in settings.secrets:
            register_secret(secret)
        checks = asyncio.run(run_checks(settings))
    table = Table(title="mjbot doctor")
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail", overflow="fold")
    for check in checks:
        table.add_row(check.name, "pass" if check.ok else "FAIL", redact(check.detail))
    console.print(table)
    failed = [c.name for c in checks if not c.ok]
    if failed:
        console.print(f"failed: {', '.join(failed)}")
        return 1
    console.print("all checks passed")
    return 0
