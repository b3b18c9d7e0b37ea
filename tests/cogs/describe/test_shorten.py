"""/shorten: the API's shorter prompts, with 1️⃣–5️⃣ that imagine the one picked, in both dialects."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.simulator.server import Simulator
from bot.simulator.tasks import shorten_texts
from tests.fakes.discord_server import FakeDiscord
from tests.helpers import bot_messages, labels, running_bot, wait_final

PROMPT = "a lighthouse on a cliff at dusk with crashing waves and seagulls --ar 3:2"


@pytest.mark.parametrize("dialect", ["proxy", "acedata"])
async def test_shorten_then_imagine_the_pick(fake: FakeDiscord, tmp_path: Path, dialect: str) -> None:
    sim = Simulator(duration=0.6, api_key="k")
    await sim.start()
    env = {"MJ_API_KEY": "k", "MJ_PROVIDER": dialect, "ACEDATA_MAX_STREAMS": "0"}
    try:
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env) as bot:
            msg_id = (await fake.invoke_slash("shorten", {"prompt": PROMPT})).response_message_id or 0
            result = await wait_final(fake, msg_id)
            assert labels(fake, msg_id) == ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣"]
            shorter = shorten_texts(PROMPT)
            assert all(text in result.content for text in shorter) and "5️⃣" in result.content
            assert "Important tokens" not in result.content  # only the prompts, numbered like the buttons

            await fake.click(msg_id, fake.message_buttons(msg_id)[4]["custom_id"])
            await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
            grid = await wait_final(fake, bot_messages(fake)[1].id)
            assert grid.attachments and shorter[4].split(" --")[0] in grid.content
            charged = await bot.jobs.ledger.fetch_all("SELECT job_id, amount FROM credit_entries ORDER BY id")
            assert [tuple(r) for r in charged] == [(1, 1), (2, 1)]  # shorten costs like describe
    finally:
        await sim.stop()
