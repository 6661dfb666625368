"""Printable PDFs: a two-column cheat sheet with outline and a duplex flashcard sheet (reportlab).

Fonts are DejaVu, shipped in fonts/; BuildOptions.font_dir swaps in another family (file
names in fonts.py). Every character is checked against the font that sets it while the
question is laid out, and any problem is raised before a PDF is returned: a missing glyph is a
ContentError naming the question and the character. Math is typeset by formulas.py.

This file imports nothing heavy, so that validate can use mathcheck.py without reportlab.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...model import Deck
    from .. import BuildContext


def render_cheatsheet(deck: Deck, context: BuildContext) -> bytes:
    from .cheatsheet import render

    return render(deck, context)


def render_flashcards(deck: Deck, context: BuildContext) -> bytes:
    from .flashcards import render

    return render(deck, context)
