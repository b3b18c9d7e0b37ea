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
from typing import Any, Protocol, cast

import babel
import babel.core
import babel.localedata
from fluent.runtime import FluentBundle
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
        # No source positions kept for every node (FluentResource keeps them): about 0.8 MB less, never read.
        resource = FluentParser(with_spans=False).parse(path.read_text(encoding="utf-8"))
        for junk in (entry for entry in resource.body if isinstance(entry, ast.Junk)):
            log.error("%s: cannot read %r", path, (junk.content or "")[:80])
        found.add_resource(resource)
    _keep_only_number_data(found)
    return found


# What formatting a message reads of the CLDR data Babel loads for a locale: its plurals (already compiled
# into the bundle) and how it writes numbers. The rest (names of every language, territory, currency,
# unit and time zone, merged again for each parent locale) is about 2.5 MB kept for nothing.
NUMBER_DATA = (
    "plural_form",
    "ordinal_form",
    "decimal_formats",
    "percent_formats",
    "currency_formats",
    "scientific_formats",
    "number_symbols",
    "default_numbering_system",
    "numbering_systems",
    "currency_symbols",
)


def _keep_only_number_data(found: FluentBundle) -> None:
    locale = getattr(found, "_babel_locale", None)
    data = getattr(locale, "_data", None)
    if not isinstance(locale, babel.Locale) or not isinstance(data, babel.localedata.LocaleDataDict):
        return  # another fluent.runtime or Babel than this was written for: keep it all
    kept: dict[str | int | None, Any] = {key: data._data[key] for key in NUMBER_DATA if key in data._data}
    locale._Locale__data = babel.localedata.LocaleDataDict(kept)  # type: ignore[attr-defined]  # Babel's lazy slot
    # Babel's caches of every locale (and parent) loaded, and its global tables: read again if ever needed.
    babel.localedata._cache.clear()
    babel.core._global_data = None


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
