"""Formulas on the canvas: glyph outlines as shared forms, the TeX as invisible text beneath.

A formula's outlines are STIX Two Math glyphs drawn as filled paths (vector, any zoom),
each distinct outline defined once per PDF as a form and placed by reference. Under them the TeX source is set
in the regular text face in render mode 3 (invisible), stretched to the formula's width,
so search, copy and text extraction give the TeX where the formula stands.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfdoc import xObjectName
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from .fonts import FontSet
from .formulas import UNITS, Formula

INVISIBLE, VISIBLE = 3, 0
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@lru_cache(maxsize=4096)
def glyph_form(outline: str) -> tuple[str, tuple[float, float, float, float]]:
    """A glyph outline's form name (from its content) and bounding box."""
    values = [float(v) for v in _NUMBER.findall(outline)]
    xs, ys = values[0::2], values[1::2]
    box = (min(xs) - 1, min(ys) - 1, max(xs) + 1, max(ys) + 1)
    return "mg" + hashlib.sha1(outline.encode()).hexdigest()[:16], box


@lru_cache(maxsize=64)
def _paint(color: Color) -> str:
    r, g, b = color.rgb()
    return f"{r:.4g} {g:.4g} {b:.4g} rg {r:.4g} {g:.4g} {b:.4g} RG"


def draw_formula(canv: Canvas, formula: Formula, x: float, baseline: float, size: float,
                 color: Color) -> None:
    """The formula with its origin on (x, baseline), one em = size; outside any text object.

    Each distinct glyph outline becomes one form per PDF, defined when first drawn; a
    formula is a list of references to them, so a PDF with thousands of formulas stays small.
    """
    names, body = _placed(formula)
    for (outline, _, _), name in zip(formula.glyphs, names, strict=True):
        if not canv.hasForm(name):
            canv.beginForm(name, *glyph_form(outline)[1])
            canv.addLiteral(outline + " f")
            canv.endForm()
    scale = size / UNITS
    canv.addLiteral(f"q {_paint(color)} {scale:.6g} 0 0 {scale:.6g} {x:.3f} {baseline:.3f} cm\n"
                    f"{body}Q")
    # The page's resources must list the forms its content names: what doForm would record,
    # for a whole formula at once (one literal instead of three calls a glyph).
    canv._formsinuse.extend(names)


@lru_cache(maxsize=8192)
def _placed(formula: Formula) -> tuple[tuple[str, ...], str]:
    """The form names of a formula's glyphs and the operators placing them, made once."""
    names = tuple(glyph_form(outline)[0] for outline, _, _ in formula.glyphs)
    body = "".join(f"q 1 0 0 1 {dx:g} {dy:g} cm /{xObjectName(name)} Do Q\n"
                   for (_, dx, dy), name in zip(formula.glyphs, names, strict=True))
    return names, body + (formula.rules + "\n" if formula.rules else "")


@lru_cache(maxsize=8192)
def hidden_tex(formula: Formula, fonts: FontSet) -> str:
    """The TeX as the regular face can set it (characters it lacks are left out)."""
    shown = "".join(ch for ch in " ".join(formula.tex.split()) if fonts.has("regular", ch))
    return shown or "formula"


def write_hidden(text: PDFTextObject, hidden: str, unit_width: float, formula: Formula,
                 size: float) -> None:
    """Invisible TeX at the text cursor, advancing it by exactly the formula's width."""
    text.setTextRenderMode(INVISIBLE)
    text.setHorizScale(100.0 * formula.width / unit_width if unit_width else 100.0)
    text.textOut(hidden)
    text.setHorizScale(100.0)
    text.setTextRenderMode(VISIBLE)
