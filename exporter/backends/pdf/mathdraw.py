"""Formulas on the canvas: outlines as one form per formula, the TeX as invisible text beneath.

A formula's outlines are STIX Two Math glyphs drawn as filled paths (vector, any zoom),
defined once per PDF as a form and placed by scaling. Under them the TeX source is set
in the regular text face in render mode 3 (invisible), stretched to the formula's width,
so search, copy and text extraction give the TeX where the formula stands.
"""

from __future__ import annotations

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from .fonts import FontSet
from .formulas import UNITS, Formula

INVISIBLE, VISIBLE = 3, 0
_MARGIN = 50.0  # form bounding boxes get this many units (1/20 em) of room for overhangs


def form_name(formula: Formula) -> str:
    return "math" + formula.key[:24]


def draw_formula(canv: Canvas, formula: Formula, x: float, baseline: float, size: float,
                 color: Color) -> None:
    """The formula with its origin on (x, baseline), one em = size; outside any text object."""
    name = form_name(formula)
    if not canv.hasForm(name):
        canv.beginForm(name, -_MARGIN, -formula.descent * UNITS - _MARGIN,
                       formula.width * UNITS + _MARGIN, formula.ascent * UNITS + _MARGIN)
        canv.addLiteral(formula.ops)
        canv.endForm()
    canv.saveState()
    canv.setFillColor(color)
    canv.setStrokeColor(color)
    scale = size / UNITS
    canv.transform(scale, 0, 0, scale, x, baseline)
    canv.doForm(name)
    canv.restoreState()


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
