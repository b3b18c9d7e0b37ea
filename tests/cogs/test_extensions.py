"""Features as extensions: `EXTENSIONS` picks them, the commands of the others are gone after the sync, and
the buttons those features put on old messages answer that they are turned off (end to end, fake Discord)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import FEATURES, SettingsError, load_settings
from bot.simulator.server import Simulator
from tests.fakes.discord_server import FakeDiscord, FakeInteraction
from tests.fakes.records import FakeMessage
from tests.helpers import bot_messages, button, grid_then_upscale, labels, running_bot, wait_final

ROOT = Path(__file__).resolve().parents[2]


def test_every_feature_is_a_package_in_cogs_with_a_setup() -> None:
    packages = sorted(p.parent.name for p in (ROOT / "cogs").glob("*/__init__.py"))
    assert packages == sorted(FEATURES)
    for name in FEATURES:
        assert "async def setup(bot" in (ROOT / "cogs" / name / "__init__.py").read_text(), name


def test_the_setting_picks_features_in_their_loading_order() -> None:
    assert load_settings({"DISCORD_TOKEN": "t"}).features == FEATURES
    picked = load_settings({"DISCORD_TOKEN": "t", "EXTENSIONS": " Credits, generation ,video"})
    assert picked.features == ("generation", "video", "credits")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("generation,pictures", "EXTENSIONS: no feature 'pictures'"),
        ("credits,video", "EXTENSIONS: video needs generation"),
    ],
)
def test_an_unknown_or_orphaned_feature_is_refused_by_name(value: str, says: str) -> None:
    with pytest.raises(SettingsError, match=says):
        load_settings({"DISCORD_TOKEN": "t", "EXTENSIONS": value})


def answer(fake: FakeDiscord, interaction: FakeInteraction) -> FakeMessage:
    assert interaction.response_message_id is not None
    return fake.messages[interaction.response_message_id]


async def private_answer(fake: FakeDiscord, pressed: FakeInteraction) -> FakeMessage:
    """What a press was told privately: the answer itself, or the followup after a defer."""

    def told() -> int | None:
        if pressed.followup_ids:
            return pressed.followup_ids[0]
        shown = fake.messages.get(pressed.response_message_id or 0)
        return shown.id if shown is not None and shown.ephemeral else None

    await fake.wait_for(lambda: told() is not None)
    message = fake.messages[told() or 0]
    assert message.ephemeral
    return message


@pytest.mark.e2e
async def test_a_feature_turned_off_loses_its_commands_and_its_old_buttons_say_so(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    database = tmp_path / "db.sqlite3"
    async with running_bot(fake, simulator.base_url, database):
        everything = {c["name"] for c in fake.commands}
        assert {"imagine", "describe", "shorten", "edit", "settings", "prefer", "mjadmin", "quota"} <= everything
        _, upscale_id = await grid_then_upscale(fake, "a lantern")
        animate = button(fake, upscale_id, "Animate (High motion)")
        panel = answer(fake, await fake.invoke_slash("settings"))
        remix_on = button(fake, panel.id, "Turn Remix on")

    async with running_bot(fake, simulator.base_url, database, EXTENSIONS="generation,credits") as bot:
        assert {c["name"] for c in fake.commands} == {"imagine", "blend", "show", "quota", "history", "job"}
        assert bot.get_cog("Video") is None and bot.feature_on("generation") and not bot.feature_on("video")
        tasks = len(simulator.tasks)

        told = await private_answer(fake, await fake.click(upscale_id, animate))  # video's, on an old message
        assert "Video is turned off on this server" in told.content
        told = await private_answer(fake, await fake.click(panel.id, remix_on))  # no item handles it now
        assert told.content == "This feature is turned off on this server."
        told = await private_answer(fake, await fake.click(panel.id, remix_on, locale="zh-CN"))
        assert told.content == "本服务器已关闭此功能。"
        assert len(simulator.tasks) == tasks and len(bot_messages(fake)) == 2  # nothing started, nothing charged
        rows = await bot.jobs.ledger.fetch_all("SELECT COUNT(*) FROM jobs")
        assert rows[0][0] == 2

        # Generation itself still works, and its new results draw no video button.
        grid = await wait_final(fake, answer(fake, await fake.invoke_slash("imagine", {"prompt": "a lamp"})).id)
        await fake.click(grid.id, button(fake, grid.id, "U1"))
        await fake.wait_for(lambda: len(bot_messages(fake)) == 4)
        upscale = await wait_final(fake, bot_messages(fake)[3].id)
        assert "Upscale (Subtle)" in labels(fake, upscale.id)
        assert not any(label.startswith("Animate") for label in labels(fake, upscale.id))
        with pytest.raises(AssertionError, match="not a registered slash command"):
            await fake.invoke_slash("describe")
    assert not fake.errors
