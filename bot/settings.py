"""Settings read from the environment and `.env`.

The variable names are a public contract: tools outside the repository rely on them.
A bad value raises `SettingsError` naming the variable, which `__main__` turns into one line and exit 2.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.core.quota import Defaults

PROVIDERS = ("simulator", "proxy", "acedata")
MODES = ("fast", "relax", "turbo")
DEFAULT_API_BASES = {"acedata": "https://api.acedata.cloud"}
AUTH_HEADER_STYLES = ("bearer", "mj-api-secret", "authorization")

DEFAULT_DISCORD_API_BASE = "https://discord.com/api/v10"
DEFAULT_DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    discord_token: str = field(repr=False)
    discord_api_base: str = DEFAULT_DISCORD_API_BASE
    discord_gateway_url: str = DEFAULT_DISCORD_GATEWAY_URL
    mj_provider: str = "simulator"
    mj_api_base: str = ""
    mj_api_key: str = field(default="", repr=False)
    mj_auth_header: str = "bearer"
    database_path: Path = Path("data/bot.sqlite3")
    mj_poll_interval: float = 3.0
    progress_edit_interval: float = 2.0
    job_timeout: float = 900.0  # counted from the API's acceptance of the paid submit
    remix_timeout: float = 600.0  # how long a job waits for its Remix prompt before it is refunded
    mj_bot_type: str = "MID_JOURNEY"
    mj_mode: str | None = None  # fast | relax | turbo; None: the API's default
    mj_mode_in_path: bool = False  # resellers' /{mode}/mj/... routes
    acedata_max_streams: int = 8  # AceData ndjson streams at once; beyond that jobs are polled
    simulator_speed: float = 1.0
    max_attachment_bytes: int = 8 * 1024 * 1024
    discord_guild_id: int | None = None
    log_level: str = "INFO"
    quota_defaults: Defaults = field(default_factory=Defaults)
    webhook_public_url: str = ""  # empty: no push endpoint, polling only
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log line, a message or the ledger."""
        from bot.core.push import push_secret

        derived = push_secret(self.discord_token) if self.discord_token else ""
        return tuple(s for s in (self.discord_token, self.mj_api_key, derived) if s)


def _url(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = env.get(name, "").strip() or default
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        raise SettingsError(f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}")
    return value.rstrip("/") if name != "DISCORD_GATEWAY_URL" else value


def _seconds(env: Mapping[str, str], name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not math.isfinite(value) or value <= minimum:
        raise SettingsError(f"{name} must be a positive number of seconds, got {raw!r}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    """A whole number of at least `minimum`; limits take 0, which means none."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    hint = " (0 for no limit)" if minimum == 0 else ""
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number{hint}, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be {minimum}{hint} or more, got {raw!r}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.get(name, "").strip().lower() or default
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def load_settings(env: Mapping[str, str] | None = None, *, require_token: bool = True) -> Settings:
    """Build settings from `env` (default: the process environment, after loading `.env`)."""
    if env is None:
        from dotenv import load_dotenv

        # Values already in the environment win over `.env`, as operators expect.
        load_dotenv(override=False)
        env = os.environ

    token = env.get("DISCORD_TOKEN", "").strip()
    if require_token and not token:
        raise SettingsError("DISCORD_TOKEN is not set: put the bot token from the Discord developer portal in .env")

    provider = _choice(env, "MJ_PROVIDER", "simulator", PROVIDERS)
    api_base = ""
    if provider != "simulator":
        default_base = DEFAULT_API_BASES.get(provider, "")
        if not env.get("MJ_API_BASE", "").strip() and not default_base:
            raise SettingsError(f"MJ_API_BASE must be set when MJ_PROVIDER={provider}")
        api_base = _url(env, "MJ_API_BASE", default_base, ("http", "https"))

    mode = env.get("MJ_MODE", "").strip().lower() or None
    if mode is not None and mode not in MODES:
        raise SettingsError(f"MJ_MODE must be one of {', '.join(MODES)} or empty, got {mode!r}")
    mode_in_path = env.get("MJ_MODE_IN_PATH", "").strip().lower()
    if mode_in_path not in ("", "0", "1", "true", "false", "yes", "no"):
        raise SettingsError(f"MJ_MODE_IN_PATH must be true or false, got {mode_in_path!r}")

    bot_type = env.get("MJ_BOT_TYPE", "").strip().upper() or "MID_JOURNEY"
    if bot_type not in ("MID_JOURNEY", "NIJI_JOURNEY"):
        raise SettingsError(f"MJ_BOT_TYPE must be MID_JOURNEY or NIJI_JOURNEY, got {bot_type!r}")

    guild_raw = env.get("DISCORD_GUILD_ID", "").strip()
    guild_id = _int(env, "DISCORD_GUILD_ID", 0) if guild_raw else None

    webhook_url = ""
    if env.get("WEBHOOK_PUBLIC_URL", "").strip():
        webhook_url = _url(env, "WEBHOOK_PUBLIC_URL", "", ("http", "https"))
    webhook_port = _int(env, "WEBHOOK_PORT", 8080)
    if webhook_port > 65535:
        raise SettingsError(f"WEBHOOK_PORT must be a port number, got {webhook_port}")

    db_raw = env.get("DATABASE_PATH", "").strip()
    return Settings(
        discord_token=token,
        discord_api_base=_url(env, "DISCORD_API_BASE", DEFAULT_DISCORD_API_BASE, ("http", "https")),
        discord_gateway_url=_url(env, "DISCORD_GATEWAY_URL", DEFAULT_DISCORD_GATEWAY_URL, ("ws", "wss")),
        mj_provider=provider,
        mj_api_base=api_base,
        mj_api_key=env.get("MJ_API_KEY", "").strip(),
        mj_auth_header=_choice(env, "MJ_AUTH_HEADER", "bearer", AUTH_HEADER_STYLES),
        database_path=Path(db_raw) if db_raw else Path("data/bot.sqlite3"),
        mj_poll_interval=_seconds(env, "MJ_POLL_INTERVAL", 3.0),
        progress_edit_interval=_seconds(env, "PROGRESS_EDIT_INTERVAL", 2.0),
        job_timeout=_seconds(env, "JOB_TIMEOUT", 900.0),
        remix_timeout=_seconds(env, "REMIX_TIMEOUT", 600.0),
        mj_bot_type=bot_type,
        mj_mode=mode,
        mj_mode_in_path=mode_in_path in ("1", "true", "yes"),
        acedata_max_streams=_int(env, "ACEDATA_MAX_STREAMS", 8, minimum=0),
        simulator_speed=_seconds(env, "SIMULATOR_SPEED", 1.0),
        max_attachment_bytes=_int(env, "MAX_ATTACHMENT_BYTES", 8 * 1024 * 1024),
        discord_guild_id=guild_id,
        log_level=_choice(env, "LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper(),
        quota_defaults=Defaults(
            daily_credits=_int(env, "QUOTA_DAILY_CREDITS", 25, minimum=0),
            user_running=_int(env, "QUOTA_USER_RUNNING", 3, minimum=0),
            user_waiting=_int(env, "QUOTA_USER_WAITING", 10, minimum=0),
            server_running=_int(env, "QUOTA_SERVER_RUNNING", 12, minimum=0),
        ),
        webhook_public_url=webhook_url,
        webhook_host=env.get("WEBHOOK_HOST", "").strip() or "0.0.0.0",
        webhook_port=webhook_port,
    )
