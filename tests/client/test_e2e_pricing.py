"""The cost table end to end: the real bot against the fake Discord and the simulator."""

from __future__ import annotations

from pathlib import Path

from bot.cli.ledger_tools import _stats
from bot.simulator.server import Simulator
from tests.fakes.discord_server import OWNER_USER_ID, FakeDiscord
from tests.helpers import bot_messages, button, running_bot, wait_final


async def imagine(fake: FakeDiscord, prompt: str, mode: str) -> int:
    """The job message of an /imagine at `mode` (its answer)."""
    answer = (await fake.invoke_slash("imagine", {"prompt": prompt, "mode": mode})).response_message_id
    assert answer is not None
    return answer


async def _charges(bot: object, job_ids: list[int]) -> tuple[int, int]:
    marks = ", ".join("?" * len(job_ids))
    rows = await bot.jobs.ledger.fetch_all(  # type: ignore[attr-defined]
        "SELECT COALESCE(SUM(CASE WHEN kind='charge' THEN amount END),0),"
        f" COALESCE(SUM(CASE WHEN kind='refund' THEN amount END),0) FROM credit_entries WHERE job_id IN ({marks})",
        tuple(job_ids),
    )
    return int(rows[0][0]), int(rows[0][1])


async def test_a_turbo_hd_imagine_costs_the_table_and_its_refund_returns_it(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", QUOTA_DAILY_CREDITS="40") as bot:
        made = await imagine(fake, "a fox --hd --v 8", "turbo")
        failed = await imagine(fake, "sim:fail --hd --v 8", "turbo")
        first = fake.messages[made].versions[0]["content"]  # the acknowledgement, before the charge
        assert "This job costs 8 credits (1 × turbo ×2, hd ×4)" in first
        await wait_final(fake, made)
        assert "❌" in (await wait_final(fake, failed)).content
        jobs = await bot.jobs.ledger.jobs_where("action = 'imagine'")
        assert [j.cost for j in jobs] == [8, 8]
        assert [t.mode for t in simulator.tasks.values()] == ["turbo", "turbo"]
        assert await _charges(bot, [jobs[0].id]) == (8, 0)
        assert await _charges(bot, [jobs[1].id]) == (8, 8)  # the refund returns what was charged

        # A button of the Turbo grid goes at Turbo, and V1 of an --hd grid is drawn at HD: 8 again.
        await fake.click(made, button(fake, made, "V1"))
        await fake.wait_for(lambda: len(bot_messages(fake)) == 3)
        variation = await wait_final(fake, bot_messages(fake)[2].id)
        assert "This job costs 8 credits" in variation.versions[0]["content"]

        quota = await fake.invoke_slash("quota")
        text = fake.messages[quota.response_message_id].content  # type: ignore[index]
        assert "turbo ×2" in text and "relax ×0" in text and "hd ×4" in text
        assert "Credits left today:** 24 of 40" in text  # 8 + 8 charged, 8 back

        set_turbo = {"factor": "turbo", "value": "3"}
        await fake.invoke_slash("mjadmin", set_turbo, subcommand="factor", user_id=OWNER_USER_ID)
        bad = await fake.invoke_slash(
            "mjadmin", {"factor": "hd", "value": "-2"}, subcommand="factor", user_id=OWNER_USER_ID
        )
        assert "exact ratio" in fake.messages[bad.response_message_id].content  # type: ignore[index]
        relax = await imagine(fake, "a boat", "relax")
        turbo = await imagine(fake, "a dog --q 4 --v 7", "turbo")
        assert "(1 × relax ×0)" in fake.messages[relax].versions[0]["content"]
        assert "This job costs 6 credits (1 × turbo ×3, q4 ×2)" in fake.messages[turbo].versions[0]["content"]
        await wait_final(fake, relax)
        await wait_final(fake, turbo)
        relaxed = (await bot.jobs.ledger.jobs_where("prompt = 'a boat'"))[0]
        assert relaxed.cost == 0 and await _charges(bot, [relaxed.id]) == (0, 0)  # Relax is free

        lines, _ = await _stats(bot.settings, None, False)
        by_factor = next(line for line in lines if "by price factor" in line)
        assert "turbo ×2: 3 · 16" in by_factor and "hd ×4: 3 · 16" in by_factor and "turbo ×3: 1 · 6" in by_factor
        stats = await fake.invoke_slash("mjadmin", {}, subcommand="stats", user_id=OWNER_USER_ID)
        assert "turbo ×3: 1 · 6" in fake.messages[stats.response_message_id].content  # type: ignore[index]


async def test_a_press_shows_the_price_it_is_charged_after_another_process_changed_the_table(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    """Shards share one ledger: a cost table changed by another process is what a press is charged (the ledger's
    check reads it), and what its message says."""
    from bot.core import quota

    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3") as bot:
        grid = await imagine(fake, "a heron --v 7", "turbo")
        await wait_final(fake, grid)
        async with bot.jobs.ledger.transaction() as db:  # as another process would: this one's memory unchanged
            config = await quota.load_config(db, fake.guild_id)
            config.factors["turbo"] = "3"
            await quota.save_config(db, fake.guild_id, config)
        await fake.click(grid, button(fake, grid, "V1"))
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        variation = bot_messages(fake)[1]
        first = variation.versions[0]["content"] if variation.versions else variation.content
        assert "This job costs 3 credits (1 × turbo ×3)" in first, first
        job = await bot.jobs.ledger.get(2)
        assert job is not None and (await _charges(bot, [job.id]))[0] == 3
