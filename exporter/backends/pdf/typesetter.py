"""TeX -> Formula with ziamath: its layout tree walked for each glyph and where it stands.

ziamath draws a formula by writing an SVG path per glyph, which would then be parsed back; the
walk reads the same positions from the laid-out nodes instead (Mnode.draw adds each child's
offset, nothing more) and makes each glyph's outline once per size. Whatever the walk does not
know (rules, boxes, assembled delimiters, a drawing override) is drawn by ziamath itself and
read back from its SVG (svgpaths.py). Imported only when a formula must be typeset.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache

import ziamath
from ziafont.glyph import SimpleGlyph
from ziafont.svgpath import Cubic, Lineto, Moveto, Quad
from ziamath.drawable import Glyph as PlacedGlyph
from ziamath.nodes.mnode import Mnode
from ziamath.tex import tex2mml

from .svgpaths import Glyph, coord, svg_parts
from .ziamath_speedups import apply as speed_up_ziamath

ziamath.config.svg2 = False  # the fallback's SVG: plain paths, no <use> references to resolve
speed_up_ziamath()


def layout(tex: str, display: bool, size: float):
    """ziamath's laid-out formula (a ziamath.Math), and its MathML for the unknown-command check."""
    mathml = tex2mml(tex, inline=not display)
    return ziamath.Math(mathml, size=size), mathml


def glyphs_and_rules(math, shift: float) -> tuple[tuple[Glyph, ...], str]:
    """Each glyph's outline (from its first point) and that point, y up, moved right by shift;
    and the rest as PDF operators."""
    placed: list[tuple[SimpleGlyph, float, float, float]] = []
    rest = ET.Element("svg")
    _walk(math.node, 0.0, 0.0, placed, rest)
    glyphs = []
    for glyph, size, x, y in placed:
        outline = _outline(glyph, size)
        if outline is not None:
            ops, fx, fy = outline
            glyphs.append((ops, round(x + fx + shift, 1), round(fy - y, 1)))
    drawn, rules = svg_parts(ET.tostring(rest, encoding="unicode"), shift) if len(rest) else ((), "")
    return (*glyphs, *drawn), rules


def _walk(node, x: float, y: float, placed: list, rest: ET.Element) -> None:
    if type(node) is PlacedGlyph and type(node.glyph).svgpath is SimpleGlyph.svgpath:
        if not node.phantom:
            placed.append((node.glyph, node.size, x, y))
    elif (isinstance(node, Mnode) and type(node).draw is Mnode.draw
          and node.style.mathbackground in ("none", None)):
        for (dx, dy), child in zip(node.nodexy, node.nodes, strict=False):  # as Mnode.draw pairs them
            _walk(child, x + dx, y + dy, placed, rest)
    else:
        node.draw(x, y, rest)


@lru_cache(maxsize=4096)
def _outline(glyph: SimpleGlyph, size: float) -> tuple[str, float, float] | None:
    """The glyph's contours as PDF operators from its first point, and that point (x right,
    y up from the glyph's origin); None for a glyph without contours (a space).

    As ziafont's svgpath draws them: each contour closed, quadratics as cubics, the line a
    contour opens with to its own start left out. The key holds the glyph, so its id is
    never reused while cached.
    """
    scale = glyph.funits_to_points(1, size / glyph.DFLT_SIZE_PT)
    ops: list[str] = []
    start = current = first = None
    for op in glyph.operators:
        if isinstance(op, Moveto):
            if ops:
                ops.append("h")
            start = current = (op.p.x * scale, op.p.y * scale)
            first = first or start
            ops.append(_points(first, start) + " m")
        elif isinstance(op, Lineto):
            point = (op.p.x * scale, op.p.y * scale)
            if not (ops[-1].endswith(" m") and point == current):
                ops.append(_points(first, point) + " l")
            current = point
        elif isinstance(op, Quad):  # the cubic with controls 2/3 of the way to the quadratic's
            q = (op.p1.x * scale, op.p1.y * scale)
            end = (op.p2.x * scale, op.p2.y * scale)
            c1 = (current[0] + 2 / 3 * (q[0] - current[0]), current[1] + 2 / 3 * (q[1] - current[1]))
            c2 = (end[0] + 2 / 3 * (q[0] - end[0]), end[1] + 2 / 3 * (q[1] - end[1]))
            ops.append(f"{_points(first, c1, c2, end)} c")
            current = end
        elif isinstance(op, Cubic):
            points = [(p.x * scale, p.y * scale) for p in (op.p1, op.p2, op.p3)]
            ops.append(f"{_points(first, *points)} c")
            current = points[-1]
        else:
            raise TypeError(f"unknown outline operator {type(op).__name__}")
    if not ops:
        return None
    ops.append("h")
    return " ".join(ops), first[0], first[1]


def _points(origin: tuple[float, float], *points: tuple[float, float]) -> str:
    return " ".join(f"{coord(x - origin[0])} {coord(y - origin[1])}" for x, y in points)
