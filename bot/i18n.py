"""English and Simplified Chinese, chosen by the Discord locale of whoever reads.

The code writes English; at send time each line is matched against the catalog's templates
(`The prompt is {length} characters long; ...`) and rendered in Chinese, its captured parts translated
in turn. So the core stays free of languages and messages stored in the ledger translate too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

ZH = "zh-CN"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class _Template:
    pattern: re.Pattern[str]
    target: str
    literal: int  # literal characters, to try the most specific template first


def _compile(source: str, target: str) -> _Template:
    parts = _PLACEHOLDER.split(source)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    literal = sum(len(p) for p in parts[::2])
    return _Template(re.compile(regex, re.DOTALL), target, literal)


@cache
def _catalog() -> tuple[_Template, ...]:
    try:
        from bot.locales.zh_CN import MESSAGES
    except ImportError:
        return ()
    templates = [_compile(k, v) for k, v in MESSAGES.items()]
    return tuple(sorted(templates, key=lambda t: -t.literal))


def wants_chinese(locale: object) -> bool:
    return str(locale or "").lower().startswith("zh")


def tr(text: str, locale: object) -> str:
    """`text` in the reader's language: Simplified Chinese for a zh locale, else unchanged."""
    if not text or not wants_chinese(locale):
        return text
    out: list[str] = []
    in_code = False
    for line in text.split("\n"):
        if line.startswith("```"):
            in_code = not in_code
            out.append(line)
            continue
        out.append(line if in_code else _line(line))
    return "\n".join(out)


def _line(line: str, depth: int = 0) -> str:
    if depth > 3 or not line.strip():
        return line
    for template in _catalog():
        m = template.pattern.fullmatch(line)
        if m:
            values = {k: _line(v, depth + 1) for k, v in m.groupdict().items()}
            return template.target.format(**values)
    return line


def command_text(english: str) -> str | None:
    """The Chinese name or description of a command, for Discord's own localisation."""
    try:
        from bot.locales.zh_CN import COMMANDS
    except ImportError:
        return None
    return COMMANDS.get(english)
