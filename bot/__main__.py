"""`python -m bot` / `mjbot`: run the bot, or one of the operator's commands (`mjbot --help`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from datetime import date
from pathlib import Path

from bot.log import setup_logging
from bot.settings import SettingsError, load_settings

log = logging.getLogger("bot")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="mjbot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the Discord bot (the default)")
    sub.add_parser("doctor", help="check the settings, the Discord token, the image API and the ledger")
    imagine = sub.add_parser("imagine", help="make one image grid from the terminal and save it as PNGs")
    imagine.add_argument("prompt")
    imagine.add_argument("--out", type=Path, default=Path("out"), help="folder for the PNGs (default ./out)")
    imagine.add_argument("--mode", choices=("fast", "relax", "turbo"))
    imagine.add_argument("--bot", choices=("mj", "niji"), default="mj")
    imagine.add_argument("--image", type=Path, nargs="+", default=[], help="reference images")
    act = sub.add_parser("action", help="press a button (U1, V2, 🔄 …) of a finished task, save the result")
    act.add_argument("task_id")
    act.add_argument("button", help="the button's label or emoji, e.g. U1")
    act.add_argument("--out", type=Path, default=Path("out"))
    ledger = sub.add_parser("ledger", help="the ledger outside Discord").add_subparsers(dest="ledger", required=True)
    export = ledger.add_parser("export", help="jobs and credit entries as CSV or JSON lines")
    export.add_argument("--guild", type=int, help="one server's only")
    export.add_argument("--since", type=date.fromisoformat, help="from this day on (YYYY-MM-DD, UTC)")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument("--out", type=Path, help="a file (default: standard output)")
    stats = ledger.add_parser("stats", help="the figures of /mjadmin stats")
    stats.add_argument("--guild", type=int, help="one server's only")
    stats.add_argument("--png", type=Path, help="also draw the chart into this file")
    db = sub.add_parser("db", help="the ledger's schema migrations").add_subparsers(dest="db", required=True)
    db.add_parser("status", help="the schema version and each migration, applied or pending")
    db.add_parser("upgrade", help="apply the pending migrations without starting the bot")
    backup = sub.add_parser("backup", help="copy the SQLite ledger to PATH, safely while the bot runs")
    backup.add_argument("path", type=Path)
    restore = sub.add_parser("restore", help="copy a backup into an empty ledger (stop the bot first)")
    restore.add_argument("path", type=Path)
    sim = sub.add_parser("simulate", help="serve the midjourney-proxy API simulator")
    sim.add_argument("--port", type=int, default=8787)
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--duration", type=float, default=8.0, help="seconds a job takes")
    sim.add_argument("--api-key", default="", help="require this key (any header style)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.command == "simulate":
        return _simulate(args)
    if args.command == "doctor":
        from bot.cli.doctor import doctor

        return doctor()
    if args.command == "ledger":
        return _ledger(args)
    if args.command == "db":
        return _db(args)
    if args.command in ("backup", "restore"):
        return _backup(args)
    if args.command in ("imagine", "action"):
        return _generate(args)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"mjbot: configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.secrets, settings.log_format)

    import discord

    from bot.client.app import run_bot
    from bot.client.startup import StartupError

    try:
        asyncio.run(run_bot(settings))
    except StartupError as exc:
        return _stopped(settings.log_format, str(exc))
    except discord.PrivilegedIntentsRequired:
        return _stopped(settings.log_format, "Discord refused the gateway intents this bot asked for")
    except KeyboardInterrupt:
        pass
    return 0


def _stopped(log_format: str, reason: str) -> int:
    """The one line the bot stops with (exit 1): a JSON log line too, where the log is JSON."""
    if log_format == "json":
        log.critical(reason)
    else:
        print(f"mjbot: {reason}", file=sys.stderr)
    return 1


def _generate(args: argparse.Namespace) -> int:
    from bot.cli import generate

    try:
        settings = load_settings(require_token=False)
        setup_logging("WARNING", settings.secrets)
        if args.command == "imagine":
            return generate.imagine(settings, args.prompt, args.out, args.mode, args.bot, args.image)
        return generate.action(settings, args.task_id, args.button, args.out)
    except (SettingsError, generate.JobFailed) as exc:
        print(f"mjbot: {exc}", file=sys.stderr)
        return 1


def _ledger(args: argparse.Namespace) -> int:
    from bot.cli import ledger_tools

    try:
        settings = load_settings(require_token=False)
        if args.ledger == "export":
            return ledger_tools.export(settings, args.guild, args.since, args.format, args.out)
        return ledger_tools.stats(settings, args.guild, args.png)
    except (SettingsError, ledger_tools.LedgerToolError, OSError) as exc:
        print(f"mjbot: {exc}", file=sys.stderr)
        return 1


def _db(args: argparse.Namespace) -> int:
    import sqlite3

    import asyncpg

    from bot.cli import db

    try:
        settings = load_settings(require_token=False)
        return db.status(settings) if args.db == "status" else db.upgrade(settings)
    except (SettingsError, OSError, sqlite3.Error, asyncpg.PostgresError) as exc:
        print(f"mjbot: {exc}", file=sys.stderr)
        return 1


def _backup(args: argparse.Namespace) -> int:
    from bot.cli import backup

    try:
        settings = load_settings(require_token=False)
        return (backup.backup if args.command == "backup" else backup.restore)(settings, args.path)
    except (SettingsError, backup.BackupError, OSError) as exc:
        print(f"mjbot: {exc}", file=sys.stderr)
        return 1


def _simulate(args: argparse.Namespace) -> int:
    from bot.simulator.server import serve_forever

    setup_logging("INFO", [args.api_key] if args.api_key else [])
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(args.port, args.duration, args.api_key, host=args.host))
    return 0


if __name__ == "__main__":
    sys.exit(main())
