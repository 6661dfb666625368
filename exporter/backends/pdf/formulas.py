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
from dataclasses import dataclass
from functools import lru_cache

from ...markup.tex import disallowed
from .mathcache import key as cache_key
from .mathcache import load as cache_load
from .mathcache import store as cache_store

UNITS = 1000.0  # one em of the text is this many units
# STIX Two Math's x-height is 0.48 em, DejaVu Sans's 0.55: math set this much larger than the
# text around it looks the same size, as it does in TeX documents set in a sans text face.
MATH_SCALE = 1.12
_UNKNOWN = re.compile(r"<m(?:i|o|n|text)\b[^>]*>\s*(\\[A-Za-z]+)")
_NUMBER = re.compile(r"-?\d*\.?\d+(?:e-?\d+)?")
_PATH_TOKEN = re.compile(r"[MLQCZHVmlqczhv]|-?\d*\.?\d+(?:e-?\d+)?")
_ELEMENT = re.compile(r"<(path|rect)\b([^>]*)>")
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')


# A glyph's outline as PDF operators (1/1000 em, starting at 0 0), and where it starts.
Glyph = tuple[str, float, float]


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


def forget() -> None:
    """Drop the in-process memo, as a new process starts: the disk cache is read again."""
    _memo.cache_clear()


@lru_cache(maxsize=8192)
def _memo(tex: str, display: bool) -> Formula | BadTex:
    stored = cache_load(tex, display)
    if stored is not None:
        found = _from_record(tex, display, stored)
        if found is not None:
            return found
    made = _typeset_fresh(tex, display)
    cache_store(tex, display, _record(made))
    return made


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
    import ziamath  # lazy: see the module docstring
    from ziamath.tex import tex2mml

    ziamath.config.svg2 = False  # plain paths, no <use> references to resolve
    try:
        mathml = tex2mml(tex, inline=not display)
        unknown = _UNKNOWN.search(mathml)
        if unknown:
            return BadTex(tex, f"unknown command {unknown[1]}")
        math = ziamath.Math(mathml, size=UNITS * MATH_SCALE)
        box = math.node.bbox
        shift = -min(0.0, box.xmin)
        glyphs, rules = svg_parts(math.svg(), shift)
    except Exception as exc:  # noqa: BLE001 (latex2mathml and ziamath raise anything on bad TeX)
        return BadTex(tex, _reason(exc))
    return Formula(tex, display, round((box.xmax + shift) / UNITS, 4), round(box.ymax / UNITS, 4),
                   round(max(0.0, -box.ymin) / UNITS, 4), glyphs, rules)


def _reason(exc: Exception) -> str:
    name = re.sub(r"(?<!^)(?=[A-Z])", " ", type(exc).__name__.removesuffix("Error")).lower()
    detail = str(exc).strip()
    return f"{name}: {detail}" if detail and name != "assertion" else (
        "unbalanced or incomplete formula" if name == "assertion" else name)


def svg_parts(svg: str, shift: float = 0.0) -> tuple[tuple[Glyph, ...], str]:
    """ziamath's plain SVG (y down) as glyphs, each placed where its outline starts, and the
    rest (rules, strokes) as PDF operators, y up."""
    glyphs: list[Glyph] = []
    rest: list[str] = []
    for m in _ELEMENT.finditer(svg):
        attrs = dict(_ATTR.findall(m[2]))
        filled = attrs.get("fill", "black") != "none"
        if m[1] == "rect":
            x, y, w, h = (float(attrs.get(k, 0)) for k in ("x", "y", "width", "height"))
            rest.append(f"{_n(x + shift)} {_n(-y - h)} {_n(w)} {_n(h)} re {'f' if filled else 'S'}")
        elif filled:
            points = _path_points(attrs.get("d", ""))
            if points:
                x0, y0 = points[0][1][0], points[0][1][1]
                glyphs.append((_ops(points, -x0, -y0), round(x0 + shift, 1), round(-y0, 1)))
        else:
            width = float(attrs.get("stroke-width", 1))
            rest.append(f"{_ops(_path_points(attrs.get('d', '')), shift, 0.0)} {_n(width)} w S")
    return tuple(glyphs), "\n".join(rest)


def _path_points(d: str) -> list[tuple[str, list[float]]]:
    """(operator, points) of an SVG path with M, L, Q, C and Z; quadratics become cubics."""
    out: list[tuple[str, list[float]]] = []
    tokens = _PATH_TOKEN.findall(d)
    i, cx, cy = 0, 0.0, 0.0
    while i < len(tokens):
        cmd = tokens[i]
        i += 1
        if cmd in "Zz":
            out.append(("h", []))
            continue
        count = {"M": 2, "L": 2, "Q": 4, "C": 6}[cmd]
        args = [float(v) for v in tokens[i:i + count]]
        i += count
        if cmd == "Q":  # a quadratic is the cubic with controls 2/3 of the way to its control
            qx, qy, x, y = args
            args = [cx + 2 / 3 * (qx - cx), cy + 2 / 3 * (qy - cy),
                    x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y), x, y]
        if cmd == "L" and out and out[-1][0] == "m" and args == out[-1][1]:
            continue  # ziafont opens every contour with a line to where it stands
        out.append(({"M": "m", "L": "l"}.get(cmd, "c"), args))
        cx, cy = args[-2], args[-1]
    return out


def _ops(points: list[tuple[str, list[float]]], dx: float, dy: float) -> str:
    """PDF path operators of the points moved by (dx, dy), y flipped (SVG's y runs down)."""
    return " ".join(
        " ".join(f"{_n(a[k] + dx)} {_n(-(a[k + 1] + dy))}" for k in range(0, len(a), 2)) + f" {op}"
        if a else op for op, a in points)


def _n(value: float) -> str:
    """A coordinate to 1/10 unit: 1/10000 em, far below what print resolves."""
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text
