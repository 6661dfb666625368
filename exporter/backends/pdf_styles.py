"""Paragraph styles of the PDFs, built once per (font family, size): every one names an embedded font."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from .pdf_fonts import FontSet

INK = HexColor("#1a1a1a")
MUTED = HexColor("#666666")
ACCENT = HexColor("#1f4e79")  # headings and answers: dark blue prints well in greyscale too
RULE = HexColor("#b8b8b8")
CODE_BACK = HexColor("#f3f3f3")
TABLE_HEAD_BACK = HexColor("#e8edf3")
LINK = HexColor("#1f4e79")

ALIGNMENTS = {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER}


@dataclass(frozen=True)
class Styles:
    size: float  # body size of the details; everything else is relative to it
    body: ParagraphStyle
    heading: ParagraphStyle  # h1-h6 inside details
    question: ParagraphStyle
    answer: ParagraphStyle
    cell: ParagraphStyle
    head_cell: ParagraphStyle
    code_size: float
    code_leading: float


def style(name: str, fonts: FontSet, size: float, *, bold: bool = False,
          color: Color = INK, leading: float | None = None, **extra) -> ParagraphStyle:
    """A style whose text and bullet fonts are both the embedded family (never Helvetica)."""
    font = fonts["bold"] if bold else fonts["regular"]
    return ParagraphStyle(
        name, fontName=font, fontSize=size, leading=leading or round(size * 1.22, 2),
        bulletFontName=fonts["regular"], bulletFontSize=size, textColor=color,
        bulletAnchor="start", **extra)


@lru_cache(maxsize=64)
def make_styles(fonts: FontSet, size: float) -> Styles:
    return Styles(
        size=size,
        body=style(f"body{size}", fonts, size, spaceBefore=size * 0.25),
        heading=style(f"heading{size}", fonts, size * 1.05, bold=True, color=ACCENT,
                      spaceBefore=size * 0.5, keepWithNext=1),
        question=style(f"question{size}", fonts, size * 1.06, bold=True, keepWithNext=1,
                       spaceBefore=size * 0.9),
        answer=style(f"answer{size}", fonts, size * 1.06, color=ACCENT, spaceBefore=size * 0.1),
        cell=style(f"cell{size}", fonts, size * 0.95),
        head_cell=style(f"headcell{size}", fonts, size * 0.95, bold=True),
        code_size=size * 0.9,
        code_leading=round(size * 0.9 * 1.18, 2),
    )
