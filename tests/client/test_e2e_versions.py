"""V8.1's rules before any charge, a default version per server and member, AceData's version fields."""

from __future__ import annotations

from pathlib import Path

from bot.core.errors import InvalidInput
from bot.core.providers.acedata import version_fields
from bot.core.versions import check, speed, with_version
from bot.simulator.server import Simulator
from tests.fakes.discord_server import GUILD_ID, OWNER_USER_ID, FakeDiscord
from tests.helpers import bot_messages, button, grid_then_upscale, labels, running_bot, wait_final

KEY = "ace-key-for-versions"


def _refused(prompt: str, mode: str | None = None, default: str = "8.1") -> str:
    try:
        check(prompt, mode, default)
    except InvalidInput as exc:
        return exc.text.key
    return ""


def test_what_each_version_takes() -> None:
    assert _refused("a fox --q 2") == "version-no-quality"  # V8.1 by default
    assert _refused("a fox --q 2 --v 7") == ""
    assert _refused("a fox --oref https://x/y.png") == "version-only-v7"
    assert _refused("a fox --draft --v 6.1") == "version-only-v7"
    assert _refused("a fox --draft --v 7") == ""
    assert _refused("a fox --hd", default="7") == "version-hd-v8"
    assert _refused("a fox --hd --v 8") == ""
    assert _refused("a fox --q 2 --niji 7") == ""  # Niji keeps its own rules
    assert speed("a fox", "turbo", "8.1")[0] == "fast" and speed("a fox --v 7", "turbo", "8.1") == ("turbo", None)
    assert with_version("a fox", "7") == "a fox --v 7" and with_version("a fox --v 6.1", "7") == "a fox --v 6.1"
    assert with_version("a fox", None) == "a fox"


def test_acedata_takes_version_hd_and_quality_as_fields() -> None:
    text, fields = version_fields("a fox --hd --v 8.1 --ar 3:2 --sref 123")
    assert text == "a fox --ar 3:2 --sref 123"
    assert fields == {"hd": True, "version": "8.1", "style_reference": True}
    assert version_fields("a fox --q 0.5 --v 7 --profile mb") == (
        "a fox --profile mb",
        {"quality": ".5", "version": "7", "moodboard": True},
    )
    assert version_fields("a fox --v 7", "NIJI_JOURNEY") == ("a fox --v 7", {})


async def test_v8_refusals_come_before_any_charge(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        for prompt, says in (
            ("a fox --q 2", "does not take `--q`"),
            ("a fox --oref https://example.com/a.png", "works only on Midjourney V7"),
            ("a fox --hd --v 7", "needs Midjourney V8"),
        ):
            answer = await fake.invoke_slash("imagine", {"prompt": prompt})
            message = fake.messages[answer.response_message_id]  # type: ignore[index]
            assert message.ephemeral and says in message.content and prompt in message.content
        assert not simulator.tasks and not await bot.jobs.ledger.jobs_where("1 = 1")
        assert not await bot.jobs.ledger.fetch_all("SELECT * FROM credit_entries")

        # Turbo on V8.1 goes at Fast, as Midjourney falls back, charged at Fast, and the member is told.
        turbo = (await fake.invoke_slash("imagine", {"prompt": "a fox", "mode": "turbo"})).response_message_id
        assert turbo is not None
        assert "has no Turbo mode: this job goes at Fast" in fake.messages[turbo].versions[0]["content"]
        await wait_final(fake, turbo)
        (job,) = await bot.jobs.ledger.jobs_where("1 = 1")
        assert (job.mode, job.cost, next(iter(simulator.tasks.values())).mode) == ("fast", 1, "fast")

        # V8 has no separate upscalers: the upscale's buttons are the API's, without Upscale (Subtle/Creative).
        grid = (await fake.invoke_slash("imagine", {"prompt": "a kite --v 8.1"})).response_message_id
        assert grid is not None
        await wait_final(fake, grid)
        await fake.click(grid, button(fake, grid, "U1"))
        await fake.wait_for(lambda: len(bot_messages(fake)) == 3)
        upscale = await wait_final(fake, bot_messages(fake)[2].id)
        assert "Vary (Strong)" in labels(fake, upscale.id) and "Upscale (Subtle)" not in labels(fake, upscale.id)
    assert not fake.errors


async def test_default_versions_of_the_server_and_the_member(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        await fake.invoke_slash(
            "mjadmin", {"setting": "default_version", "value": "7"}, subcommand="set", user_id=OWNER_USER_ID
        )
        done = (await fake.invoke_slash("imagine", {"prompt": "a fox --q 2"})).response_message_id
        assert done is not None and not fake.messages[done].ephemeral  # --q is fine on the server's V7
        await wait_final(fake, done)
        assert list(simulator.tasks.values())[-1].prompt == "a fox --q 2 --v 7"

        opened = await fake.invoke_slash("settings")
        panel = opened.response_message_id
        assert panel is not None and "**Version:** Server default (7)" in fake.messages[panel].content
        version_menu = next(
            str(i["custom_id"])
            for row in fake.messages[panel].components
            for i in row["components"]
            if str(i.get("custom_id", "")).endswith(":version")
        )
        await fake.select(panel, version_menu, ["8.1"])
        await fake.wait_for(lambda: "**Version:** 8.1" in fake.messages[panel].content)
        assert bot.preferences.of(GUILD_ID, fake.default_user_id).version == "8.1"
        refused = await fake.invoke_slash("imagine", {"prompt": "a fox --q 2"})
        assert "Midjourney 8.1 does not take `--q`" in fake.messages[refused.response_message_id].content  # type: ignore[index]
        assert len(simulator.tasks) == 1
    assert not fake.errors


async def test_acedata_gets_the_version_as_fields(fake: FakeDiscord, tmp_path: Path) -> None:
    sim = Simulator(duration=0.8, api_key=KEY)
    await sim.start()
    try:
        env = {"MJ_PROVIDER": "acedata", "MJ_API_KEY": KEY}
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env) as bot:
            grid = (await fake.invoke_slash("imagine", {"prompt": "a kite --hd --v 8.1"})).response_message_id
            assert grid is not None
            await wait_final(fake, grid)
            await fake.click(grid, button(fake, grid, "U2"))
            await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
            upscale = await wait_final(fake, bot_messages(fake)[1].id)
            assert "Upscale (Subtle)" not in labels(fake, upscale.id) and "Vary (Subtle)" in labels(fake, upscale.id)
            (job, _) = await bot.jobs.ledger.jobs_where("1 = 1")
            assert job.cost == 4  # --hd on V8: 4x
        assert sim.acedata is not None
        first = next(iter(sim.acedata.requests.values()))
        assert (first["prompt"], first["version"], first["hd"]) == ("a kite", "8.1", True)
    finally:
        await sim.stop()


async def test_a_new_prompt_on_a_button_is_checked_before_the_charge(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        _, upscale_id = await grid_then_upscale(fake, "a castle")
        press = await fake.click(upscale_id, button(fake, upscale_id, "Custom Zoom"))
        ids = [row["components"][0]["custom_id"] for row in press.modal["components"]]  # type: ignore[index]
        before = (len(simulator.tasks), len(await bot.jobs.ledger.fetch_all("SELECT * FROM credit_entries")))
        await fake.submit_modal(press, dict(zip(ids, ["a castle --q 2", "1.5"], strict=True)))
        await fake.wait_for(lambda: any("does not take `--q`" in m.content for m in fake.messages.values()))
        refusal = next(m for m in fake.messages.values() if "does not take `--q`" in m.content)
        assert refusal.ephemeral
        after = (len(simulator.tasks), len(await bot.jobs.ledger.fetch_all("SELECT * FROM credit_entries")))
        assert after == before and len(bot_messages(fake)) == 2  # nothing submitted, charged or posted
    assert not fake.errors
