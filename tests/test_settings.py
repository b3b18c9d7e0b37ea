"""Settings: defaults, every documented variable, one clear line and exit 2 for a bad one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, example_env_names, load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_need_only_a_token() -> None:
    s = load_settings({"DISCORD_TOKEN": "t"})
    assert s.mj_provider == "simulator"
    assert s.discord_api_base == "https://discord.com/api/v10"
    assert s.discord_gateway_url == "wss://gateway.discord.gg/"
    assert s.database_path == Path("data/bot.sqlite3")
    assert (s.mj_poll_interval, s.progress_edit_interval, s.job_timeout) == (3.0, 2.0, 900.0)
    assert s.mj_auth_header == "bearer"
    assert (s.quota_defaults.daily_credits, s.quota_defaults.user_running) == (25, 3)
    assert (s.quota_defaults.user_waiting, s.quota_defaults.server_running) == (10, 12)


def test_every_setting_is_read() -> None:
    s = load_settings(
        {
            "DISCORD_TOKEN": "t",
            "DISCORD_API_BASE": "http://127.0.0.1:5000/api/v10",
            "DISCORD_GATEWAY_URL": "ws://127.0.0.1:5000/gateway",
            "MJ_PROVIDER": "proxy",
            "MJ_API_BASE": "https://host.example/v1/",
            "MJ_API_KEY": "sk-1",
            "MJ_AUTH_HEADER": "mj-api-secret",
            "DATABASE_PATH": "/tmp/x.sqlite3",
            "MJ_POLL_INTERVAL": "0.2",
            "PROGRESS_EDIT_INTERVAL": "0.5",
            "JOB_TIMEOUT": "60",
            "REMIX_TIMEOUT": "120",
            "ACEDATA_MAX_STREAMS": "3",
        }
    )
    assert (s.remix_timeout, s.acedata_max_streams) == (120.0, 3)
    assert s.mj_api_base == "https://host.example/v1"
    assert (s.mj_poll_interval, s.progress_edit_interval, s.job_timeout) == (0.2, 0.5, 60.0)
    assert s.database_path == Path("/tmp/x.sqlite3")
    assert s.mj_auth_header == "mj-api-secret" and s.secrets[:2] == ("t", "sk-1")
    assert s.mj_api_key.get_secret_value() == "sk-1"
    assert "sk-1" not in repr(s) and "'t'" not in repr(s)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "DISCORD_TOKEN"),
        ({"MJ_PROVIDER": "dalle"}, "MJ_PROVIDER"),
        ({"MJ_PROVIDER": "proxy"}, "MJ_API_BASE"),
        ({"MJ_PROVIDER": "proxy", "MJ_API_BASE": "host.example"}, "MJ_API_BASE"),
        ({"DISCORD_API_BASE": "ftp://x"}, "DISCORD_API_BASE"),
        ({"DISCORD_GATEWAY_URL": "http://x"}, "DISCORD_GATEWAY_URL"),
        ({"MJ_POLL_INTERVAL": "-1"}, "MJ_POLL_INTERVAL"),
        ({"PROGRESS_EDIT_INTERVAL": "0"}, "PROGRESS_EDIT_INTERVAL"),
        ({"JOB_TIMEOUT": "soon"}, "JOB_TIMEOUT"),
        ({"MJ_AUTH_HEADER": "cookie"}, "MJ_AUTH_HEADER"),
        ({"QUOTA_DAILY_CREDITS": "-1"}, "QUOTA_DAILY_CREDITS"),
        ({"QUOTA_USER_RUNNING": "many"}, "QUOTA_USER_RUNNING"),
        ({"MJ_MODE": "warp"}, "MJ_MODE"),
        ({"WEBHOOK_PUBLIC_URL": "bot.example"}, "WEBHOOK_PUBLIC_URL"),
        ({"GALLERY_PUBLIC_URL": "https://bot.example"}, "GALLERY_PUBLIC_URL needs OPS_PORT"),
        ({"GALLERY_PUBLIC_URL": "bot.example", "OPS_PORT": "8090"}, "GALLERY_PUBLIC_URL"),
        ({"GALLERY_LINK_HOURS": "0"}, "GALLERY_LINK_HOURS"),
        ({"GALLERY_THUMB_CACHE_MB": "-5"}, "GALLERY_THUMB_CACHE_MB"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], named: str) -> None:
    full = {"DISCORD_TOKEN": "t", **env} if named != "DISCORD_TOKEN" else env
    with pytest.raises(SettingsError, match=named):
        load_settings(full)


def test_the_gallery_is_off_unless_its_public_url_is_set() -> None:
    assert load_settings({"DISCORD_TOKEN": "t"}).gallery_public_url == ""
    s = load_settings({"DISCORD_TOKEN": "t", "OPS_PORT": "8090", "GALLERY_PUBLIC_URL": "https://bot.example/mj/"})
    assert (s.gallery_public_url, s.gallery_link_hours, s.gallery_thumb_cache_mb) == ("https://bot.example/mj", 24, 200)


def test_bad_setting_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MJ_", "DISCORD_"))}
    env.update({"DISCORD_TOKEN": "secret-token-123", "MJ_POLL_INTERVAL": "-3"})
    run = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "MJ_POLL_INTERVAL" in lines[0]
    assert "Traceback" not in run.stderr and "secret-token-123" not in run.stderr + run.stdout


def test_env_example_and_readme_list_exactly_the_settings_of_the_model() -> None:
    from dotenv import dotenv_values

    example = {k: v or "" for k, v in dotenv_values(ROOT / ".env.example").items()}
    assert set(example) == example_env_names()
    settings = load_settings({**example, "DISCORD_TOKEN": "t"})
    assert settings.mj_provider == "simulator" and settings.quota_defaults.daily_credits == 25
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Settings") : readme.index("## How it works")]
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`(?:, `([A-Z][A-Z0-9_]+)`)?", table, re.M))
    assert {name for pair in documented for name in pair if name} == example_env_names()


def test_the_environment_and_env_file_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a mapping: the process environment first, then `.env`; empty values mean the default."""
    for name in example_env_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("DISCORD_TOKEN=from-file\nMJ_POLL_INTERVAL=5\nJOB_TIMEOUT=\n")
    monkeypatch.setenv("MJ_POLL_INTERVAL", "7")
    settings = load_settings()
    assert settings.discord_token.get_secret_value() == "from-file"
    assert (settings.mj_poll_interval, settings.job_timeout) == (7.0, 900.0)


def test_database_url_selects_postgres_and_its_password_is_a_secret() -> None:
    s = load_settings({"DISCORD_TOKEN": "t"})
    assert s.database == Path("data/bot.sqlite3") and s.database_pool_size == 10
    url = "postgresql://bot:p%40ss-word-9@db.example:5432/mjbot"
    s = load_settings({"DISCORD_TOKEN": "t", "DATABASE_URL": url, "DATABASE_POOL_SIZE": "4"})
    assert s.database == url and s.database_pool_size == 4
    assert {"p@ss-word-9", "p%40ss-word-9"} <= set(s.secrets)  # scrubbed from every log line, as the token is
    assert "p%40ss-word-9" not in repr(s) and "p@ss-word-9" not in repr(s)
    with pytest.raises(SettingsError) as refused:
        load_settings({"DISCORD_TOKEN": "t", "DATABASE_URL": "mysql://bot:hunter2@db/x"})
    assert "DATABASE_URL" in str(refused.value) and "hunter2" not in str(refused.value)
