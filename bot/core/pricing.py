"""What a job costs: the action's base price × its speed mode's factor × its parameters' factors.

The defaults follow the ratios of GPU time Midjourney publishes: Turbo 2× Fast, Relax free; `--q 2` and
`--q 4` about 2×, `--q .5` ½, `--q .25` ¼; on V8 `--hd` (native 2048) 4×, `--sref` and moodboards
(`--profile`) 4×. The factors are exact fractions; the credits are whole, so the product is rounded up
(anything that uses GPU time costs at least 1 credit, and the admin never pays what the member did not).
Computed from the prompt and options before the job is charged, and written with its charge.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from bot.core.buttons import VIDEO_ACTIONS
from bot.core.models import JobAction

# Factor names an admin sets (`factor_<name>`), with their defaults.
DEFAULT_FACTORS: dict[str, Fraction] = {
    "fast": Fraction(1),
    "relax": Fraction(0),
    "turbo": Fraction(2),
    "q_quarter": Fraction(1, 4),
    "q_half": Fraction(1, 2),
    "q2": Fraction(2),
    "q4": Fraction(2),
    "hd": Fraction(4),
    "sref": Fraction(4),
    "moodboard": Fraction(4),
}
MODES = ("fast", "relax", "turbo")
_QUALITY = {".25": "q_quarter", "0.25": "q_quarter", ".5": "q_half", "0.5": "q_half", "2": "q2", "4": "q4"}
_V8_ONLY = ("hd", "sref", "moodboard")  # their GPU cost grows on V8; earlier versions draw them at 1×
GRID_ACTIONS = (  # jobs that draw a grid from a prompt (the `grid` cost of quota.py)
    JobAction.IMAGINE,
    JobAction.BLEND,
    JobAction.VARIATION,
    JobAction.REROLL,
    JobAction.ZOOM,
    JobAction.CUSTOM_ZOOM,
    JobAction.PAN,
    JobAction.VARY_SUBTLE,
    JobAction.VARY_STRONG,
    JobAction.VARY_REGION,
)
# Jobs drawn from the prompt's parameters; the others (upscales, videos) pay the mode only.
_PROMPT_PRICED = frozenset({*GRID_ACTIONS, JobAction.EDIT})
_NO_MODE = frozenset({JobAction.DESCRIBE, JobAction.SHORTEN, JobAction.DESCRIBE_PICK, JobAction.BOOKMARK})
_PARAM = re.compile(r"(?:^|\s)(?:--|—)([A-Za-z]+)(?:\s+(?!--|—)(\S+))?")


@dataclass(frozen=True)
class Price:
    """A job's credits and how they came about: the base and every factor that is not 1, in order."""

    credits: int
    base: int = 0
    factors: tuple[tuple[str, Fraction], ...] = ()

    @property
    def multiplied(self) -> bool:
        """The member is shown the price: it is not simply the action's base."""
        return bool(self.factors)

    def note(self) -> str:
        """The factors as the charge entry records them: `factors turbo=2 hd=4` (empty: none)."""
        return "factors " + " ".join(f"{n}={f}" for n, f in self.factors) if self.factors else ""

    def shown(self) -> str:
        """`turbo ×2, hd ×4`: for the member's acknowledgement."""
        return ", ".join(f"{n} ×{f}" for n, f in self.factors)


def parse_note(note: str) -> dict[str, Fraction]:
    """The factors a charge entry recorded (see `Price.note`); {} for any other note."""
    if not note.startswith("factors "):
        return {}
    found = {}
    for part in note.removeprefix("factors ").split():
        name, _, value = part.partition("=")
        try:
            found[name] = Fraction(value)
        except (ValueError, ZeroDivisionError):
            continue
    return found


def parse_factor(value: str) -> Fraction:
    """`2`, `0.5`, `1/4` → an exact factor ≥ 0; ValueError otherwise."""
    factor = Fraction(value.strip())
    if factor < 0 or factor > 100:
        raise ValueError(value)
    return factor


def parameters(prompt: str) -> dict[str, str]:
    """The prompt's `--name value` parameters, names lower-case (a switch's value is '')."""
    found = {}
    for m in _PARAM.finditer(prompt):
        value = m[2] or ""
        found[m[1].lower()] = "" if value.startswith(("--", "—")) else value
    return found


def version_of(params: Mapping[str, str], default: str) -> str:
    """The model version a prompt asks for (`8.1`, `7`, `niji 7`), else `default`."""
    if "niji" in params:
        return f"niji {params['niji'] or '7'}"
    given = params.get("v") or params.get("version")
    return given or default


def major(version: str) -> int:
    """8 for `8.1`, 7 for `niji 7`; 0 when unreadable."""
    m = re.search(r"\d+", version)
    return int(m[0]) if m else 0


def price(
    action: JobAction,
    base: int,
    mode: str | None,
    prompt: str,
    table: Mapping[str, Fraction],
    default_version: str,
) -> Price:
    """The credits of one job: `base` × mode × the prompt's parameters, rounded up."""
    factors: list[tuple[str, Fraction]] = []
    if action not in _NO_MODE:
        # A video has no relax upstream: it goes, and is priced, at fast.
        chosen = "fast" if mode not in MODES or (mode == "relax" and action in VIDEO_ACTIONS) else mode
        factors.append((chosen, table.get(chosen, DEFAULT_FACTORS[chosen])))
    if action in _PROMPT_PRICED:
        params = parameters(prompt)
        v8 = major(version_of(params, default_version)) >= 8 and "niji" not in params
        quality = _QUALITY.get(params.get("q") or params.get("quality") or "")
        named = [quality] if quality else []
        named += [n for n, p in (("hd", "hd"), ("sref", "sref"), ("moodboard", "profile")) if p in params]
        for name in named:
            if name in _V8_ONLY and not v8:
                continue
            factors.append((name, table.get(name, DEFAULT_FACTORS[name])))
    kept = tuple((n, f) for n, f in factors if f != 1)
    exact = Fraction(base)
    for _, factor in kept:
        exact *= factor
    return Price(math.ceil(exact), base, kept)


def merged(*tables: Mapping[str, Fraction]) -> dict[str, Fraction]:
    """The default factors with each later table's own values over them."""
    out = dict(DEFAULT_FACTORS)
    for table in tables:
        out.update(table)
    return out
