"""Colours and text kinds of the PDFs: every size is relative to the body size it is laid out at."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor

INK = HexColor("#1a1a1a")
MUTED = HexColor("#666666")
ACCENT = HexColor("#1f4e79")  # headings and answers: dark blue prints well in greyscale too
RULE = HexColor("#b8b8b8")
CODE_BACK = HexColor("#f3f3f3")
TABLE_HEAD_BACK = HexColor("#e8edf3")
LINK = HexColor("#1f4e79")

LEADING = 1.22  # line height / font size


@dataclass(frozen=True)
class Kind:
    """How a kind of paragraph is set, in multiples of the body size."""

    scale: float
    bold: bool = False
    color: Color = INK
    space: float = 0.0  # space before, in body sizes
    keep: bool = False  # never the last thing in a column or card
    leading: float = LEADING
    align: str = "left"


KINDS = {
    "body": Kind(1.0, space=0.25),
    "heading": Kind(1.05, bold=True, color=ACCENT, space=0.5, keep=True),
    "question": Kind(1.06, bold=True, space=0.9, keep=True),
    "answer": Kind(1.06, color=ACCENT, space=0.1),
    "cell": Kind(0.95),
    "headcell": Kind(0.95, bold=True),
    # Set at their own size (scale 1): titles, topic headings, flashcard fronts.
    "title": Kind(1.0, bold=True, color=ACCENT, keep=True),
    "meta": Kind(1.0, color=MUTED),
    "topic": Kind(1.0, bold=True, color=ACCENT, keep=True),
    "front": Kind(1.0, bold=True, leading=1.25, align="center"),
}
CODE_SCALE, CODE_LEADING = 0.9, 1.18


def leading_of(kind: Kind, size: float) -> float:
    return round(size * kind.scale * kind.leading, 2)
