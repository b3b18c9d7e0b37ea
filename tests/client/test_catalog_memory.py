"""The catalogs kept small in memory (no source positions, only the CLDR number data Babel loaded) read
exactly as fluent.runtime's own bundles of the same files: every message, in both languages, with numbers
of every plural category, decimals and words for its arguments."""

from __future__ import annotations

from pathlib import Path

import pytest
from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax.ast import VariableReference
from fluent.syntax.visitor import Visitor

from bot.core.text import Text
from bot.i18n import CHINESE, ENGLISH, LOCALES, NUMBER_DATA, _argument, bundle, catalog, render

# 0, 1, 2, 5, 21 and a large one cover one/other (and zh's other only); the float and the word the rest.
SAMPLES: tuple[int | float | str, ...] = (0, 1, 2, 5, 21, 1_234_567, 2.5, "x")


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: VariableReference) -> None:
        self.names.add(node.id.name)


def _stock(lang: str) -> FluentBundle:
    stock = FluentBundle([lang], use_isolating=False)
    for path in sorted(Path(LOCALES / lang).glob("*.ftl")):
        stock.add_resource(FluentResource(path.read_text(encoding="utf-8")))
    return stock


@pytest.mark.parametrize("lang", [ENGLISH, CHINESE])
def test_every_message_reads_as_with_fluents_own_bundle(lang: str) -> None:
    stock = _stock(lang)
    compared = 0
    for key, message in catalog(lang).items():
        if message.value is None:
            continue
        found = _Variables()
        found.visit(message)
        for sample in SAMPLES:
            args = {name: sample for name in found.names}
            expected, _ = stock.format_pattern(
                stock.get_message(key).value, {n: _argument(v, lang) for n, v in args.items()}
            )
            assert render(Text(key, **args), lang) == expected, (key, sample)
            compared += 1
    assert compared > 500  # the whole catalog, not a few keys


def test_the_bundles_keep_only_the_number_data_of_their_locale() -> None:
    for lang in (ENGLISH, CHINESE):
        kept = bundle(lang)._babel_locale._data._data  # type: ignore[attr-defined]
        assert set(kept) <= set(NUMBER_DATA) and {"plural_form", "decimal_formats", "number_symbols"} <= set(kept)
        assert "territories" not in kept and "time_zones" not in kept
