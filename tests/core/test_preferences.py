"""A member's preferences: kept in the ledger on both databases, mirrored in memory, suffixes checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import InvalidInput
from bot.core.ledger import Ledger
from bot.core.preferences import MAX_SUFFIX_CHARS, Preference, Preferences, checked_suffix
from bot.core.prompts import MAX_PROMPT_CHARS

BACKENDS = ("sqlite", "postgres")
GUILD, OTHER_GUILD, ALICE, BOB = 10, 11, 1, 2


async def test_changes_are_kept_per_member_and_server(ledger: Ledger) -> None:
    prefs = Preferences(ledger)
    await prefs.load()
    assert prefs.of(GUILD, ALICE) == Preference()
    changed = await prefs.change(GUILD, ALICE, mode="relax", suffix="--ar 16:9")
    assert changed == Preference(mode="relax", suffix="--ar 16:9")
    # One column at a time: the others stay as they were.
    assert await prefs.change(GUILD, ALICE, remix=True) == Preference("relax", None, True, "--ar 16:9")
    assert await prefs.change(GUILD, ALICE, mode=None, bot_type="NIJI_JOURNEY") == Preference(
        None, "NIJI_JOURNEY", True, "--ar 16:9"
    )
    assert prefs.of(GUILD, BOB) == Preference() and prefs.of(OTHER_GUILD, ALICE) == Preference()
    assert prefs.of(None, ALICE) == Preference()  # outside a server: nothing


async def test_a_new_process_reads_what_was_stored(ledger: Ledger, ledger_at: Path | str) -> None:
    await Preferences(ledger).change(GUILD, ALICE, mode="turbo", remix=True, suffix="in the style of ink")
    again = await Ledger.open(ledger_at)
    try:
        restarted = Preferences(again)
        await restarted.load()
        assert restarted.of(GUILD, ALICE) == Preference("turbo", None, True, "in the style of ink")
        # Another process changes it; `read` brings this one's mirror up to date.
        await Preferences(ledger).change(GUILD, ALICE, suffix="")
        assert restarted.of(GUILD, ALICE).suffix == "in the style of ink"
        assert (await restarted.read(GUILD, ALICE)).suffix == ""
        assert restarted.of(GUILD, ALICE) == Preference("turbo", None, True, "")
    finally:
        await again.close()


async def test_unknown_values_are_refused(ledger: Ledger) -> None:
    prefs = Preferences(ledger)
    with pytest.raises(ValueError, match="mode"):
        await prefs.change(GUILD, ALICE, mode="slow")
    with pytest.raises(ValueError, match="bot"):
        await prefs.change(GUILD, ALICE, bot_type="dalle")
    with pytest.raises(ValueError, match="not a preference"):
        await prefs.change(GUILD, ALICE, colour="blue")
    assert prefs.of(GUILD, ALICE) == Preference()


def test_a_suffix_is_checked_like_a_prompt() -> None:
    assert checked_suffix("  --ar 16:9   --s 250 ", []) == "--ar 16:9 --s 250"  # only parameters is fine
    assert checked_suffix("   ", []) == ""  # nothing: cleared
    for bad, key in [
        ("--chaos 500", "prompt-invalid-parameter"),
        ("--bogus", "prompt-unknown-parameter"),
        ("x" * (MAX_SUFFIX_CHARS + 1), "suffix-too-long"),
        ("in gore detail", "suffix-banned-word"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            checked_suffix(bad, ["gore"])
        assert caught.value.text.key == key, bad


def test_the_suffix_counts_against_the_prompt_limit() -> None:
    with_suffix = Preference(suffix="--ar 3:2")
    assert with_suffix.suffixed(" a  fox ") == "a fox --ar 3:2"
    assert Preference().suffixed("a fox") == "a fox"
    room = MAX_PROMPT_CHARS - len(" --ar 3:2")
    assert len(with_suffix.suffixed("y" * room)) == MAX_PROMPT_CHARS
    with pytest.raises(InvalidInput) as caught:
        with_suffix.suffixed("y" * (room + 1))
    assert caught.value.text.key == "prompt-too-long-suffix"
    with pytest.raises(InvalidInput) as caught:
        with_suffix.suffixed("--ar 1:1")  # the member's own words are judged on their own first
    assert caught.value.text.key == "prompt-only-parameters"
