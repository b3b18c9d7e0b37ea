"""English and Simplified Chinese, chosen by the Discord locale of whoever reads.

Every text a member sees is a key in a Fluent catalog (`bot/locales/<language>/*.ftl`, one file per
area). Fluent was chosen over gettext because a message is named by a key rather than by its English
text (so rewording English breaks no translation), it has no compile step, and its plurals and
selectors live in the catalog where the translator sees them (`{ $cost -> [one] … *[other] … }`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Protocol, cast

from fluent.runtime import FluentBundle, FluentResource
from fluent.runtime.types import fluent_number
from fluent.syntax import FluentParser, ast

log = logging.getLogger(__name__)

LOCALES = Path(__file__).parent / "locales"
ENGLISH = "en-US"
CHINESE = "zh-CN"


class Message(Protocol):
    """A catalog key and its arguments: `bot.core.text.Text` (this module stays a leaf the core may use)."""

    @property
    def key(self) -> str: ...

    @property
    def args(self) -> Mapping[str, object]: ...


def language(locale: object) -> str:
    """The catalog for a Discord locale: Simplified Chinese for any zh locale, else English."""
    return CHINESE if str(locale or "").lower().startswith("zh") else ENGLISH


@cache
def bundle(lang: str) -> FluentBundle:
    # use_isolating=False: no Unicode isolation marks around arguments; Discord shows them as boxes.
    found = FluentBundle([lang], use_isolating=False)
    for path in sorted((LOCALES / lang).glob("*.ftl")):
        resource = FluentResource(path.read_text(encoding="utf-8"))
        for junk in (entry for entry in resource.body if isinstance(entry, ast.Junk)):
            log.error("%s: cannot read %r", path, (junk.content or "")[:80])
        found.add_resource(resource)
    return found


def render(text: Message | str, locale: object) -> str:
    """`text` in the reader's language; a plain string (a prompt, a link, an API's words) as it is."""
    if isinstance(text, str):
        return text
    lang = language(locale)
    for candidate in dict.fromkeys((lang, ENGLISH)):
        found = bundle(candidate)
        if found.has_message(text.key):
            pattern = found.get_message(text.key).value
            if pattern is None:
                break
            args = {name: _argument(value, locale) for name, value in text.args.items()}
            out, errors = found.format_pattern(pattern, args)
            if errors:
                log.warning("catalog %s, message %s: %s", candidate, text.key, errors)
            return str(out)
    log.error("no message %r in the catalogs", text.key)
    return text.key


def _argument(value: object, locale: object) -> object:
    # Plain types first: a runtime Protocol check costs tens of microseconds, and this runs per argument.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        # No digit grouping: ids, Discord timestamps and limits show as the code has them.
        return fluent_number(value, useGrouping=False)
    if isinstance(value, float):
        return f"{value:g}"
    return render(cast(Message, value), locale)  # a nested Text


def catalog(lang: str) -> dict[str, ast.Message]:
    """Every message of a language by key, as parsed (for the tests that keep the catalogs in step)."""
    found: dict[str, ast.Message] = {}
    for path in sorted((LOCALES / lang).glob("*.ftl")):
        for entry in FluentParser().parse(path.read_text(encoding="utf-8")).body:
            if isinstance(entry, ast.Message):
                found[entry.id.name] = entry
    return found


__all__ = ["CHINESE", "ENGLISH", "catalog", "language", "render"]
