"""Invalid TeX, found before any PDF is drawn: the warnings validate reports for the PDFs' math."""

from __future__ import annotations

from ...diagnostics import Diagnostic, warning
from ...model import Deck
from .fields import field_trees, written_as_display
from .formulas import BadTex, typeset

MATH_NODES = ("math_inline", "math_inline_double", "math_block")


def check_math(deck: Deck, path: str) -> list[Diagnostic]:
    """A located warning for every formula the PDFs cannot typeset (they print it as written).

    Typesets as the PDFs will (question and answer inline, details' display math as display),
    so the cache validate fills is the one build reads.
    """
    problems: list[Diagnostic] = []
    for q in deck.questions:
        if not any(_may_hold_math(text) for text in (q.question, q.answer, q.details)):
            continue  # no delimiter anywhere: no need to parse (validate of a big deck stays fast)
        trees = field_trees(q)
        for field, tree in (("question", trees.question), ("answer", trees.answer),
                            ("details", trees.details)):
            for node in tree.walk():
                if node.type not in MATH_NODES:
                    continue
                display = node.type == "math_block" or written_as_display(node)
                made = typeset(node.content, display and field == "details")
                if isinstance(made, BadTex):
                    problems.append(warning(path, q.loc, (
                        f"TeX that cannot be typeset in the {field} of question '{q.id}': "
                        f"`{made.tex}` ({made.reason}); the PDFs print it as written")))
    return problems


def _may_hold_math(text: str) -> bool:
    return "$" in text or "\\(" in text or "\\[" in text or "math" in text
