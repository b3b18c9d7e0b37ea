"""What the bot tells a member, as a catalog key and its arguments, never as a sentence.

The core, the providers and the ledger pass `Text` around; the Discord layer renders it in the reader's
language (`bot.i18n.render`, catalogs in `bot/locales/<language>/*.ftl`). An argument may itself be a
`Text` (a refusal inside "❌ … Nothing was submitted."); an upstream's own words go in verbatim as a
string argument. `str(text)` is the English rendering, for logs and exception messages.
"""

from __future__ import annotations

import json
from typing import Any, Union

from bot.i18n import render

Arg = Union[str, int, float, "Text"]
VERBATIM = "verbatim"  # the catalog's `verbatim = { $text }`: text shown as it is (old ledgers, API labels)


class Text:
    __slots__ = ("args", "key")

    def __init__(self, key: str, /, **args: Arg) -> None:
        self.key = key
        self.args: dict[str, Arg] = args

    @classmethod
    def verbatim(cls, text: str) -> Text:
        return cls(VERBATIM, text=text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.key, self.args) == (other.key, other.args)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted((k, str(v)) for k, v in self.args.items()))))

    def __repr__(self) -> str:
        return f"Text({self.key!r}, {self.args!r})"

    def __str__(self) -> str:
        return render(self, None)

    # -- in the ledger --------------------------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps(_encode(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_stored(cls, stored: str) -> Text:
        """A ledger value: JSON written by `to_json`, or an English sentence of a ledger older than codes."""
        if stored.startswith("{"):
            try:
                return _decode(json.loads(stored))
            except (ValueError, KeyError, TypeError):
                pass
        return cls.verbatim(stored)


def _encode(text: Text) -> dict[str, Any]:
    args = {k: _encode(v) if isinstance(v, Text) else v for k, v in text.args.items()}
    return {"key": text.key, "args": args}


def _decode(data: dict[str, Any]) -> Text:
    args = data.get("args") or {}
    if not isinstance(data["key"], str) or not isinstance(args, dict):
        raise TypeError("not a stored Text")
    return Text(data["key"], **{k: _decode(v) if isinstance(v, dict) else v for k, v in args.items()})
