"""The gallery's signed, expiring links: `/gallery/<token>/`, the token an HMAC over guild, member, scope,
expiry and language, with a key derived from the bot token (nothing to store; a new token voids every link).

A link is its own credential: whoever holds it sees what it shows until it expires, so `/gallery` hands it
out privately and the pages send no Referer.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from bot.core.gallery import Scope

_TOKEN = re.compile(r"^(\d{1,20})-(\d{1,20})-([sm])-(\d{1,12})-([a-z]{2}(?:_[A-Z]{2})?)-([0-9a-f]{32})$")


def gallery_key(bot_token: str) -> bytes:
    return hmac.new(bot_token.encode(), b"mjbot gallery links", hashlib.sha256).digest()


@dataclass(frozen=True)
class Link:
    scope: Scope
    expires: int  # epoch seconds
    locale: str  # the language the pages speak: the member's Discord locale, `zh_CN` style in the token


def _signature(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:32]


def sign(key: bytes, link: Link) -> str:
    scope = link.scope
    locale = link.locale.replace("-", "_")
    if not re.fullmatch(r"[a-z]{2}(?:_[A-Z]{2})?", locale):
        locale = "en_US"
    payload = f"{scope.guild_id}-{scope.user_id}-{'s' if scope.server else 'm'}-{int(link.expires)}-{locale}"
    return f"{payload}-{_signature(key, payload)}"


def verify(key: bytes, token: str, now: float) -> Link | None:
    """The link a token stands for, if it was signed with `key` and has not expired; else None."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    payload, signature = token.rsplit("-", 1)
    if not hmac.compare_digest(_signature(key, payload), signature):
        return None
    guild, user, scope, expires, locale = match.groups()[:5]
    if int(expires) <= now:
        return None
    return Link(Scope(int(guild), int(user), scope == "s"), int(expires), locale.replace("_", "-"))


def token_locale(token: str) -> str:
    """The language a (perhaps refused) token asks for, to say in it why it is refused."""
    match = _TOKEN.match(token)
    return match[5].replace("_", "-") if match else "en-US"
