"""Invalid TeX, found before any PDF is drawn: the warnings validate reports for the PDFs' math."""

from __future__ import annotations

import gc

from ...diagnostics import Diagnostic, warning
from ...model import Deck
from .fields import math_tokens, written_as_display
from .formulas import BadTex, typeset


def check_math(deck: Deck, path: str) -> list[Diagnostic]:
    """A located warning for every formula the PDFs cannot typeset (they print it as written).

    Typesets as the PDFs will (question and answer inline, details' display math as display),
    so the cache validate fills is the one build reads.
    """
    with_math = [q for q in deck.questions
                 if any(_may_hold_math(text) for text in (q.question, q.answer, q.details))]
    if not with_math:
        return []  # no delimiter anywhere: nothing parsed (validate of a big deck stays fast)
    # validate runs with the cyclic collector paused and then freezes what is alive; parse
    # trees and the typesetter's node trees are cycles, so collect them here instead
    # (a cold check of 2 600 formulas otherwise kept 400 MB).
    enabled = gc.isenabled()
    gc.enable()
    try:
        return _problems(with_math, path)
    finally:
        gc.collect()
        if not enabled:
            gc.disable()


def _problems(questions: list, path: str) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for q in questions:
        for field in ("question", "answer", "details"):
            text = getattr(q, field)
            if not _may_hold_math(text):
                continue
            for node in math_tokens(text):
                display = node.type == "math_block" or written_as_display(node)
                made = typeset(node.content, display and field == "details")
                if isinstance(made, BadTex):
                    problems.append(warning(path, q.loc, (
                        f"TeX that cannot be typeset in the {field} of question '{q.id}': "
                        f"`{made.tex}` ({made.reason}); the PDFs print it as written")))
    return problems


def _may_hold_math(text: str) -> bool:
    return "$" in text or "\\(" in text or "\\[" in text or "math" in text
