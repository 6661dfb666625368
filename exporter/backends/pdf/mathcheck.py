"""TeX the PDFs cannot typeset, found before any PDF is drawn: part of the PDF backends' check."""

from __future__ import annotations

import gc

from ...diagnostics import Diagnostic, warning
from ...markup.tex import disallowed
from ...markup.tree import MarkupError
from ...model import Deck, Question
from .. import BuildContext
from .fields import MATH_TYPES, written_as_display
from .formulas import BadTex, prepare, typeset
from .mathcache import field_formulas, field_key, store_field


def check_math(deck: Deck, context: BuildContext) -> list[Diagnostic]:
    """A warning for every formula the PDFs cannot typeset (they print it as written), at its
    question.

    Typesets as the PDFs will (question and answer inline, details' display math as display),
    so the cache validate fills is the one build reads, and a build's PDFs inherit every
    formula. TeX outside the allow-list is left to the markup layer's disallowed-tex warning
    (one warning per formula).
    """
    with_math = [q for q in deck.questions
                 if any(_may_hold_math(text) for text in (q.question, q.answer, q.details))]
    if not with_math:
        return []  # no delimiter anywhere: no tree walked (validate of a big deck stays fast)
    found = _formulas(with_math, context)
    # validate runs with the cyclic collector paused and then freezes what is alive; the
    # typesetter's node trees are cycles, so collect them here instead (a cold check of
    # 2 600 formulas otherwise kept 400 MB).
    enabled = gc.isenabled()
    gc.enable()
    try:
        prepare((tex, display) for _, _, tex, display in found)
        return _problems(found, context)
    finally:
        gc.collect()
        if not enabled:
            gc.disable()


def _formulas(questions: list[Question], context: BuildContext) -> list[tuple[Question, str, str, bool]]:
    """(question, field, TeX, display) of every formula the PDFs would typeset.

    A field read before is not parsed again: the math cache keeps each field's formula list
    by its text, so a warm check parses nothing (validate of a 1 000-question math bank:
    1.2 -> 0.6 s; a build parses every field before its PDFs fork either way). A field
    parsed here is parsed with the collector paused and then frozen, as the build's shared
    parse does (build hands these very trees to the backends)."""
    enabled = gc.isenabled()
    gc.disable()
    found = []
    try:
        for q in questions:
            for field in ("question", "answer", "details"):
                if _may_hold_math(getattr(q, field)):
                    found += [(q, field, tex, display) for tex, display in _field_formulas(q, field, context)]
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    return found


def _field_formulas(q: Question, field: str, context: BuildContext) -> list[tuple[str, bool]]:
    key = field_key(f"{field}\0{q.cloze if field == 'question' else ''}\0{getattr(q, field)}")
    known = field_formulas(key)
    if known is not None:
        return known
    try:
        tree = getattr(context.markup[q.id], field)
    except MarkupError:
        return []  # validate reports the field (markdown-limit); build refuses the deck for it
    formulas = []
    for node in tree.walk():
        if node.type in MATH_TYPES and not disallowed(node.content):
            display = node.type == "math_block" or written_as_display(node)
            formulas.append((node.content, display and field == "details"))
    store_field(key, formulas)
    return formulas


def _problems(found: list[tuple[Question, str, str, bool]], context: BuildContext) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    path = str(context.source_path)
    for q, field, tex, display in found:
        made = typeset(tex, display)
        if isinstance(made, BadTex):
            problems.append(warning(
                path, q.loc,
                f"TeX that cannot be typeset in the {field} of question '{q.id}': "
                f"`{made.tex}` ({made.reason}); the PDFs print it as written",
                "untypesettable-tex",
                "fix the TeX (ziamath typesets LaTeX math, not text-mode commands or packages)"))
    return problems


def _may_hold_math(text: str) -> bool:
    return "$" in text or "\\(" in text or "\\[" in text or "math" in text
