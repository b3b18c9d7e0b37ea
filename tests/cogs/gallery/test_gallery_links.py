"""The gallery's links: signed over guild, member, scope, expiry and language; any change, another key or the
passing of the expiry voids them."""

from __future__ import annotations

from bot.core.gallery import Scope
from cogs.gallery.links import Link, gallery_key, sign, token_locale, verify

KEY = gallery_key("bot-token")
LINK = Link(Scope(1_300_000_000_000_000_100, 42, server=False), 2_000_000_000, "zh-CN")


def test_a_signed_link_verifies_until_it_expires() -> None:
    token = sign(KEY, LINK)
    assert verify(KEY, token, now=1_999_999_999) == LINK
    assert verify(KEY, token, now=2_000_000_000) is None  # expired at its second
    assert token_locale(token) == "zh-CN"


def test_any_changed_character_another_key_or_junk_is_refused() -> None:
    token = sign(KEY, LINK)
    for index, char in enumerate(token):
        for other in {"0", "1", "a", "s", "m", "-", "_"} - {char}:
            assert verify(KEY, token[:index] + other + token[index + 1 :], now=0) is None, (index, other)
    assert verify(gallery_key("another-bot-token"), token, now=0) is None
    moderator = sign(KEY, Link(Scope(LINK.scope.guild_id, 42, server=True), LINK.expires, "en-US"))
    assert verify(KEY, moderator, now=0) is not None
    forged = token.replace("-m-", "-s-")  # a member's link made a moderator's: the signature no longer fits
    assert verify(KEY, forged, now=0) is None
    for junk in ("", "..", "1-2-s-3-en_US-" + "0" * 31, "x" * 5000, token + "-", "../../etc/passwd"):
        assert verify(KEY, junk, now=0) is None
        assert token_locale(junk) == "en-US"


def test_an_odd_locale_is_signed_as_english() -> None:
    token = sign(KEY, Link(LINK.scope, LINK.expires, "<b>x"))
    found = verify(KEY, token, now=0)
    assert found is not None and found.locale == "en-US"
