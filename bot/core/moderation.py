"""A server's banned words, matched the same way on every prompt a job carries, in every script.

Both sides are folded (Unicode NFKC, then case folding), so full-width letters and `ＮＵＤＥ` match
too. Words of scripts written with spaces match at word boundaries (`grass` does not match `ass`);
words with Chinese, Japanese or Korean characters match anywhere in the text, since those scripts
put no spaces between words (`一只裸体猫` matches `裸体`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# CJK ideographs and their extensions, kana, Hangul, and CJK compatibility forms.
_UNSPACED = re.compile(
    "[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]"
)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=1024)
def _pattern(word: str) -> re.Pattern[str]:
    folded = fold(word).strip()
    if _UNSPACED.search(folded):
        return re.compile(re.escape(folded))
    return re.compile(rf"(?<!\w){re.escape(folded)}(?!\w)")


def banned_word(text: str, words: Iterable[str]) -> str | None:
    """The first of `words` found in `text`, as the admin wrote it; None when the text is clean."""
    folded = fold(text)
    for word in words:
        if word.strip() and _pattern(word).search(folded):
            return word
    return None
