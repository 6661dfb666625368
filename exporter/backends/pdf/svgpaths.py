"""ziamath's plain SVG as PDF operators: the rules, boxes and odd glyphs its layout walk leaves to it."""

from __future__ import annotations

import re

_PATH_TOKEN = re.compile(r"[MLQCZHVmlqczhv]|-?\d*\.?\d+(?:e-?\d+)?")
_ELEMENT = re.compile(r"<(path|rect)\b([^>]*)>")
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')

# A glyph's outline as PDF operators (1/1000 em, starting at 0 0), and where it starts.
Glyph = tuple[str, float, float]


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
            paint = "f" if filled else "S"
            rest.append(f"{coord(x + shift)} {coord(-y - h)} {coord(w)} {coord(h)} re {paint}")
        elif filled:
            points = _path_points(attrs.get("d", ""))
            if points:
                x0, y0 = points[0][1][0], points[0][1][1]
                glyphs.append((_ops(points, -x0, -y0), round(x0 + shift, 1), round(-y0, 1)))
        else:
            width = float(attrs.get("stroke-width", 1))
            rest.append(f"{_ops(_path_points(attrs.get('d', '')), shift, 0.0)} {coord(width)} w S")
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
        " ".join(f"{coord(a[k] + dx)} {coord(-(a[k + 1] + dy))}" for k in range(0, len(a), 2)) + f" {op}"
        if a else op for op, a in points)


def coord(value: float) -> str:
    """A coordinate to 1/10 unit: 1/10000 em, far below what print resolves."""
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text
