"""Community servers end to end: credits, the queue, member and admin commands, languages."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.core.usage import usage
from bot.simulator.server import Simulator
from tests.fakes.discord_server import DEFAULT_USER_ID, GUILD_ID, OWNER_USER_ID, FakeDiscord
from tests.helpers import bot_messages, labels, running_bot, wait_final

# Money under bursts, on both ledgers: each test's bots share a PostgreSQL database on the "postgres" run.
BACKENDS = ("sqlite", "postgres")
pytestmark = pytest.mark.usefixtures("e2e_ledger")

SIMULATOR_DURATION = 0.8
MANAGE_GUILD = 1 << 5


async def charges(bot: object, user_id: int) -> tuple[int, int]:
    rows = await bot.jobs.ledger.fetch_all(  # type: ignore[attr-defined]
        "SELECT COALESCE(SUM(CASE WHEN kind='charge' THEN amount END),0),"
        " COALESCE(SUM(CASE WHEN kind='refund' THEN amount END),0) FROM credit_entries WHERE user_id = ?",
        (user_id,),
    )
    return int(rows[0][0]), int(rows[0][1])


def private_texts(fake: FakeDiscord) -> list[str]:
    return [m.content for m in fake.messages.values() if m.ephemeral]


async def test_fifty_presses_with_three_credits_left(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    env = {"QUOTA_DAILY_CREDITS": "4", "QUOTA_USER_RUNNING": "0", "QUOTA_SERVER_RUNNING": "0"}
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", **env) as bot:
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a maze"})).response_message_id
        await wait_final(fake, grid_id)  # type: ignore[arg-type]
        v1 = next(b["custom_id"] for b in fake.message_buttons(grid_id) if b.get("label") == "V1")  # type: ignore[arg-type]
        presses = await asyncio.gather(*(fake.click(grid_id, v1) for _ in range(50)))  # type: ignore[arg-type]
        assert all(p.response_type == 6 for p in presses)
        await fake.wait_for(lambda: sum("used your 4 credits" in t for t in private_texts(fake)) == 47, 20)
        await fake.wait_for(lambda: len(bot_messages(fake)) == 4)
        for message in bot_messages(fake)[1:]:
            assert (await wait_final(fake, message.id)).attachments
        assert await charges(bot, DEFAULT_USER_ID) == (4, 0)
        variations = await bot.jobs.ledger.jobs_where("action = 'variation'")
        assert len(variations) == 3 and all(j.cost == 1 for j in variations)
        assert len([t for t in simulator.tasks.values() if t.action == "VARIATION"]) == 3
        refusal = next(t for t in private_texts(fake) if "used your 4 credits" in t)
        assert "come back at 00:00 UTC" in refusal


async def test_failures_are_refunded_and_quota_tells_the_member(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", QUOTA_DAILY_CREDITS="5") as bot:
        for prompt in ("sim:fail a", "a nude b", "sim:busy c", "a fine d"):
            msg = (await fake.invoke_slash("imagine", {"prompt": prompt})).response_message_id
            await wait_final(fake, msg)  # type: ignore[arg-type]
        assert await charges(bot, DEFAULT_USER_ID) == (4, 3)
        quota = await fake.invoke_slash("quota")
        text = fake.messages[quota.response_message_id].content  # type: ignore[index]
        assert "Credits left today:** 4 of 5" in text and "Bonus credits:** 0" in text


async def test_queue_position_then_the_job_starts(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", QUOTA_USER_RUNNING="1"):
        first = (await fake.invoke_slash("imagine", {"prompt": "one"})).response_message_id
        second = (await fake.invoke_slash("imagine", {"prompt": "two"})).response_message_id
        await fake.wait_for(lambda: "Queued, position 1" in fake.messages[second].content)  # type: ignore[index]
        assert len(simulator.tasks) == 1
        await wait_final(fake, first)  # type: ignore[arg-type]
        done = await wait_final(fake, second)  # type: ignore[arg-type]
        assert done.attachments and len(simulator.tasks) == 2
        assert any("Queued, position 1" in v["content"] for v in done.versions)


async def test_the_same_upscale_twice_is_free(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a key"})).response_message_id
        await wait_final(fake, grid_id)  # type: ignore[arg-type]
        u1 = fake.message_buttons(grid_id)[0]["custom_id"]  # type: ignore[arg-type]
        await fake.click(grid_id, u1)  # type: ignore[arg-type]
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        first = await wait_final(fake, bot_messages(fake)[1].id)
        tasks_before = len(simulator.tasks)
        await fake.click(grid_id, u1, user_id=OWNER_USER_ID)  # type: ignore[arg-type]
        await fake.wait_for(lambda: len(bot_messages(fake)) == 3)
        again = await wait_final(fake, bot_messages(fake)[2].id)
        assert len(simulator.tasks) == tasks_before  # no API call
        assert again.attachments[0].data == first.attachments[0].data
        assert labels(fake, again.id) == labels(fake, first.id)
        assert await charges(bot, OWNER_USER_ID) == (0, 0)  # no charge


async def test_history_and_job(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", QUOTA_DAILY_CREDITS="0"):
        for i in range(12):
            busy = await fake.invoke_slash("imagine", {"prompt": f"sim:busy page {i}"})
            await wait_final(fake, busy.response_message_id)  # type: ignore[arg-type]
        history = await fake.invoke_slash("history")
        page = fake.messages[history.response_message_id]  # type: ignore[index]
        assert "**#12**" in page.content and "**#3**" in page.content and "**#2**" not in page.content
        assert "0 refunded" not in page.content and "1 credit" not in page.content  # busy: charged nothing net
        older = next(b for b in fake.message_buttons(page.id) if "Older" in (b.get("label") or ""))
        await fake.click(page.id, older["custom_id"])
        await fake.wait_for(lambda: "**#2**" in fake.messages[page.id].content)
        page = fake.messages[page.id]
        assert "**#2**" in page.content and "**#1**" in page.content and "**#3**" not in page.content
        job = await fake.invoke_slash("job", {"id": 5})
        text = fake.messages[job.response_message_id].content  # type: ignore[index]
        assert "Job #5" in text and "sim:busy page 4" in text and "queue is full" in text


async def test_mjadmin_needs_manage_server(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        admin = next(c for c in fake.commands if c["name"] == "mjadmin")
        assert int(admin["default_member_permissions"]) == MANAGE_GUILD
        with pytest.raises(AssertionError, match="lacks default_member_permissions"):
            await fake.invoke_slash("mjadmin", {}, subcommand="show")
        # A server may open the command to everyone; the bot checks again.
        admin["default_member_permissions"] = None
        refused = await fake.invoke_slash("mjadmin", {}, subcommand="show")
        assert "needs the Manage Server permission" in fake.messages[refused.response_message_id].content  # type: ignore[index]


async def test_admin_grants_sets_limits_and_exports(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:

        def admin(sub: str, options: dict[str, object] | None = None) -> object:
            return fake.invoke_slash("mjadmin", options or {}, subcommand=sub, user_id=OWNER_USER_ID)

        await admin("set", {"setting": "daily_credits", "value": "1"})
        await admin("grant", {"member": DEFAULT_USER_ID, "amount": 2, "note": "contest winner"})
        wrong = await admin("set", {"setting": "timezone", "value": "Mars/Olympus"})
        assert "not a time zone" in fake.messages[wrong.response_message_id].content  # type: ignore[attr-defined]
        shown = await admin("show")
        assert "Daily credits: 1 ·" in fake.messages[shown.response_message_id].content  # type: ignore[attr-defined]

        for prompt in ("one", "two", "three", "four"):
            msg = await fake.invoke_slash("imagine", {"prompt": prompt})
            if msg.response_message_id and not fake.messages[msg.response_message_id].ephemeral:
                await wait_final(fake, msg.response_message_id)
        # 1 daily + 2 bonus: the fourth is refused privately.
        assert sum("used your 1 credits" in t for t in private_texts(fake)) == 1
        assert await charges(bot, DEFAULT_USER_ID) == (3, 0)

        export = await admin("export")
        message = fake.messages[export.response_message_id]  # type: ignore[attr-defined]
        assert message.ephemeral
        rows = list(csv.DictReader(io.StringIO(message.attachments[0].data.decode())))
        kinds = [(r["kind"], r["pool"], r["amount"]) for r in rows]
        assert kinds == [
            ("grant", "bonus", "2"),
            ("charge", "daily", "1"),
            ("charge", "bonus", "1"),
            ("charge", "bonus", "1"),
        ]
        assert rows[0]["note"] == "contest winner" and rows[0]["actor_id"] == str(OWNER_USER_ID)

        stats = await admin("stats")
        answer = fake.messages[stats.response_message_id]  # type: ignore[attr-defined]
        assert "Today: 3 jobs, 0 failed · 3 credits charged" in answer.content
        # The chart: a real PNG, drawn from the ledger's figures.
        chart = Image.open(io.BytesIO(answer.attachments[0].data))
        assert chart.format == "PNG" and chart.size == (800, 880)
        figures = await usage(bot.jobs.ledger, GUILD_ID, time.time(), ZoneInfo("UTC"))
        assert (figures.days[-1].succeeded, figures.days[-1].spent, figures.jobs) == (3, 3, 3)
        assert figures.top == ((DEFAULT_USER_ID, 3),)

        await admin("block", {"member": DEFAULT_USER_ID})
        blocked = await fake.invoke_slash("imagine", {"prompt": "five"})
        assert "blocked" in fake.messages[blocked.response_message_id].content  # type: ignore[index]


async def test_role_tiers_lift_the_allowance(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    """A tier's credits and running slots are what the member gets when starting jobs, not only what /quota says."""
    patron = 1_300_000_000_000_000_777
    fake.roles[patron] = fake._role(patron, "Patron", 0, 1)
    fake.members[DEFAULT_USER_ID].setdefault("roles", []).append(str(patron))
    env = {"QUOTA_DAILY_CREDITS": "1", "QUOTA_USER_RUNNING": "1"}
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", **env) as bot:
        await fake.invoke_slash(
            "mjadmin", {"role": patron, "daily": 3, "running": 5}, subcommand="tier", user_id=OWNER_USER_ID
        )
        quota = await fake.invoke_slash("quota")
        text = fake.messages[quota.response_message_id].content  # type: ignore[index]
        assert "Credits left today:** 3 of 3" in text and "running:** 0 of 5" in text
        # Three at once: all run together (the default allows one running, one credit a day).
        started = [(await fake.invoke_slash("imagine", {"prompt": f"tier {n}"})).response_message_id for n in range(3)]
        await fake.wait_for(lambda: len(simulator.tasks) == 3, 5)  # all three submitted, none queued in the bot
        waiting = await bot.jobs.ledger.fetch_all("SELECT COUNT(*) FROM jobs WHERE status = 'waiting'")
        assert waiting[0][0] == 0
        done = [await wait_final(fake, m) for m in started]  # type: ignore[arg-type]
        assert all(m.attachments for m in done) and len(simulator.tasks) == 3
        refused = await fake.invoke_slash("imagine", {"prompt": "tier 4"})  # the tier's 3 credits are spent
        refusal = fake.messages[refused.response_message_id]  # type: ignore[index]
        assert refusal.ephemeral and "used your 3 credits for today" in refusal.content
        # A member without the role has the server's own allowance: one credit.
        plain = await fake.invoke_slash("imagine", {"prompt": "plain 1"}, user_id=OWNER_USER_ID)
        assert (await wait_final(fake, plain.response_message_id)).attachments  # type: ignore[arg-type]
        second = await fake.invoke_slash("imagine", {"prompt": "plain 2"}, user_id=OWNER_USER_ID)
        assert "used your 1 credits for today" in fake.messages[second.response_message_id].content  # type: ignore[index]
        assert await charges(bot, DEFAULT_USER_ID) == (3, 0) and len(simulator.tasks) == 4


async def test_a_chinese_member_is_answered_in_chinese(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", QUOTA_DAILY_CREDITS="5"):
        imagine = next(c for c in fake.commands if c["name"] == "imagine")
        assert imagine["name_localizations"]["zh-CN"] and imagine["description_localizations"]["zh-CN"]
        quota = await fake.invoke_slash("quota", locale="zh-CN")
        text = fake.messages[quota.response_message_id].content  # type: ignore[index]
        assert "Credits" not in text and "积分" in text
        refused = await fake.invoke_slash("imagine", {"prompt": "x" * 1600}, locale="zh-CN")
        refusal = fake.messages[refused.response_message_id].content  # type: ignore[index]
        assert "1500" in refusal and "limit" not in refusal and any("\u4e00" <= ch <= "\u9fff" for ch in refusal)
        job = await fake.invoke_slash("imagine", {"prompt": "sim:fail 一只猫"}, locale="zh-CN")
        failed = await wait_final(fake, job.response_message_id)  # type: ignore[arg-type]
        assert "一只猫" in failed.content and "Simulated" not in failed.content.split("\n")[0]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in failed.content.split("\n")[1])
        english = await fake.invoke_slash("quota", locale="en-US")
        assert "Credits left today" in fake.messages[english.response_message_id].content  # type: ignore[index]


async def test_daily_credits_come_back_at_midnight(fake: FakeDiscord, simulator: Simulator, tmp_path: Path) -> None:
    """A frozen clock at 23:59 in the server's zone: refused until midnight, then allowed again."""
    from datetime import UTC, datetime

    now = [datetime(2026, 11, 22, 15, 59, tzinfo=UTC).timestamp()]  # 23:59 in Shanghai
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", lambda: now[0], QUOTA_DAILY_CREDITS="1"):
        await fake.invoke_slash("mjadmin", {"setting": "timezone", "value": "Asia/Shanghai"}, subcommand="set",
                                user_id=OWNER_USER_ID)  # fmt: skip
        first = await fake.invoke_slash("imagine", {"prompt": "before midnight"})
        assert not fake.messages[first.response_message_id].ephemeral  # type: ignore[index]
        refused = await fake.invoke_slash("imagine", {"prompt": "still today"})
        text = fake.messages[refused.response_message_id].content  # type: ignore[index]
        assert "come back at 00:00 Asia/Shanghai (in 1 min)" in text
        now[0] += 120  # past midnight in Shanghai
        again = await fake.invoke_slash("imagine", {"prompt": "a new day"})
        assert not fake.messages[again.response_message_id].ephemeral  # type: ignore[index]
        await wait_final(fake, again.response_message_id)  # type: ignore[arg-type]
