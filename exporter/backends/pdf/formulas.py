"""TeX -> a typeset formula: STIX Two Math outlines placed by ziamath, kept as PDF path operators.

ziamath (pure Python, its own STIX Two Math with the OpenType MATH table) lays the
formula out; its plain-SVG paths are turned once into PDF operators in units of 1/1000 em,
y up, baseline at 0, so a formula is drawn at any size by scaling. Each glyph's outline is
kept apart from where it stands: a PDF holds each distinct outline once (mathdraw.py).
ziamath is imported only when a formula is in neither the in-process memo nor the disk
cache (mathcache.py): a deck without math, or with a warm cache, never pays its ~0.3 s import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ...markup.tex import disallowed
from .mathcache import forget as forget_cache
from .mathcache import key as cache_key
from .mathcache import load as cache_load
from .mathcache import remember as cache_remember
from .mathcache import store as cache_store
from .svgpaths import Glyph

UNITS = 1000.0  # one em of the text is this many units
# STIX Two Math's x-height is 0.48 em, DejaVu Sans's 0.55: math set this much larger than the
# text around it looks the same size, as it does in TeX documents set in a sans text face.
MATH_SCALE = 1.12
_UNKNOWN = re.compile(r"<m(?:i|o|n|text)\b[^>]*>\s*(\\[A-Za-z]+)")


@dataclass(frozen=True)
class Formula:
    """A typeset formula; lengths in em (multiply by the font size), ops in 1/1000 em."""

    tex: str
    display: bool
    width: float
    ascent: float  # above the baseline
    descent: float  # below the baseline, positive
    glyphs: tuple[Glyph, ...]  # outlines, each drawn once per PDF and placed by reference
    rules: str  # fraction bars, radical tops…: PDF operators in place

    @property
    def key(self) -> str:
        return cache_key(self.tex, self.display)


@dataclass(frozen=True)
class BadTex:
    """TeX that cannot be typeset: printed as written, and reported."""

    tex: str
    reason: str


def typeset(tex: str, display: bool) -> Formula | BadTex:
    """The formula of tex, from the memo, the disk cache or ziamath, in that order.

    TeX outside the markup layer's allow-list (`\\href`, …) is never typeset: printed as
    written, as on the cards; validate's disallowed-tex warning names it.
    """
    bad = disallowed(tex)
    if bad:
        return BadTex(tex.strip(), f"{', '.join(bad)} is not allowed")
    return _memo(tex.strip(), display)


# Typesetting fewer formulas than this in a forked worker costs more than it saves.
PARALLEL_MIN = 24


def prepare(wanted: Iterable[tuple[str, bool]]) -> None:
    """Typeset now each formula (tex, display) that neither the memo nor the disk cache holds,
    half of them in a forked worker when there are enough: the PDF check calls this before
    the PDFs fork, so both inherit every formula (ziamath sets one in ~3 ms of one core)."""
    from ...parallel import can_fork_workers, map_halves

    missing = [(tex, display) for tex, display in dict.fromkeys((t.strip(), d) for t, d in wanted)
               if not disallowed(tex) and _stored(tex, display) is None]
    if len(missing) < PARALLEL_MIN or not can_fork_workers():
        for tex, display in missing:
            _memo(tex, display)
        return
    missing = missing[0::2] + missing[1::2]  # neighbours differ most: halves of alike cost
    made = map_halves(lambda items: [_memo(tex, display) for tex, display in items], missing)
    for (tex, display), formula in zip(missing, made, strict=True):
        cache_remember(tex, display, _record(formula))  # the worker stored its half


def forget() -> None:
    """Drop the in-process memo, as a new process starts: the disk cache is read again."""
    _memo.cache_clear()
    forget_cache()


@lru_cache(maxsize=8192)
def _memo(tex: str, display: bool) -> Formula | BadTex:
    found = _stored(tex, display)
    if found is not None:
        return found
    made = _typeset_fresh(tex, display)
    cache_store(tex, display, _record(made))
    return made


def _stored(tex: str, display: bool) -> Formula | BadTex | None:
    record = cache_load(tex, display)
    return None if record is None else _from_record(tex, display, record)


def _record(made: Formula | BadTex) -> dict:
    if isinstance(made, BadTex):
        return {"error": made.reason}
    return {"width": made.width, "ascent": made.ascent, "descent": made.descent,
            "glyphs": [list(g) for g in made.glyphs], "rules": made.rules}


def _from_record(tex: str, display: bool, record: dict) -> Formula | BadTex | None:
    """A cache entry back as a value; None when it is not one this version wrote."""
    if isinstance(record.get("error"), str):
        return BadTex(tex, record["error"])
    try:
        width, ascent, descent = (float(record[k]) for k in ("width", "ascent", "descent"))
        glyphs = tuple((str(s), float(x), float(y)) for s, x, y in record["glyphs"])
        rules = record["rules"]
    except (KeyError, TypeError, ValueError):
        return None
    return Formula(tex, display, width, ascent, descent, glyphs, rules) if isinstance(rules, str) else None


def balanced(tex: str) -> bool:
    """Braces pair up (escaped ones aside): ziamath would print a stray `}` as a glyph."""
    depth = 0
    for m in re.finditer(r"\\.|[{}]", tex):
        if m[0] == "{":
            depth += 1
        elif m[0] == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _typeset_fresh(tex: str, display: bool) -> Formula | BadTex:
    if not tex:
        return BadTex(tex, "the formula is empty")
    if not balanced(tex):
        return BadTex(tex, "unbalanced braces")
    from .typesetter import glyphs_and_rules, layout  # lazy: see the module docstring

    try:
        math, mathml = layout(tex, display, UNITS * MATH_SCALE)
        unknown = _UNKNOWN.search(mathml)
        if unknown:
            return BadTex(tex, f"unknown command {unknown[1]}")
        box = math.node.bbox
        shift = -min(0.0, box.xmin)
        glyphs, rules = glyphs_and_rules(math, shift)
    except Exception as exc:  # noqa: BLE001 (latex2mathml and ziamath raise anything on bad TeX)
        return BadTex(tex, _reason(exc))
    return Formula(tex, display, round((box.xmax + shift) / UNITS, 4), round(box.ymax / UNITS, 4),
                   round(max(0.0, -box.ymin) / UNITS, 4), glyphs, rules)


def _reason(exc: Exception) -> str:
    name = re.sub(r"(?<!^)(?=[A-Z])", " ", type(exc).__name__.removesuffix("Error")).lower()
    detail = str(exc).strip()
    return f"{name}: {detail}" if detail and name != "assertion" else (
        "unbalanced or incomplete formula" if name == "assertion" else name)
