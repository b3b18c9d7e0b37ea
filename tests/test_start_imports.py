"""What a bot on SQLite loads at start: not the chart library (~40 MB, loaded when a chart is drawn) and not
asyncpg (~10 MB, loaded when the ledger is PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys

from bot.client.app import FEATURE_PACKAGE
from bot.settings import FEATURES

HEAVY = ("matplotlib", "numpy", "asyncpg")


def test_the_bot_and_its_features_load_without_the_heavy_libraries() -> None:
    extensions = [f"{FEATURE_PACKAGE}.{feature}" for feature in FEATURES]
    imports = "; ".join(f"import {m}" for m in ("bot.__main__", "bot.client.app", *extensions))
    probe = f"import sys; {imports}; print(__import__('json').dumps(sorted(set(m.split('.')[0] for m in sys.modules))))"
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True, text=True).stdout
    )
    assert not set(HEAVY) & set(loaded)
