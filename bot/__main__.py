"""`python -m bot` / `mjbot`: run the bot, or one of the operator's commands (`mjbot --help`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys

from bot.log import setup_logging
from bot.settings import SettingsError, load_settings

log = logging.getLogger("bot")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="mjbot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the Discord bot (the default)")
    sub.add_parser("doctor", help="check the settings, the Discord token, the image API and the ledger")
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
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"mjbot: configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.secrets)

    import discord

    from bot.client.app import run_bot
    from bot.client.startup import StartupError

    try:
        asyncio.run(run_bot(settings))
    except StartupError as exc:
        print(f"mjbot: {exc}", file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print("mjbot: Discord refused the gateway intents this bot asked for", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from bot.simulator.server import serve_forever

    setup_logging("INFO", [args.api_key] if args.api_key else [])
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(args.port, args.duration, args.api_key, host=args.host))
    return 0


if __name__ == "__main__":
    sys.exit(main())
