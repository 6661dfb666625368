"""TeX -> a typeset formula: STIX Two Math outlines placed by ziamath, kept as PDF path operators.

ziamath (pure Python, its own STIX Two Math with the OpenType MATH table) lays the
formula out; its plain-SVG paths are turned once into PDF operators in units of 1/1000 em,
y up, baseline at 0, so a formula is drawn at any size by scaling. ziamath is imported only
when a formula is in neither the in-process memo nor the disk cache (mathcache.py): a deck
without math, or with a warm cache, never pays its ~0.3 s import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import mathcache

UNITS = 1000.0  # one em of the text is this many units
# STIX Two Math's x-height is 0.48 em, DejaVu Sans's 0.55: math set this much larger than the
# text around it looks the same size, as it does in TeX documents set in a sans text face.
MATH_SCALE = 1.12
_UNKNOWN = re.compile(r"<m(?:i|o|n|text)\b[^>]*>\s*(\\[A-Za-z]+)")
_NUMBER = re.compile(r"-?\d*\.?\d+(?:e-?\d+)?")
_PATH_TOKEN = re.compile(r"[MLQCZHVmlqczhv]|-?\d*\.?\d+(?:e-?\d+)?")
_ELEMENT = re.compile(r"<(path|rect)\b([^>]*)>")
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')


@dataclass(frozen=True)
class Formula:
    """A typeset formula; lengths in em (multiply by the font size), ops in 1/1000 em."""

    tex: str
    display: bool
    width: float
    ascent: float  # above the baseline
    descent: float  # below the baseline, positive
    ops: str  # PDF path operators, filled with the current colour

    @property
    def key(self) -> str:
        return mathcache.key(self.tex, self.display)


@dataclass(frozen=True)
class BadTex:
    """TeX that cannot be typeset: printed as written, and reported."""

    tex: str
    reason: str


def typeset(tex: str, display: bool) -> Formula | BadTex:
    """The formula of tex, from the memo, the disk cache or ziamath, in that order."""
    return _memo(tex.strip(), display)


def forget() -> None:
    """Drop the in-process memo, as a new process starts: the disk cache is read again."""
    _memo.cache_clear()


@lru_cache(maxsize=8192)
def _memo(tex: str, display: bool) -> Formula | BadTex:
    stored = mathcache.load(tex, display)
    if stored is not None:
        found = _from_record(tex, display, stored)
        if found is not None:
            return found
    made = _typeset_fresh(tex, display)
    mathcache.store(tex, display, _record(made))
    return made


def _record(made: Formula | BadTex) -> dict:
    if isinstance(made, BadTex):
        return {"error": made.reason}
    return {"width": made.width, "ascent": made.ascent, "descent": made.descent, "ops": made.ops}


def _from_record(tex: str, display: bool, record: dict) -> Formula | BadTex | None:
    """A cache entry back as a value; None when it is not one this version wrote."""
    if isinstance(record.get("error"), str):
        return BadTex(tex, record["error"])
    try:
        width, ascent, descent = (float(record[k]) for k in ("width", "ascent", "descent"))
        ops = record["ops"]
    except (KeyError, TypeError, ValueError):
        return None
    return Formula(tex, display, width, ascent, descent, ops) if isinstance(ops, str) else None


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
        ops = svg_ops(math.svg(), shift)
    except Exception as exc:  # noqa: BLE001 (latex2mathml and ziamath raise anything on bad TeX)
        return BadTex(tex, _reason(exc))
    return Formula(tex, display, round((box.xmax + shift) / UNITS, 4), round(box.ymax / UNITS, 4),
                   round(max(0.0, -box.ymin) / UNITS, 4), ops)


def _reason(exc: Exception) -> str:
    name = re.sub(r"(?<!^)(?=[A-Z])", " ", type(exc).__name__.removesuffix("Error")).lower()
    detail = str(exc).strip()
    return f"{name}: {detail}" if detail and name != "assertion" else (
        "unbalanced or incomplete formula" if name == "assertion" else name)


def svg_ops(svg: str, shift: float = 0.0) -> str:
    """ziamath's plain SVG (path and rect elements, y down) as PDF operators, y up."""
    out: list[str] = []
    for m in _ELEMENT.finditer(svg):
        attrs = dict(_ATTR.findall(m[2]))
        paint = "f" if attrs.get("fill", "black") != "none" else None
        if m[1] == "rect":
            x, y, w, h = (float(attrs.get(k, 0)) for k in ("x", "y", "width", "height"))
            out.append(f"{_n(x + shift)} {_n(-y - h)} {_n(w)} {_n(h)} re")
        else:
            out.append(_path_ops(attrs.get("d", ""), shift))
        if paint is None:
            width = float(attrs.get("stroke-width", 1))
            out.append(f"{_n(width)} w S")
        else:
            out.append(paint)
    return "\n".join(out)


def _path_ops(d: str, shift: float) -> str:
    ops: list[str] = []
    tokens = _PATH_TOKEN.findall(d)
    i, cx, cy = 0, 0.0, 0.0
    while i < len(tokens):
        cmd = tokens[i]
        i += 1
        if cmd == "Z":
            ops.append("h")
            continue
        count = {"M": 2, "L": 2, "Q": 4, "C": 6}[cmd]
        args = [float(t) for t in tokens[i:i + count]]
        i += count
        if cmd == "Q":  # a quadratic is the cubic with controls 2/3 of the way to its control
            qx, qy, x, y = args
            args = [cx + 2 / 3 * (qx - cx), cy + 2 / 3 * (qy - cy),
                    x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y), x, y]
        pts = " ".join(f"{_n(args[k] + shift)} {_n(-args[k + 1])}" for k in range(0, len(args), 2))
        ops.append(f"{pts} {'m' if cmd == 'M' else 'c' if cmd in 'QC' else 'l'}")
        cx, cy = args[-2], args[-1]
    return " ".join(ops)


def _n(value: float) -> str:
    """A coordinate to 1/10 unit: 1/10000 em, far below what print resolves."""
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text
