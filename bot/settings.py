"""Settings read from the environment and `.env`, each declared once: name, type, default, meaning.

The variable names are a public contract: tools outside the repository rely on them. `.env.example`
and the README's table are checked against this model by a test. A bad value raises `SettingsError`
naming the variable, which `__main__` turns into one line and exit 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core import pricing
from bot.core.quota import Defaults
from bot.core.shards import EVERY_SERVER, ShardSet
from bot.core.storage import is_postgres

DEFAULT_API_BASES = {"acedata": "https://api.acedata.cloud"}
# The features, each an extension `cogs.<name>`, in the order they load; `EXTENSIONS` picks some.
FEATURES = ("generation", "describe", "edit", "video", "credits", "admin", "preferences", "gallery")
NEEDS_GENERATION = ("describe", "edit", "video")  # they post job messages, which generation keeps up to date
FALLBACK = "fallback"  # the second API's name in the ledger (`jobs.provider`)


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


def _url(*schemes: str, keep_slash: bool = False) -> AfterValidator:
    def check(value: str) -> str:
        if urlsplit(value).scheme not in schemes or not urlsplit(value).netloc:
            raise ValueError(f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}")
        return value if keep_slash else value.rstrip("/")

    return AfterValidator(check)


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _factors(value: str) -> str:
    """`turbo=2, relax=1/2`: known factor names, exact ratios from 0 to 100."""
    for name, ratio in _pairs(value):
        if name not in pricing.DEFAULT_FACTORS:
            raise ValueError(f"unknown cost factor {name!r} (known: {', '.join(pricing.DEFAULT_FACTORS)})")
        try:
            pricing.parse_factor(ratio)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{name} must be a ratio from 0 to 100 such as 2, 0.5 or 1/4") from None
    return value


def _pairs(value: str) -> list[tuple[str, str]]:
    return [(n.strip().lower(), r.strip()) for n, _, r in (p.partition("=") for p in value.split(",") if p.strip())]


HttpUrl = Annotated[str, _url("http", "https")]
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Limit = Annotated[int, Field(ge=0)]  # 0: no limit


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_ignore_empty=True, extra="ignore", frozen=True, hide_input_in_errors=True
    )

    discord_token: SecretStr = Field(SecretStr(""), description="the bot token")
    discord_api_base: HttpUrl = Field(
        "https://discord.com/api/v10", description="Discord REST base (for Discord-compatible servers and tests)"
    )
    discord_gateway_url: Annotated[str, _url("ws", "wss", keep_slash=True)] = Field(
        "wss://gateway.discord.gg/", description="Discord gateway (same)"
    )
    startup_retry_seconds: Seconds = Field(
        60.0, description="how long the bot keeps trying to reach Discord at start before it gives up"
    )
    discord_guild_id: int | None = Field(
        None, ge=1, description="register the commands in this server only (instant) instead of globally"
    )
    mj_provider: Annotated[Literal["simulator", "proxy", "acedata"], BeforeValidator(_lower)] = Field(
        "simulator", description="`simulator` (built in, no key), `proxy` (midjourney-proxy dialect) or `acedata`"
    )
    mj_api_base: Annotated[str, BeforeValidator(_strip)] = Field(
        "", description="API base URL with any prefix; `/mj/...` is appended for `proxy`"
    )
    mj_api_key: SecretStr = Field(SecretStr(""), description="API key; never logged, never shown")
    mj_auth_header: Annotated[Literal["bearer", "mj-api-secret", "authorization"], BeforeValidator(_lower)] = Field(
        "bearer", description="how the key is sent"
    )
    mj_bot_type: Annotated[Literal["MID_JOURNEY", "NIJI_JOURNEY"], BeforeValidator(_upper)] = Field(
        "MID_JOURNEY", description="default of the `bot` option"
    )
    mj_mode: Annotated[Literal["fast", "relax", "turbo"] | None, BeforeValidator(_lower)] = Field(
        None, description="default of the `mode` option; empty: the API's default"
    )
    mj_mode_in_path: bool = Field(False, description="`proxy`: also put the mode in the path (`/fast/mj/...`)")
    mj_edits: bool = Field(
        True, description="`proxy`: the server has `/mj/submit/edits` (trueai-org, new-api); off: /edit says it cannot"
    )
    mj_fallback_provider: Annotated[Literal["", "proxy", "acedata"], BeforeValidator(_lower)] = Field(
        "", description="a second image API, used while the first is down: `proxy` or `acedata`; empty: none"
    )
    mj_fallback_api_base: Annotated[str, BeforeValidator(_strip)] = Field(
        "", description="the second API's base URL (`acedata`: https://api.acedata.cloud by default)"
    )
    mj_fallback_api_key: SecretStr = Field(SecretStr(""), description="the second API's key; never logged, never shown")
    mj_fallback_auth_header: Annotated[Literal["bearer", "mj-api-secret", "authorization"], BeforeValidator(_lower)] = (
        Field("bearer", description="how the second API's key is sent")
    )
    mj_fallback_cost_factors: Annotated[str, BeforeValidator(_strip), AfterValidator(_factors)] = Field(
        "", description="the second API's own cost factors over COST_FACTORS, e.g. `turbo=3`"
    )
    provider_cooldown: Seconds = Field(
        300.0, description="seconds an API that failed (outage, key, credit, full queue) is skipped for new jobs"
    )
    acedata_max_streams: Limit = Field(8, description="`acedata`: jobs followed on a live stream at once")
    database_path: Path = Field(Path("data/bot.sqlite3"), description="the SQLite ledger")
    database_url: SecretStr | None = Field(
        None,
        description="PostgreSQL instead of SQLite (`postgresql://user:password@host:port/db`), shared by processes",
    )
    database_pool_size: int = Field(10, ge=1, le=1000, description="PostgreSQL: connections one process keeps at most")
    mj_poll_interval: Seconds = Field(3.0, description="seconds between status checks")
    progress_edit_interval: Seconds = Field(2.0, description="least seconds between two edits of one message")
    job_timeout: Seconds = Field(900.0, description="seconds after the API accepted a job until it is given up")
    remix_timeout: Seconds = Field(600.0, description="seconds a job waits for its Remix prompt")
    max_attachment_bytes: int = Field(8 * 1024 * 1024, ge=1, description="largest reference image accepted")
    quota_daily_credits: Limit = Field(25, description="each member's credits per day")
    quota_user_running: Limit = Field(3, description="jobs one member may have running")
    quota_user_waiting: Limit = Field(10, description="jobs one member may have waiting beyond that")
    quota_server_running: Limit = Field(12, description="jobs running at once in one server")
    cost_factors: Annotated[str, BeforeValidator(_strip), AfterValidator(_factors)] = Field(
        "", description="the cost table's factors over the published ratios, e.g. `turbo=2,relax=0,hd=4`"
    )
    mj_default_version: Annotated[str, BeforeValidator(_strip)] = Field(
        "8.1", pattern=r"^\d(\.\d)?$", description="the model version of prompts that name none (checks, prices)"
    )
    simulator_speed: Seconds = Field(1.0, description="the simulator's jobs take 8 s divided by this")
    log_level: Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper)] = Field(
        "INFO", description="debug, info, warning or error"
    )
    log_format: Annotated[Literal["text", "json"], BeforeValidator(_lower)] = Field(
        "text", description="`text` (a line for people) or `json` (one JSON object a line, for log collectors)"
    )
    webhook_public_url: Annotated[str, BeforeValidator(_strip)] = Field(
        "", description="optional push: a public URL that reaches the endpoint below"
    )
    webhook_host: str = Field("0.0.0.0", description="where the push endpoint listens")
    webhook_port: int = Field(8080, ge=1, le=65535, description="the push endpoint's port")
    ops_host: str = Field("127.0.0.1", description="where the bot's own web server (probes, metrics, gallery) listens")
    ops_port: int | None = Field(None, ge=0, le=65535, description="its port; empty: no web server")
    extensions: Annotated[str, BeforeValidator(_lower)] = Field(
        "", description="the features to load, comma separated (e.g. `generation,credits,admin`); empty: all"
    )
    gallery_public_url: Annotated[str, BeforeValidator(_strip)] = Field(
        "", description="the public URL that reaches OPS_HOST:OPS_PORT, for /gallery's links; empty: no gallery"
    )
    gallery_link_hours: Seconds = Field(24.0, description="how long a /gallery link works")
    gallery_thumb_cache_mb: Seconds = Field(200.0, description="the most disk the gallery's thumbnails take (MB)")
    shard_count: int | None = Field(None, ge=1, description="run the bot as this many gateway shards")
    shard_ids: Annotated[str, BeforeValidator(_strip)] = Field(
        "", description="the shards this process runs, e.g. `0,1` or `0-3`; empty: all of SHARD_COUNT"
    )

    @model_validator(mode="after")
    def _api_base(self) -> Settings:
        if self.mj_provider == "simulator":  # its address is known only once it runs
            object.__setattr__(self, "mj_api_base", "")
            return self
        self._set_base("mj_api_base", self.mj_provider)
        return self

    @model_validator(mode="after")
    def _fallback(self) -> Settings:
        if self.mj_fallback_provider:
            self._set_base("mj_fallback_api_base", self.mj_fallback_provider)
        return self

    def _set_base(self, field: str, provider: str) -> None:
        """An API's base URL: as given, else the dialect's known one; checked, without a trailing slash."""
        name = field.upper()
        base = getattr(self, field) or DEFAULT_API_BASES.get(provider, "")
        if not base:
            raise ValueError(f"{name} must be set when {name.replace('API_BASE', 'PROVIDER')}={provider}")
        object.__setattr__(self, field, _checked_url(name, base))

    @model_validator(mode="after")
    def _database_url(self) -> Settings:
        if self.database_url is not None and not is_postgres(self.database_url.get_secret_value().strip()):
            raise ValueError("DATABASE_URL must be a URL starting with postgresql:// or postgres://")
        return self

    @model_validator(mode="after")
    def _webhook(self) -> Settings:
        if self.webhook_public_url:
            object.__setattr__(self, "webhook_public_url", _checked_url("WEBHOOK_PUBLIC_URL", self.webhook_public_url))
        return self

    @model_validator(mode="after")
    def _gallery(self) -> Settings:
        if self.gallery_public_url:
            object.__setattr__(self, "gallery_public_url", _checked_url("GALLERY_PUBLIC_URL", self.gallery_public_url))
            if self.ops_port is None:
                raise ValueError("GALLERY_PUBLIC_URL needs OPS_PORT: the gallery is served by the bot's web server")
        return self

    @model_validator(mode="after")
    def _shards(self) -> Settings:
        if self.shard_ids and self.shard_count is None:
            raise ValueError("SHARD_IDS needs SHARD_COUNT: how many shards there are in all")
        if self.shard_count is not None:
            ShardSet.parse(self.shard_ids, self.shard_count)  # raises with the variable named
        return self

    @model_validator(mode="after")
    def _known_features(self) -> Settings:
        chosen = self.features
        if unknown := [name for name in chosen if name not in FEATURES]:
            raise ValueError(f"EXTENSIONS: no feature {unknown[0]!r}; the features are {', '.join(FEATURES)}")
        if "generation" not in chosen and (needing := [name for name in chosen if name in NEEDS_GENERATION]):
            raise ValueError(f"EXTENSIONS: {needing[0]} needs generation, which posts and follows the job messages")
        return self

    @property
    def features(self) -> tuple[str, ...]:
        """The features to load, in their loading order (unknown names kept, for the check to name)."""
        named = [name.strip() for name in self.extensions.split(",") if name.strip()]
        if not named:
            return FEATURES
        return tuple(name for name in FEATURES if name in named) + tuple(n for n in named if n not in FEATURES)

    @property
    def shards(self) -> ShardSet:
        """This process's shards; without shard settings, one shard that owns every server."""
        if self.shard_count is None:
            return EVERY_SERVER
        return ShardSet.parse(self.shard_ids, self.shard_count)

    @property
    def quota_defaults(self) -> Defaults:
        return Defaults(
            daily_credits=self.quota_daily_credits,
            user_running=self.quota_user_running,
            user_waiting=self.quota_user_waiting,
            server_running=self.quota_server_running,
            factors=tuple((n, pricing.parse_factor(r)) for n, r in _pairs(self.cost_factors)),
            provider_factors={
                FALLBACK: tuple((n, pricing.parse_factor(r)) for n, r in _pairs(self.mj_fallback_cost_factors))
            },
            default_version=self.mj_default_version,
        )

    @property
    def database(self) -> Path | str:
        """Where the ledger is: the PostgreSQL URL (with its password: never log it) or the SQLite path."""
        return self.database_url.get_secret_value().strip() if self.database_url is not None else self.database_path

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log line, a message or the ledger."""
        from bot.core.push import push_secret

        token, key = self.discord_token.get_secret_value(), self.mj_api_key.get_secret_value()
        fallback_key = self.mj_fallback_api_key.get_secret_value()
        derived = push_secret(token) if token else ""
        url = self.database_url.get_secret_value() if self.database_url is not None else ""
        password = urlsplit(url).password or ""  # as written in the URL, and as PostgreSQL receives it
        found = (token, key, fallback_key, derived, password, unquote(password))
        return tuple(dict.fromkeys(s for s in found if s))


def _checked_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{name} must be a URL starting with http:// or https://")
    return value.rstrip("/")


def load_settings(env: Mapping[str, str] | None = None, *, require_token: bool = True) -> Settings:
    """Settings from `env` alone, or (default) from the process environment and then `.env`."""
    try:
        if env is None:
            settings = Settings()
        else:
            names = set(Settings.model_fields)
            given = {k.lower(): v for k, v in env.items() if k.lower() in names and v.strip()}
            settings = Settings.model_validate(given)
    except ValidationError as exc:
        raise SettingsError(_one_line(exc)) from None
    if require_token and not settings.discord_token.get_secret_value().strip():
        raise SettingsError("DISCORD_TOKEN is not set: put the bot token from the Discord developer portal in .env")
    return settings


def _one_line(exc: ValidationError) -> str:
    """The first problem, named by its variable; secrets' values are never repeated."""
    error = exc.errors(include_url=False)[0]
    field = str(error["loc"][0]) if error["loc"] else ""
    message = str(error["msg"]).removeprefix("Value error, ")
    if not field:  # a rule across settings: its message names them
        return message
    name = field.upper()
    if field in ("discord_token", "mj_api_key", "database_url") or "input" not in error:
        return f"{name}: {message}"
    return f"{name}: {message}, got {error['input']!r}"


def example_env_names() -> set[str]:
    """Every variable this model reads, as written in `.env`."""
    return {name.upper() for name in Settings.model_fields}


__all__ = ["Settings", "SettingsError", "example_env_names", "load_settings"]
