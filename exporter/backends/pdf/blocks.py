"""Laid-out blocks of a field: compact, size-independent values built once from its tree (builder.py)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from reportlab.lib.colors import Color

from .formulas import Formula

BREAK = "\n"  # a run of exactly this text is a hard break


class Face(NamedTuple):
    role: str  # FontSet role: what glyph coverage is checked against
    color: Color | None  # None: the paragraph's colour
    href: str = ""
    strike: bool = False
    script: int = 0  # 1 superscript, -1 subscript
    formula: Formula | None = None  # inline math: the run's text is its TeX


@lru_cache(maxsize=256)
def face(bold: bool, italic: bool, mono: bool, color: Color | None = None, href: str = "",
         strike: bool = False, script: int = 0) -> Face:
    return Face(text_role(bold, italic, mono), color, href, strike, script)


def text_role(bold: bool, italic: bool, mono: bool) -> str:
    if mono:
        return "monobold" if bold else "mono"
    return {(False, False): "regular", (True, False): "bold",
            (False, True): "italic", (True, True): "bolditalic"}[(bold, italic)]


Run = tuple[str, Face]


@dataclass(frozen=True)
class Text:
    runs: tuple[Run, ...]
    kind: str = "body"
    indent: float = 0.0  # in body sizes, like every length here
    bullet: str | None = None
    bullet_at: float = 0.0
    align: str = "left"


@dataclass(frozen=True)
class Code:
    lines: tuple[tuple[tuple[str, str], ...], ...]  # per source line: (text, pygments class)
    indent: float = 0.0


@dataclass(frozen=True)
class Image:
    src: str
    indent: float = 0.0


@dataclass(frozen=True)
class Rule:
    pass


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Text, ...], ...]  # every row padded to the same number of cells
    header: bool
    indent: float = 0.0


@dataclass(frozen=True)
class Math:
    """Display math, centred; invalid TeX never gets here (it is printed as code)."""

    formula: Formula
    indent: float = 0.0


Block = Text | Code | Image | Rule | Table | Math
