"""Trust, end to end through the fake Discord: bursts, modes, shared upscales, privacy, moderation, time limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.client.app import MJBot
from bot.simulator.server import Simulator
from tests.fakes.discord_server import DEFAULT_USER_ID, OWNER_USER_ID, FakeDiscord, FakeInteraction
from tests.helpers import bot_messages, button, grid_then_upscale, labels, running_bot, wait_final

# Money under bursts, on both ledgers: each test's bots share a PostgreSQL database on the "postgres" run.
BACKENDS = ("sqlite", "postgres")
pytestmark = pytest.mark.usefixtures("e2e_ledger")

SIMULATOR_DURATION = 0.6
THIRD_USER_ID = 1_300_000_000_000_000_500


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(channel_edit_limit=(100, 1.0)) as server:
        server.add_user(THIRD_USER_ID, "third")
        yield server


def text_of(fake: FakeDiscord, interaction: FakeInteraction) -> str:
    assert interaction.response_message_id is not None
    return fake.messages[interaction.response_message_id].content


def public(fake: FakeDiscord) -> list[int]:
    return [m.id for m in bot_messages(fake) if not m.ephemeral]


async def admin(fake: FakeDiscord, sub: str, options: dict[str, object] | None = None) -> FakeInteraction:
    return await fake.invoke_slash("mjadmin", options or {}, subcommand=sub, user_id=OWNER_USER_ID)


async def credit_sums(bot: MJBot) -> tuple[int, int]:
    rows = await bot.jobs.ledger.fetch_all(
        "SELECT COALESCE(SUM(CASE WHEN kind='charge' THEN amount END),0),"
        " COALESCE(SUM(CASE WHEN kind='refund' THEN amount END),0) FROM credit_entries"
    )
    return int(rows[0][0]), int(rows[0][1])


async def test_thirty_at_once_with_the_defaults(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path, e2e_ledger: str
) -> None:
    """Exactly 13 paid submits (3 running, 10 waiting), 17 private refusals with true numbers."""
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        assert bot.jobs.ledger.storage.backend == e2e_ledger  # type: ignore[attr-defined]
        answers = await asyncio.gather(*(fake.invoke_slash("imagine", {"prompt": f"fox {i}"}) for i in range(30)))
        refusals = [text_of(fake, a) for a in answers if fake.messages[a.response_message_id].ephemeral]  # type: ignore[index]
        assert len(refusals) == 17
        assert all("You already have 3 jobs running and 10 waiting" in t for t in refusals)
        assert all("fox" in t for t in refusals)  # the prompt is handed back
        jobs = [a.response_message_id for a in answers if not fake.messages[a.response_message_id].ephemeral]  # type: ignore[index]
        assert len(jobs) == 13
        quota = await fake.invoke_slash("quota")
        assert "Credits left today:** 12 of 25" in text_of(fake, quota)
        for message_id in jobs:
            assert (await wait_final(fake, message_id, timeout=30)).attachments  # type: ignore[arg-type]
        assert len(simulator.tasks) == 13  # paid submits

        failed = await fake.invoke_slash("imagine", {"prompt": "sim:fail a fox"})
        assert "❌" in (await wait_final(fake, failed.response_message_id)).content  # type: ignore[arg-type]
        assert "Credits left today:** 12 of 25" in text_of(fake, await fake.invoke_slash("quota"))
        await admin(fake, "grant", {"member": DEFAULT_USER_ID, "amount": 5})
        quota = text_of(fake, await fake.invoke_slash("quota"))
        assert "Credits left today:** 12 of 25" in quota and "Bonus credits:** 5" in quota
        assert await credit_sums(bot) == (14, 1)


async def test_the_mode_follows_every_button_job(fake: FakeDiscord, tmp_path: Path) -> None:
    """A server whose default is Relax is billed Relax for the grid and everything pressed after it."""
    sim = Simulator(duration=SIMULATOR_DURATION, remix=True)
    await sim.start()
    try:
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3"):
            assert "now" in text_of(fake, await admin(fake, "set", {"setting": "default_mode", "value": "Relax"}))
            grid_id, upscale_id = await grid_then_upscale(fake, "a lighthouse")
            # Remix is on upstream: V1 waits for a prompt, confirmed in the dialog.
            await fake.click(grid_id, button(fake, grid_id, "V1"))
            await fake.wait_for(lambda: len(public(fake)) == 3)
            waiting = public(fake)[2]
            await fake.wait_for(lambda: labels(fake, waiting) == ["Remix prompt", "Cancel"])
            remix = await fake.click(waiting, fake.message_buttons(waiting)[0]["custom_id"])
            field = remix.modal["components"][0]["components"][0]  # type: ignore[index]
            await fake.submit_modal(remix, {field["custom_id"]: "a lighthouse in fog"})
            zoom = await fake.click(upscale_id, button(fake, upscale_id, "Custom Zoom"))
            ids = [row["components"][0]["custom_id"] for row in zoom.modal["components"]]  # type: ignore[index]
            await fake.submit_modal(zoom, dict(zip(ids, ["a lighthouse, wide", "1.5"], strict=True)))
            await fake.click(upscale_id, button(fake, upscale_id, "Zoom Out 2x"))
            await fake.wait_for(lambda: len(public(fake)) == 5)
            for message_id in public(fake):
                await fake.wait_for(lambda m=message_id: bool(fake.messages[m].attachments), 15)
        actions = sorted(t.action for t in sim.tasks.values())
        assert actions == ["IMAGINE", "UPSCALE", "VARIATION", "ZOOM", "ZOOM"]
        assert {t.mode for t in sim.tasks.values()} == {"relax"}
    finally:
        await sim.stop()


async def test_the_mode_follows_button_jobs_on_acedata(fake: FakeDiscord, tmp_path: Path) -> None:
    sim = Simulator(duration=SIMULATOR_DURATION, api_key="k")
    await sim.start()
    try:
        env = {"MJ_PROVIDER": "acedata", "MJ_API_KEY": "k", "MJ_MODE": "turbo"}
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env):
            grid = await fake.invoke_slash("imagine", {"prompt": "a comet", "mode": "relax"})
            grid_id = grid.response_message_id
            await wait_final(fake, grid_id)  # type: ignore[arg-type]
            await fake.click(grid_id, button(fake, grid_id, "U2"))  # type: ignore[arg-type]
            await fake.click(grid_id, button(fake, grid_id, "V3"))  # type: ignore[arg-type]
            await fake.wait_for(lambda: len(public(fake)) == 3)
            for message_id in public(fake):
                await wait_final(fake, message_id)
        assert sim.acedata is not None
        bodies = list(sim.acedata.requests.values())
        assert len(bodies) == 3 and all(b.get("mode") == "relax" for b in bodies), bodies
    finally:
        await sim.stop()


async def test_one_paid_upscale_for_presses_at_once(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a violin"})).response_message_id
        await wait_final(fake, grid_id)  # type: ignore[arg-type]
        u1 = button(fake, grid_id, "U1")  # type: ignore[arg-type]
        await asyncio.gather(
            *(fake.click(grid_id, u1, user_id=u) for u in (DEFAULT_USER_ID, OWNER_USER_ID, THIRD_USER_ID))
        )  # type: ignore[arg-type]
        await fake.wait_for(lambda: len(public(fake)) == 4)
        shown = [await wait_final(fake, m) for m in public(fake)[1:]]
        assert all(m.attachments for m in shown)
        assert len({m.attachments[0].data for m in shown}) == 1  # the same image for all three
        assert [t.action for t in simulator.tasks.values()].count("UPSCALE") == 1
        assert await credit_sums(bot) == (2, 0)  # the grid and one upscale


async def test_a_member_sees_only_their_own_jobs(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        mine = await fake.invoke_slash("imagine", {"prompt": "a secret garden"}, user_id=THIRD_USER_ID)
        await wait_final(fake, mine.response_message_id)  # type: ignore[arg-type]
        other = text_of(fake, await fake.invoke_slash("job", {"id": 1}))
        assert "You have no job #1" in other and "secret garden" not in other
        assert "secret garden" in text_of(fake, await fake.invoke_slash("job", {"id": 1}, user_id=THIRD_USER_ID))
        assert "secret garden" in text_of(fake, await fake.invoke_slash("job", {"id": 1}, user_id=OWNER_USER_ID))
        assert "secret garden" not in text_of(fake, await fake.invoke_slash("history"))


async def test_banned_words_on_every_prompt_then_strikes(fake: FakeDiscord, tmp_path: Path) -> None:
    sim = Simulator(duration=SIMULATOR_DURATION, remix=True)
    await sim.start()
    try:
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3") as bot:
            await admin(fake, "banword", {"word": "裸体", "banned": True})
            grid_id, upscale_id = await grid_then_upscale(fake, "a cat")
            paid = len(sim.tasks)

            # Custom Zoom's prompt: refused privately, nothing submitted.
            zoom = await fake.click(upscale_id, button(fake, upscale_id, "Custom Zoom"))
            ids = [row["components"][0]["custom_id"] for row in zoom.modal["components"]]  # type: ignore[index]
            answer = await fake.submit_modal(zoom, dict(zip(ids, ["一只裸体猫", "1.5"], strict=True)))
            await fake.wait_for(lambda: bool(answer.followup_ids))
            refusal = fake.messages[answer.followup_ids[0]]
            assert (
                refusal.ephemeral and "does not allow: `裸体`" in refusal.content and "Strike 1 of 3" in refusal.content
            )

            # The Remix prompt: refused privately; the job keeps waiting for a good one.
            await fake.click(grid_id, button(fake, grid_id, "V2"))
            await fake.wait_for(lambda: len(public(fake)) == 3)
            waiting = public(fake)[2]
            await fake.wait_for(lambda: labels(fake, waiting) == ["Remix prompt", "Cancel"])
            remix = await fake.click(waiting, fake.message_buttons(waiting)[0]["custom_id"])
            field = remix.modal["components"][0]["components"][0]  # type: ignore[index]
            answer = await fake.submit_modal(remix, {field["custom_id"]: "猫，裸体"})
            await fake.wait_for(lambda: bool(answer.followup_ids))
            assert "Strike 2 of 3" in fake.messages[answer.followup_ids[0]].content
            assert len(sim.tasks) == paid + 1  # the V2 itself, waiting upstream; no modal sent
            assert sim.requests["modal"] == 0

            # The third strike blocks for the day, privately, with the reason.
            third = await fake.invoke_slash("imagine", {"prompt": "裸体"})
            assert "blocked for the rest of the day after 3 prompts" in text_of(fake, third)
            clean = await fake.invoke_slash("imagine", {"prompt": "a clean cat"})
            assert fake.messages[clean.response_message_id].ephemeral  # type: ignore[index]
            assert "blocked for the rest of the day" in text_of(fake, clean)
            assert f"<@{DEFAULT_USER_ID}> 3" in text_of(fake, await admin(fake, "show"))
            assert "3 moderation strikes" in text_of(fake, await admin(fake, "stats"))
            assert "strikes are cleared" in text_of(fake, await admin(fake, "reset", {"member": DEFAULT_USER_ID}))
            again = await fake.invoke_slash("imagine", {"prompt": "a clean cat"})
            assert not fake.messages[again.response_message_id].ephemeral  # type: ignore[index]
            await wait_final(fake, again.response_message_id)  # type: ignore[arg-type]
            charges = await bot.jobs.ledger.fetch_all("SELECT COUNT(*) FROM credit_entries WHERE kind='charge'")
            assert charges[0][0] == 4  # grid, U1, V2, the clean cat: no refused prompt was charged
    finally:
        await sim.stop()


async def test_api_moderation_is_a_strike(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        await admin(fake, "set", {"setting": "moderation_strikes", "value": "2"})
        for prompt in ("a nude statue", "nude again"):  # the simulator's filter refuses "nude" (code 24)
            job = await fake.invoke_slash("imagine", {"prompt": prompt})
            assert "❌" in (await wait_final(fake, job.response_message_id)).content  # type: ignore[arg-type]
        blocked = await fake.invoke_slash("imagine", {"prompt": "a calm lake"})
        assert "blocked for the rest of the day after 2 prompts" in text_of(fake, blocked)
        assert await credit_sums(bot) == (2, 2)


async def test_remix_seen_by_polling_survives_a_restart(fake: FakeDiscord, tmp_path: Path) -> None:
    """new-api resellers answer code 1 and the wait shows only as MODAL; the button works after a restart."""
    sim = Simulator(duration=SIMULATOR_DURATION, remix=True, modal_code=1)
    await sim.start()
    database = tmp_path / "db.sqlite3"
    try:
        async with running_bot(fake, sim.base_url, database):
            grid_id = (await fake.invoke_slash("imagine", {"prompt": "a kite"})).response_message_id
            await wait_final(fake, grid_id)  # type: ignore[arg-type]
            await fake.click(grid_id, button(fake, grid_id, "🔄"))  # type: ignore[arg-type]
            await fake.wait_for(lambda: len(public(fake)) == 2)
            waiting = public(fake)[1]
            await fake.wait_for(lambda: labels(fake, waiting) == ["Remix prompt", "Cancel"])
            assert "Waiting for your Remix prompt" in fake.messages[waiting].content
        async with running_bot(fake, sim.base_url, database):
            remix = await fake.click(waiting, fake.message_buttons(waiting)[0]["custom_id"])
            assert remix.response_type == 9
            field = remix.modal["components"][0]["components"][0]  # type: ignore[index]
            await fake.submit_modal(remix, {field["custom_id"]: "a kite over the sea"})
            await fake.wait_for(lambda: bool(fake.messages[waiting].attachments), 15)
            assert "a kite over the sea" in fake.messages[waiting].content
    finally:
        await sim.stop()


async def test_no_remix_prompt_in_time_is_refunded(fake: FakeDiscord, tmp_path: Path) -> None:
    sim = Simulator(duration=SIMULATOR_DURATION, remix=True)
    await sim.start()
    try:
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", REMIX_TIMEOUT="0.5") as bot:
            grid_id = (await fake.invoke_slash("imagine", {"prompt": "a tram"})).response_message_id
            await wait_final(fake, grid_id)  # type: ignore[arg-type]
            await fake.click(grid_id, button(fake, grid_id, "V4"))  # type: ignore[arg-type]
            await fake.wait_for(lambda: len(public(fake)) == 2)
            ended = await wait_final(fake, public(fake)[1])
            assert "No Remix prompt was given within" in ended.content
            assert await credit_sums(bot) == (2, 1)
    finally:
        await sim.stop()


async def test_the_job_timeout_counts_from_the_paid_submit(fake: FakeDiscord, tmp_path: Path) -> None:
    """A job that waited in the bot's queue is not failed for the time it waited."""
    sim = Simulator(duration=1.2)
    await sim.start()
    try:
        env = {"QUOTA_USER_RUNNING": "1", "JOB_TIMEOUT": "2"}
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", **env):
            first = (await fake.invoke_slash("imagine", {"prompt": "one"})).response_message_id
            second = (await fake.invoke_slash("imagine", {"prompt": "two"})).response_message_id
            assert (await wait_final(fake, first)).attachments  # type: ignore[arg-type]
            done = await wait_final(fake, second)  # type: ignore[arg-type]
            assert done.attachments and "longer than" not in done.content  # 2.4 s after creation, 1.2 s upstream
    finally:
        await sim.stop()


async def test_blocked_members_get_no_shared_upscale(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        grid_id, _ = await grid_then_upscale(fake, "a bell")
        await admin(fake, "block", {"member": THIRD_USER_ID})
        press = await fake.click(grid_id, button(fake, grid_id, "U1"), user_id=THIRD_USER_ID)
        await fake.wait_for(lambda: bool(press.followup_ids))
        assert "blocked" in fake.messages[press.followup_ids[0]].content
        assert len(public(fake)) == 2  # no new message


async def test_setting_words_are_case_insensitive(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        assert "now" in text_of(fake, await admin(fake, "set", {"setting": "press_policy", "value": "Owner"}))
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a pier"})).response_message_id
        await wait_final(fake, grid_id)  # type: ignore[arg-type]
        press = await fake.click(grid_id, button(fake, grid_id, "U1"), user_id=THIRD_USER_ID)  # type: ignore[arg-type]
        await fake.wait_for(lambda: bool(press.followup_ids))
        refusal = fake.messages[press.followup_ids[0]]
        assert refusal.ephemeral and "only the member who started a job" in refusal.content


async def test_remix_after_a_wait_in_the_queue(fake: FakeDiscord, tmp_path: Path) -> None:
    """A variation queued in the bot, then asked for its Remix prompt by the API: answered, made once, paid once."""
    sim = Simulator(duration=1.0, remix=True)
    await sim.start()
    try:
        async with running_bot(fake, sim.base_url, tmp_path / "db.sqlite3", QUOTA_USER_RUNNING="1") as bot:
            grid_id = (await fake.invoke_slash("imagine", {"prompt": "a mill"})).response_message_id
            await wait_final(fake, grid_id)  # type: ignore[arg-type]
            busy = (await fake.invoke_slash("imagine", {"prompt": "a busy mill"})).response_message_id
            await fake.click(grid_id, button(fake, grid_id, "V1"))  # type: ignore[arg-type]
            await fake.wait_for(lambda: len(public(fake)) == 3)
            queued = public(fake)[2]
            await fake.wait_for(lambda: "Queued, position 1" in fake.messages[queued].content)
            assert sim.requests["modal"] == 0 and len(sim.tasks) == 2  # not sent while it waits
            await wait_final(fake, busy)  # type: ignore[arg-type]
            await fake.wait_for(lambda: labels(fake, queued) == ["Remix prompt", "Cancel"], 15)
            dialog = await fake.click(queued, button(fake, queued, "Remix prompt"))
            assert dialog.modal is not None
            field = dialog.modal["components"][0]["components"][0]
            await fake.submit_modal(dialog, {field["custom_id"]: "a mill at dawn"})
            varied = await wait_final(fake, queued, timeout=15)
            assert varied.attachments and "a mill at dawn" in varied.content
            task = list(sim.tasks.values())[-1]
            assert (task.action, task.prompt) == ("VARIATION", "a mill at dawn") and sim.requests["modal"] == 1
            rows = await bot.jobs.ledger.fetch_all("SELECT kind, amount FROM credit_entries ORDER BY id")
            assert [tuple(r) for r in rows] == [("charge", 1)] * 3  # grid, busy, the variation: once each
    finally:
        await sim.stop()


def thread_in(fake: FakeDiscord, thread_id: int, parent_id: int) -> int:
    """A public thread of `parent_id`, as Discord sends it with an interaction made in it."""
    fake.channels[thread_id] = {
        "id": str(thread_id), "type": 11, "guild_id": str(fake.guild_id), "name": "a thread",
        "parent_id": str(parent_id), "owner_id": str(DEFAULT_USER_ID), "message_count": 0, "member_count": 1,
        "rate_limit_per_user": 0, "flags": 0, "last_message_id": None,
        "thread_metadata": {"archived": False, "auto_archive_duration": 1440, "archive_timestamp":
                            "2026-01-01T00:00:00+00:00", "locked": False},
    }  # fmt: skip
    return thread_id


async def test_a_thread_is_judged_by_its_channel(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    elsewhere = 1_300_000_000_000_000_260
    fake.add_text_channel(elsewhere, "elsewhere")
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        await bot.jobs.accounts.change_config(fake.guild_id, lambda c: c.allowed_channels.append(fake.channel_id))
        allowed = thread_in(fake, 1_300_000_000_000_000_261, fake.channel_id)
        job = await fake.invoke_slash("imagine", {"prompt": "a fox in a thread"}, channel_id=allowed)
        done = await wait_final(fake, job.response_message_id)  # type: ignore[arg-type]
        assert done.attachments and done.channel_id == allowed
        refused_in = thread_in(fake, 1_300_000_000_000_000_262, elsewhere)
        refused = await fake.invoke_slash("imagine", {"prompt": "a fox elsewhere"}, channel_id=refused_in)
        refusal = fake.messages[refused.response_message_id]  # type: ignore[index]
        assert refusal.ephemeral and "works only in" in refusal.content
        assert len(simulator.tasks) == 1


async def test_answers_go_out_before_any_ledger_io(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    """With the ledger's write lock held, commands and presses are still acknowledged; the work follows."""
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a kiln"})).response_message_id
        await wait_final(fake, grid_id)  # type: ignore[arg-type]
        await fake.invoke_slash("prefer", {"value": "--s 50"}, subcommand="suffix")
        panel_id = (await fake.invoke_slash("settings")).response_message_id
        lock = bot.jobs.ledger._write_lock
        await lock.acquire()  # every ledger write waits from here on
        try:
            imagine = await fake.invoke_slash("imagine", {"prompt": "a second kiln"})
            assert imagine.acked_at is not None and not fake.messages[imagine.response_message_id].ephemeral  # type: ignore[index]
            assert "a second kiln --s 50" in fake.messages[imagine.response_message_id].content  # type: ignore[index]
            suffix = await fake.invoke_slash("prefer", {"value": "--s 60"}, subcommand="suffix", wait_ack=False)
            await suffix.wait_acked()
            assert suffix.response_type == 5  # "thinking…" first; written to the ledger after
            mode = next(c["custom_id"] for r in fake.messages[panel_id].components for c in r["components"])  # type: ignore[index]
            picked = await fake.select(panel_id, mode, ["relax"])  # type: ignore[arg-type]
            assert picked.acked_at is not None and picked.response_type == 6
            press = await fake.click(grid_id, button(fake, grid_id, "U1"))  # type: ignore[arg-type]
            assert press.acked_at is not None and press.response_type == 6
            quota = await fake.invoke_slash("quota", wait_ack=False)
            await quota.wait_acked()
            assert quota.response_type == 5  # "thinking…" first; the figures come from the ledger after
            refused = await fake.invoke_slash("imagine", {"prompt": "x --chaos 500"})
            assert fake.messages[refused.response_message_id].ephemeral  # type: ignore[index]
        finally:
            lock.release()
        assert (await wait_final(fake, imagine.response_message_id)).attachments  # type: ignore[arg-type]
        await fake.wait_for(lambda: len(public(fake)) == 3)
        await fake.wait_for(lambda: "Credits left today" in text_of(fake, quota))
