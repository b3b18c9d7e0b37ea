"""Chinese prompts: `translate_prompts` asks AceData to translate (`translation: true`), and the prompt the API
used shows under the image, in both dialects; off, nothing is asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.simulator.server import Simulator
from bot.simulator.tasks import simulated_translation
from tests.fakes.discord_server import OWNER_USER_ID, FakeDiscord
from tests.helpers import running_bot, wait_final

KEY = "translate-key-31"
CHINESE = "一只猫在雪地里 --ar 3:2"


@pytest.fixture
def sim(simulator: Simulator) -> Simulator:
    return simulator  # conftest's, on loopback, taking any key


def env(dialect: str) -> dict[str, str]:
    return {"MJ_PROVIDER": dialect, "MJ_API_KEY": KEY}


async def imagine(fake: FakeDiscord, prompt: str) -> str:
    message_id = (await fake.invoke_slash("imagine", {"prompt": prompt})).response_message_id
    assert message_id is not None
    return (await wait_final(fake, message_id)).content


async def test_acedata_translates_by_default_and_shows_the_prompt_used(
    fake: FakeDiscord, sim: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env("acedata")):
        content = await imagine(fake, CHINESE)
        task = list(sim.tasks.values())[-1]
        assert sim.acedata.requests[task.id]["translation"] is True
        translated = simulated_translation(CHINESE)
        assert translated is not None and task.prompt == translated  # what was drawn
        assert "一只猫在雪地里" in content  # the member's words stay the job's prompt
        assert "Prompt used: " in content and "sim-en" in content.split("Prompt used: ", 1)[1]
        assert len(content) <= 2000

        english = await imagine(fake, "a cat in the snow")
        assert "Prompt used" not in english  # nothing to translate: no second line
    assert not fake.errors


async def test_acedata_without_translation_when_the_server_turns_it_off(
    fake: FakeDiscord, sim: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env("acedata")):
        options = {"setting": "translate_prompts", "value": "OFF"}
        done = await fake.invoke_slash("mjadmin", options, subcommand="set", user_id=OWNER_USER_ID)
        assert done.response_message_id is not None
        shown = await fake.invoke_slash("mjadmin", {}, subcommand="show", user_id=OWNER_USER_ID)
        assert "Prompts translated by the API: off" in fake.messages[shown.response_message_id or 0].content

        content = await imagine(fake, CHINESE)
        task = list(sim.tasks.values())[-1]
        assert "translation" not in sim.acedata.requests[task.id]
        assert task.prompt == CHINESE and "Prompt used" not in content


async def test_proxy_keeps_the_prompt_and_shows_prompt_en(fake: FakeDiscord, sim: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env("proxy")) as bot:
        content = await imagine(fake, CHINESE)
        assert list(sim.tasks.values())[-1].prompt == CHINESE  # sent as written: the proxy translates
        used = content.split("Prompt used: ", 1)[1]
        assert "sim-en" in used and "一只猫" not in used
        job = await bot.jobs.ledger.get(1)
        assert job is not None and job.prompt == CHINESE and job.prompt_used == simulated_translation(CHINESE)

        assert "Prompt used" not in await imagine(fake, "a cat in the snow")  # promptEn is the prompt itself


async def test_a_long_prompt_used_keeps_the_message_within_discord_limit(
    fake: FakeDiscord, sim: Simulator, tmp_path: Path
) -> None:
    prompt = "猫 " * 700 + "@everyone"  # 1,409 characters, each 猫 a translated word of its own
    async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env("proxy")):
        message_id = (await fake.invoke_slash("imagine", {"prompt": prompt})).response_message_id or 0
        message = await wait_final(fake, message_id)
        assert len(message.content) <= 2000 and "Prompt used: " in message.content
    for request in fake.requests:  # every message the bot wrote or edited allowed no mentions
        body = request.json if isinstance(request.json, dict) else {}
        data = body.get("data", body)
        if request.method in ("POST", "PATCH") and isinstance(data, dict) and "content" in data:
            assert data.get("allowed_mentions", {}).get("parse") == [], (request.method, request.path)
