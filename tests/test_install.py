"""`pip install .` (not editable) ships the bot with its features, catalogs and migrations, and the bot runs
from the installed package alone: a real process against the fake Discord, nothing read from this checkout."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import FEATURES
from tests.fakes.discord_server import FakeDiscord
from tests.helpers import ROOT, bot_env, labels, start_bot, wait_final

pytestmark = pytest.mark.e2e

KEPT_OUT = shutil.ignore_patterns(".venv", ".git", "tests", "bench", "build", "*.egg-info", "__pycache__", ".*cache")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package as `pip install .` lays it out, in a folder of its own (its dependencies are this venv's)."""
    where = tmp_path_factory.mktemp("install")
    source = where / "source"
    shutil.copytree(ROOT, source, ignore=KEPT_OUT)  # a build writes into the tree it builds
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(where / "site"), str(source)],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(source)
    return where / "site"


def test_the_wheel_holds_every_feature_catalog_and_migration(installed: Path) -> None:
    for feature in FEATURES:
        assert (installed / "cogs" / feature / "__init__.py").is_file(), feature
    for language in ("en-US", "zh-CN"):
        catalogs = sorted(p.name for p in (installed / "bot" / "locales" / language).glob("*.ftl"))
        assert catalogs == sorted(p.name for p in (ROOT / "bot" / "locales" / language).glob("*.ftl"))
        assert "client.ftl" in catalogs
    for backend in ("sqlite", "postgres", "both"):
        shipped = sorted(p.name for p in (installed / "bot" / "core" / "migrations" / backend).glob("*.sql"))
        assert shipped == sorted(p.name for p in (ROOT / "bot" / "core" / "migrations" / backend).glob("*.sql"))


def test_the_package_is_imported_from_where_it_was_installed(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [sys.executable, "-c", "import bot, cogs.generation; print(bot.__file__); print(cogs.generation.__file__)"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert all(line.startswith(str(installed)) for line in where.stdout.split()), where.stdout


async def test_the_installed_bot_loads_its_features_and_makes_an_image(installed: Path, tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        env = bot_env(fake, SIMULATOR_SPEED="8") | {"PYTHONPATH": str(installed)}
        proc = await start_bot(env, tmp_path / "bot.log")
        try:
            await fake.wait_ready(timeout=30)
            await fake.wait_for(lambda: bool(fake.commands), 10)
            assert {"imagine", "describe", "edit", "quota", "mjadmin", "settings"} <= {c["name"] for c in fake.commands}
            grid_id = (await fake.invoke_slash("imagine", {"prompt": "an installed kite"})).response_message_id
            grid = await wait_final(fake, grid_id, timeout=30)
            assert grid.attachments and labels(fake, grid.id)[:4] == ["U1", "U2", "U3", "U4"]
        finally:
            proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), 20)
    assert code == 0, (tmp_path / "bot.log").read_text()[-3000:]
