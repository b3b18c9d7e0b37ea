"""The cost table: base × mode × parameters, charged as computed before the submit and refunded exactly."""

from __future__ import annotations

import asyncio
import math
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.accounts import Accounts
from bot.core.ledger import Ledger
from bot.core.models import JobAction, Requester
from bot.core.pricing import DEFAULT_FACTORS, Price, parse_factor, parse_note, price
from bot.core.quota import DEFAULT_COSTS, Defaults, GuildConfig
from bot.core.usage import by_factor

GUILD = 5
PRICED_BY_PROMPT = (JobAction.IMAGINE, JobAction.BLEND, JobAction.VARIATION, JobAction.PAN, JobAction.EDIT)
MODE_ONLY = (JobAction.UPSCALE, JobAction.UPSCALE_HD, JobAction.VIDEO)
UNPRICED = (JobAction.DESCRIBE, JobAction.SHORTEN)
BASES = {
    JobAction.IMAGINE: "grid",
    JobAction.BLEND: "grid",
    JobAction.VARIATION: "grid",
    JobAction.PAN: "grid",
    JobAction.EDIT: "edit",
    JobAction.UPSCALE: "upscale",
    JobAction.UPSCALE_HD: "hd_upscale",
    JobAction.VIDEO: "video",
    JobAction.DESCRIBE: "describe",
    JobAction.SHORTEN: "describe",
}
QUALITY = {".25": "q_quarter", ".5": "q_half", "1": None, "2": "q2", "4": "q4"}


def test_the_published_ratios() -> None:
    table = DEFAULT_FACTORS
    turbo_hd = price(JobAction.IMAGINE, 1, "turbo", "a fox --hd", table, "8.1")
    assert turbo_hd == Price(8, 1, (("turbo", Fraction(2)), ("hd", Fraction(4))))
    assert turbo_hd.note() == "factors turbo=2 hd=4" and parse_note(turbo_hd.note()) == dict(turbo_hd.factors)
    assert price(JobAction.IMAGINE, 1, "relax", "a fox --hd", table, "8.1").credits == 0  # Relax is free
    assert price(JobAction.IMAGINE, 1, None, "a fox --q 4", table, "7") == Price(2, 1, (("q4", Fraction(2)),))
    assert price(JobAction.IMAGINE, 1, "fast", "a fox --q .5", table, "7").credits == 1  # ½ rounds up to 1
    # --hd, --sref and moodboards cost more on V8 only; a prompt's --v wins over the default version.
    assert price(JobAction.IMAGINE, 1, "fast", "a fox --sref 123 --v 7", table, "8.1").credits == 1
    assert price(JobAction.IMAGINE, 1, "fast", "a fox --sref 123", table, "8.1").credits == 4
    assert price(JobAction.IMAGINE, 1, "fast", "a fox --profile abc --v 8", table, "7").credits == 4
    assert price(JobAction.IMAGINE, 1, "fast", "a fox --niji 7 --sref 1", table, "8.1").credits == 1
    # A video has no relax upstream: it goes, and costs, at fast; describe has no mode.
    assert price(JobAction.VIDEO, 8, "relax", "", table, "8.1").credits == 8
    assert price(JobAction.DESCRIBE, 1, "turbo", "", table, "8.1") == Price(1, 1)
    assert not price(JobAction.IMAGINE, 1, "fast", "a fox", table, "8.1").multiplied


@pytest.mark.parametrize("value", ["-1", "abc", "1/0", "101"])
def test_a_factor_is_an_exact_ratio_from_0_to_100(value: str) -> None:
    with pytest.raises((ValueError, ZeroDivisionError)):
        parse_factor(value)


def _expected(action: JobAction, mode: str | None, prompt_params: dict[str, str | None], version: str | None,
              table: dict[str, Fraction], costs: dict[str, int]) -> tuple[int, dict[str, Fraction]]:  # fmt: skip
    """The table as the README states it, worked out on its own."""
    base = costs[BASES[action]]
    used: dict[str, Fraction] = {}
    if action not in UNPRICED:
        speed = mode or "fast"
        speed = "fast" if speed == "relax" and action is JobAction.VIDEO else speed
        used[speed] = table[speed]
    if action in PRICED_BY_PROMPT:
        quality = QUALITY[prompt_params["q"]] if prompt_params.get("q") else None
        if quality:
            used[quality] = table[quality]
        on_v8 = float(version or "8.1") >= 8
        for name in ("hd", "sref", "moodboard"):
            if prompt_params.get(name) is not None and on_v8:
                used[name] = table[name]
    used = {n: f for n, f in used.items() if f != 1}
    return math.ceil(base * math.prod(used.values(), start=Fraction(1))), used


def _prompt(params: dict[str, str | None], version: str | None) -> str:
    words = ["a lighthouse"]
    if params.get("q"):
        words.append(f"--q {params['q']}")
    if params.get("hd") is not None:
        words.append("--hd")
    if params.get("sref") is not None:
        words.append("--sref 42")
    if params.get("moodboard") is not None:
        words.append("--profile mb1")
    if version:
        words.append(f"--v {version}")
    return " ".join(words)


factor = st.fractions(min_value=0, max_value=8, max_denominator=4)
example = st.tuples(
    st.sampled_from(PRICED_BY_PROMPT + MODE_ONLY + UNPRICED),
    st.sampled_from([None, "fast", "relax", "turbo"]),
    st.fixed_dictionaries(
        {
            "q": st.sampled_from([None, *QUALITY]),
            "hd": st.sampled_from([None, ""]),
            "sref": st.sampled_from([None, ""]),
            "moodboard": st.sampled_from([None, ""]),
        }
    ),
    st.sampled_from([None, "6.1", "7", "8", "8.1"]),
    st.dictionaries(st.sampled_from(sorted(DEFAULT_FACTORS)), factor, max_size=4),  # the server's own factors
    st.dictionaries(st.sampled_from(sorted(DEFAULT_COSTS)), st.integers(0, 9), max_size=3),
)


async def _charge_and_refund(tmp_path: Path, examples: list[tuple]) -> None:  # type: ignore[type-arg]
    ledger = await Ledger.open(tmp_path / "pricing.sqlite3")
    bot_wide = (("turbo", Fraction(3)),)  # COST_FACTORS: under every server's own
    accounts = Accounts(ledger, Defaults(daily_credits=0, user_running=0, user_waiting=0, server_running=0,
                                          factors=bot_wide))  # fmt: skip
    try:
        await accounts.load()
        for n, (action, mode, params, version, own, costs) in enumerate(examples):

            def configure(c: GuildConfig, own: dict[str, Fraction] = own, costs: dict[str, int] = costs) -> None:
                c.factors = {k: str(v) for k, v in own.items()}
                c.costs = dict(costs)

            await accounts.change_config(GUILD, configure)
            table = {**DEFAULT_FACTORS, **dict(bot_wide), **own}
            credits, used = _expected(action, mode, params, version, table, {**DEFAULT_COSTS, **costs})
            requester = Requester(100 + n, GUILD, 1)
            prompt = _prompt(params, version)
            shown = accounts.price(GUILD, action, mode, prompt)  # what the member is told before paying
            job = await accounts.open_job(requester, [], provider="p", action=action, prompt=prompt, mode=mode)
            entries = await ledger.fetch_all(
                "SELECT kind, amount, note FROM credit_entries WHERE job_id = ? ORDER BY id", (job.id,)
            )
            assert job.cost == shown.credits == credits
            assert sum(e["amount"] for e in entries) == credits
            assert all(parse_note(e["note"]) == used for e in entries)
            await accounts.refund(job)
            refunds = await ledger.fetch_all(
                "SELECT amount FROM credit_entries WHERE job_id = ? AND kind = 'refund'", (job.id,)
            )
            assert sum(r["amount"] for r in refunds) == credits  # exactly what was charged
            assert not await accounts.refund(job)  # and once
        uses = {u.factor: u for u in await by_factor(ledger, GUILD, 0)}
        assert all(u.spent == 0 for u in uses.values())  # every job was refunded in full
    finally:
        await ledger.close()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.lists(example, min_size=1, max_size=8))
def test_charges_match_the_table_for_every_mode_and_parameter(tmp_path: Path, examples: list[tuple]) -> None:  # type: ignore[type-arg]
    for old in tmp_path.glob("pricing.sqlite3*"):
        old.unlink()
    asyncio.run(_charge_and_refund(tmp_path, examples))


async def test_ledger_stats_sum_by_factor(tmp_path: Path) -> None:
    ledger = await Ledger.open(tmp_path / "stats.sqlite3")
    accounts = Accounts(ledger, Defaults(daily_credits=0))
    try:
        await accounts.load()
        made = []
        for n, (mode, prompt) in enumerate([("turbo", "a --hd"), ("turbo", "b"), ("fast", "c --hd"), ("fast", "d")]):
            requester = Requester(200 + n, GUILD, 1)
            made.append(await accounts.open_job(requester, [], provider="p", action=JobAction.IMAGINE,
                                                prompt=prompt, mode=mode))  # fmt: skip
        await accounts.refund(made[1])  # turbo ×2 alone: 2 charged, 2 refunded
        uses = {u.factor: (u.jobs, u.spent) for u in await by_factor(ledger, GUILD, 0)}
        assert uses == {"turbo ×2": (2, 8), "hd ×4": (2, 12)}
    finally:
        await ledger.close()
