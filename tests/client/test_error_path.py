"""One error path: commands, buttons and dialogs answer a member's error privately, in their language,
and an unexpected one with an id that is also in the log."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import cast

import pytest

from bot.client.app import MJBot
from bot.core.accounts import Refusal
from bot.simulator.server import Simulator
from cogs.generation.flows import Flows
from tests.fakes.discord_server import FakeDiscord, FakeInteraction
from tests.helpers import button, running_bot, wait_final


def flows_of(bot: MJBot) -> Flows:
    # Not isinstance: discord.py imports an extension's modules afresh for each bot that loads it.
    cog = bot.get_cog("Generation")
    assert cog is not None
    return cast(Flows, cog.flows)  # type: ignore[attr-defined]


def private_answers(fake: FakeDiscord, interaction: FakeInteraction) -> list[str]:
    ids = [interaction.response_message_id, *interaction.followup_ids]
    return [fake.messages[i].content for i in ids if i in fake.messages and fake.messages[i].ephemeral]


async def finished_grid(fake: FakeDiscord) -> int:
    grid_id = (await fake.invoke_slash("imagine", {"prompt": "a lantern"})).response_message_id or 0
    await wait_final(fake, grid_id)
    return grid_id


async def test_an_unexpected_error_in_a_button_gives_an_id_the_log_also_has(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        grid_id = await finished_grid(fake)

        async def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("a bug")

        flows_of(bot).press = broken  # type: ignore[method-assign]
        with caplog.at_level(logging.ERROR, logger="bot.client.errors"):
            press = await fake.click(grid_id, button(fake, grid_id, "U1"), locale="zh-CN")
            await fake.wait_for(lambda: bool(private_answers(fake, press)))
        answer = private_answers(fake, press)[0]
        found = re.search(r"错误编号 ([0-9a-f]{6})", answer)
        assert found, answer  # in the presser's language
        assert f"[error {found[1]}]" in caplog.text and "RuntimeError: a bug" in caplog.text


async def test_what_a_member_should_be_told_is_told_privately_from_any_item(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        grid_id = await finished_grid(fake)

        async def refused(*args: object, **kwargs: object) -> None:
            raise Refusal("You are blocked from using this bot in this server.")

        flows_of(bot).press = refused  # type: ignore[method-assign]
        press = await fake.click(grid_id, button(fake, grid_id, "V1"))
        await fake.wait_for(lambda: bool(private_answers(fake, press)))
        assert private_answers(fake, press) == ["❌ You are blocked from using this bot in this server."]


async def test_an_unexpected_error_in_a_command_gives_an_id(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:

        async def broken(*args: object, **kwargs: object) -> None:
            raise KeyError("boom")

        flows_of(bot).imagine = broken  # type: ignore[method-assign]
        with caplog.at_level(logging.ERROR, logger="bot.client.errors"):
            call = await fake.invoke_slash("imagine", {"prompt": "a lantern"})
            await fake.wait_for(lambda: bool(private_answers(fake, call)))
        answer = private_answers(fake, call)[0]
        found = re.search(r"\(error ([0-9a-f]{6})\)", answer)
        assert found and answer.startswith("Something went wrong on the bot's side"), answer
        assert f"command /imagine failed [error {found[1]}]" in caplog.text


def test_items_reach_their_feature_through_the_bot() -> None:
    """What the items call exists on the bot's flows with the same parameters."""
    import inspect

    from cogs.generation.feature import GenerationFlows

    for name in ("press", "open_remix", "region_picked", "region_go"):
        assert inspect.signature(getattr(GenerationFlows, name)) == inspect.signature(getattr(Flows, name)), name
