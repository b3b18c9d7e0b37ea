"""End to end through the fake Discord: /prefer suffix, /settings and what they change in the next jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.client.app import MJBot
from bot.core.preferences import Preference
from bot.simulator.server import Simulator
from tests.fakes.discord_server import GUILD_ID, OWNER_USER_ID, FakeDiscord, FakeInteraction
from tests.helpers import assert_no_pings, bot_messages, button, labels, running_bot, wait_final

SIMULATOR_DURATION = 0.6
ACE_KEY = "ace-secret-key-prefs"


def answer(fake: FakeDiscord, interaction: FakeInteraction) -> Any:
    assert interaction.response_message_id is not None
    return fake.messages[interaction.response_message_id]


async def imagine(fake: FakeDiscord, prompt: str, **options: str) -> int:
    """The finished job message of an /imagine."""
    message_id = (await fake.invoke_slash("imagine", {"prompt": prompt, **options})).response_message_id
    assert message_id is not None
    await wait_final(fake, message_id)
    return message_id


def menu(fake: FakeDiscord, message_id: int, field: str) -> str:
    for row in fake.messages[message_id].components:
        for item in row["components"]:
            if item.get("custom_id", "").endswith(f":{field}"):
                return str(item["custom_id"])
    raise AssertionError(f"no {field} menu on message {message_id}")


async def open_settings(fake: FakeDiscord, **kwargs: Any) -> int:
    opened = await fake.invoke_slash("settings", **kwargs)
    panel = answer(fake, opened)
    assert panel.ephemeral and panel.components
    return int(panel.id)


async def test_suffix_goes_on_imagine_prompts_until_cleared(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        set_it = await fake.invoke_slash("prefer", {"value": "  --ar 16:9 "}, subcommand="suffix")
        told = answer(fake, set_it)
        assert told.ephemeral and "`--ar 16:9`" in told.content

        grid_id = await imagine(fake, "a fox in snow")
        task = list(simulator.tasks.values())[-1]
        assert task.prompt == "a fox in snow --ar 16:9"  # what the API received
        assert "**a fox in snow --ar 16:9**" in fake.messages[grid_id].content  # shown as sent

        # A press goes with its parent's prompt: the suffix is not appended a second time.
        await fake.click(grid_id, button(fake, grid_id, "V1"))
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        await wait_final(fake, bot_messages(fake)[1].id)
        assert list(simulator.tasks.values())[-1].prompt == "a fox in snow --ar 16:9"

        cleared = await fake.invoke_slash("prefer", {}, subcommand="suffix")
        assert answer(fake, cleared).ephemeral and "cleared" in answer(fake, cleared).content
        await imagine(fake, "a cat")
        assert list(simulator.tasks.values())[-1].prompt == "a cat"
    assert not fake.errors
    assert_no_pings(fake)


async def test_a_bad_suffix_is_refused_privately(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        assert bot.jobs.accounts is not None
        await bot.jobs.accounts.change_config(GUILD_ID, lambda config: config.banned_words.append("gore"))
        await fake.invoke_slash("prefer", {"value": "--ar 1:1"}, subcommand="suffix")
        for bad, why in [("--chaos 500", "`--chaos 500` is not valid"), ("in gore detail", "`gore`"),
                         ("x" * 600, "the limit is 500")]:  # fmt: skip
            refused = answer(fake, await fake.invoke_slash("prefer", {"value": bad}, subcommand="suffix"))
            assert refused.ephemeral and why in refused.content and "was not changed" in refused.content
        assert bot.preferences.of(GUILD_ID, fake.default_user_id).suffix == "--ar 1:1"

        # The prompt and the suffix together stay within the limit, or /imagine is refused before paying.
        too_long = await fake.invoke_slash("imagine", {"prompt": "y" * 1495})
        assert answer(fake, too_long).ephemeral and "With your suffix" in answer(fake, too_long).content
        # A refusal hands back the member's own prompt, not the suffix (sent again, it would come twice).
        banned = answer(fake, await fake.invoke_slash("imagine", {"prompt": "a gore fox"}))
        assert banned.ephemeral and "`gore`" in banned.content
        assert "```\na gore fox\n```" in banned.content and "--ar 1:1" not in banned.content
        assert not simulator.tasks
    assert not fake.errors
    assert_no_pings(fake)


async def test_settings_change_the_next_jobs_mode_and_bot(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", MJ_MODE="fast") as bot:
        panel_id = await open_settings(fake)
        shown = fake.messages[panel_id].content
        assert "**Mode:** Server default (Fast)" in shown and "**Bot:** Server default (Midjourney)" in shown
        assert "**Remix:** off" in shown and "**Suffix:** none" in shown
        assert labels(fake, panel_id) == ["Turn Remix on", "Suffix…"]

        await fake.select(panel_id, menu(fake, panel_id, "mode"), ["relax"])
        await fake.wait_for(lambda: "**Mode:** Relax" in fake.messages[panel_id].content)  # edited in place
        await fake.select(panel_id, menu(fake, panel_id, "bot"), ["NIJI_JOURNEY"])
        await fake.wait_for(lambda: "**Bot:** Niji" in fake.messages[panel_id].content)
        assert bot.preferences.of(GUILD_ID, fake.default_user_id) == Preference("relax", "NIJI_JOURNEY")

        await imagine(fake, "a heron")
        heron = list(simulator.tasks.values())[-1]
        assert (heron.mode, heron.bot_type) == ("relax", "NIJI_JOURNEY")
        await imagine(fake, "a crane", mode="turbo")  # the command's own option wins
        assert list(simulator.tasks.values())[-1].mode == "turbo"

        # Back to the server's default, which an admin set.
        assert bot.jobs.accounts is not None
        await bot.jobs.accounts.change_config(GUILD_ID, lambda config: setattr(config, "default_mode", "turbo"))
        await fake.select(panel_id, menu(fake, panel_id, "mode"), ["default"])
        await fake.wait_for(lambda: "**Mode:** Server default (Turbo)" in fake.messages[panel_id].content)
        await imagine(fake, "a stork")
        assert list(simulator.tasks.values())[-1].mode == "turbo"
    assert not fake.errors
    assert_no_pings(fake)


async def test_another_member_cannot_use_someones_settings(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        panel_id = await open_settings(fake)
        before = fake.messages[panel_id].content
        other = await fake.select(panel_id, menu(fake, panel_id, "mode"), ["turbo"], user_id=OWNER_USER_ID)
        assert answer(fake, other).ephemeral and "another member's settings" in answer(fake, other).content
        press = await fake.click(panel_id, button(fake, panel_id, "Turn Remix on"), user_id=OWNER_USER_ID)
        assert "another member's settings" in answer(fake, press).content
        assert fake.messages[panel_id].content == before
        assert bot.preferences.of(GUILD_ID, fake.default_user_id) == Preference()
        assert bot.preferences.of(GUILD_ID, OWNER_USER_ID) == Preference()
    assert not fake.errors
    assert_no_pings(fake)


async def test_remix_on_asks_for_the_prompt_before_a_variation(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        panel_id = await open_settings(fake)
        await fake.click(panel_id, button(fake, panel_id, "Turn Remix on"))
        await fake.wait_for(lambda: "**Remix:** on" in fake.messages[panel_id].content)
        assert labels(fake, panel_id) == ["Turn Remix off", "Suffix…"]

        grid_id = await imagine(fake, "a robot")
        press = await fake.click(grid_id, button(fake, grid_id, "V1"))
        assert press.response_type == 9 and press.modal is not None  # the dialog is the first answer
        field = press.modal["components"][0]["components"][0]
        assert field["value"] == "a robot"
        await fake.submit_modal(press, {field["custom_id"]: "a robot made of moss"})
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        varied = await wait_final(fake, bot_messages(fake)[1].id)
        assert "a robot made of moss" in varied.content and varied.attachments
        task = list(simulator.tasks.values())[-1]
        # enableRemix opened the API's Remix modal and the bot answered it with the member's prompt.
        assert (task.action, task.prompt, task.modal_pending) == ("VARIATION", "a robot made of moss", False)

        upscale = await fake.click(grid_id, button(fake, grid_id, "U1"))  # Remix does not touch upscales
        assert upscale.response_type == 6
    assert not fake.errors
    assert_no_pings(fake)


async def test_remix_on_acedata_sends_the_prompt_with_the_action(fake: FakeDiscord, tmp_path: Path) -> None:
    sim = Simulator(duration=SIMULATOR_DURATION, api_key=ACE_KEY)
    await sim.start()
    try:
        env = {"MJ_PROVIDER": "acedata", "MJ_API_KEY": ACE_KEY}
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env):
            panel_id = await open_settings(fake)
            await fake.click(panel_id, button(fake, panel_id, "Turn Remix on"))
            await fake.wait_for(lambda: "**Remix:** on" in fake.messages[panel_id].content)
            grid_id = await imagine(fake, "a lighthouse")
            press = await fake.click(grid_id, button(fake, grid_id, "🔄"))
            assert press.response_type == 9 and press.modal is not None
            field = press.modal["components"][0]["components"][0]
            await fake.submit_modal(press, {field["custom_id"]: "a lighthouse at night"})
            await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
            rerolled = await wait_final(fake, bot_messages(fake)[1].id)
            assert "a lighthouse at night" in rerolled.content and rerolled.attachments
            task = list(sim.tasks.values())[-1]
            assert sim.acedata.requests[task.id]["action"] == "reroll"
            assert sim.acedata.requests[task.id]["prompt"] == task.prompt == "a lighthouse at night"
    finally:
        await sim.stop()
    assert not fake.errors
    assert_no_pings(fake)


async def test_preferences_survive_a_restart(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    async with running_bot(fake, simulator.base_url, database):
        await fake.invoke_slash("prefer", {"value": "--s 250"}, subcommand="suffix")
        panel_id = await open_settings(fake)
        await fake.select(panel_id, menu(fake, panel_id, "mode"), ["relax"])
        await fake.wait_for(lambda: "**Mode:** Relax" in fake.messages[panel_id].content)
        await fake.click(panel_id, button(fake, panel_id, "Turn Remix on"))
        await fake.wait_for(lambda: "**Remix:** on" in fake.messages[panel_id].content)

    async with running_bot(fake, simulator.base_url, database) as bot:
        restarted: MJBot = bot
        assert restarted.preferences.of(GUILD_ID, fake.default_user_id) == Preference("relax", None, True, "--s 250")
        # The old /settings message still works after the restart (its custom_ids name the member).
        await fake.click(panel_id, button(fake, panel_id, "Turn Remix off"))
        await fake.wait_for(lambda: "**Remix:** off" in fake.messages[panel_id].content)
        assert "**Suffix:** `--s 250`" in fake.messages[panel_id].content
        await imagine(fake, "a quiet pond")
        pond = list(simulator.tasks.values())[-1]
        assert (pond.prompt, pond.mode) == ("a quiet pond --s 250", "relax")
    assert not fake.errors
    assert_no_pings(fake)


async def test_the_suffix_button_edits_it_in_a_dialog(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        await fake.invoke_slash("prefer", {"value": "--ar 2:3"}, subcommand="suffix")
        panel_id = await open_settings(fake)
        assert "**Suffix:** `--ar 2:3`" in fake.messages[panel_id].content

        press = await fake.click(panel_id, button(fake, panel_id, "Suffix…"))
        assert press.response_type == 9 and press.modal is not None
        field = press.modal["components"][0]["components"][0]
        assert field["value"] == "--ar 2:3"
        wrong = await fake.submit_modal(press, {field["custom_id"]: "--bogus"})
        assert "`--bogus` is not a Midjourney parameter" in answer(fake, wrong).content
        assert bot.preferences.of(GUILD_ID, fake.default_user_id).suffix == "--ar 2:3"

        press = await fake.click(panel_id, button(fake, panel_id, "Suffix…"))
        field = press.modal["components"][0]["components"][0]  # type: ignore[index]
        await fake.submit_modal(press, {field["custom_id"]: ""})  # empty: cleared
        await fake.wait_for(lambda: "**Suffix:** none" in fake.messages[panel_id].content)
        assert bot.preferences.of(GUILD_ID, fake.default_user_id).suffix == ""
    assert not fake.errors
    assert_no_pings(fake)
