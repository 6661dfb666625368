"""Printable PDFs: a two-column cheat sheet with outline and a duplex flashcard sheet (reportlab).

Fonts: DejaVu with fallbacks (fonts.py, fallback.py); BuildOptions.font_dir swaps in another
family. Every character is checked against the fonts while the question is laid out, and any
problem is raised before a PDF is returned: a character nothing can draw is a ContentError
naming the question and the character. Math is typeset by formulas.py.

This file imports nothing heavy: the backend registry and validate reach it without reportlab.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...diagnostics import Diagnostic
    from ...model import Deck
    from .. import BuildContext


def render_cheatsheet(deck: Deck, context: BuildContext) -> bytes:
    from .cheatsheet import render

    return render(deck, context)


def render_flashcards(deck: Deck, context: BuildContext) -> bytes:
    from .cheatsheet import cheatsheet_pages
    from .flashcards import render

    return render(deck, context, pages=lambda: cheatsheet_pages(deck, context))


def prepare(deck: Deck, context: BuildContext) -> None:
    """What both PDFs start with, done before a parallel build splits (Backend.prepare): the
    modules imported and the deck's fonts registered, inherited by the worker process."""
    from . import cheatsheet, flashcards  # noqa: F401 (imported for the worker to inherit)
    from .fallback import fonts_for

    fonts_for(deck, context)


def check(deck: Deck, context: BuildContext) -> list[Diagnostic]:
    """What either PDF would refuse or print as written, found without drawing: characters no
    font can draw (errors) and TeX that cannot be typeset (warnings). Backend.check of both."""
    from .fallback import check as font_problems
    from .mathcheck import check_math

    return [*font_problems(deck, context), *check_math(deck, context)]


def shortened_backs(deck: Deck, context: BuildContext) -> list[str]:
    """For `validate --verbose`: one line per flashcard back too long for its card."""
    from .cheatsheet import cheatsheet_pages
    from .common import source_path
    from .flashcards import too_long

    long = too_long(deck, context)
    pages = cheatsheet_pages(deck, context) if long else {}
    path = source_path(context)
    if context.options.flashcards_overflow == "continue":
        return [f"{path}:{q.loc.line}:{q.loc.col}: note: the back of question '{q.id}' "
                "continues on the next card" for q in long]
    return [f"{path}:{q.loc.line}:{q.loc.col}: note: the back of question '{q.id}' is shortened; "
            f"the rest is on cheat-sheet page {pages.get(q.id, '?')}" for q in long]
