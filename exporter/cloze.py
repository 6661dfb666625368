"""Cloze marks `{{c1::answer}}` / `{{c1::answer::hint}}`: found, checked and rewritten, as Anki reads them.

One scanner serves validation, the importers and every backend: the model's question is the
text filled in, the PDFs print it filled in and bracketed, the handbook blanks it, and Anki
gets the marks back around the rendered answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_OPEN = re.compile(r"\{\{c(\d+)(::)?")


@dataclass(frozen=True)
class Mark:
    ordinal: int  # the N of cN: the card the mark is hidden on
    start: int  # offset of "{{" in the text
    end: int  # offset just past "}}"
    answer: str  # the hidden text, inner marks filled in
    hint: str  # "" when there is none


@dataclass(frozen=True)
class ClozeProblem:
    offset: int
    message: str


def scan(text: str) -> tuple[list[Mark], ClozeProblem | None]:
    """Every outermost mark in order, or the first problem. Marks may nest, as in Anki;
    the answer ends at the first `::` of its own level (`{{c1::std::vector}}` hides
    "std" with hint "vector", exactly as Anki renders it)."""
    marks: list[Mark] = []
    position = 0
    while True:
        found = _OPEN.search(text, position)
        if found is None:
            break
        mark = _read_mark(text, found)
        if isinstance(mark, ClozeProblem):
            return marks, mark
        marks.append(mark)
        position = mark.end
    if not marks:
        return marks, ClozeProblem(0, "has no cloze mark; write one like {{c1::hidden text}}")
    return marks, None


# Anki nests marks; a deck never needs more than a few levels, and a bound keeps a hostile
# "{{c1::" run from recursing without end.
MAX_NESTING = 16


def _read_mark(text: str, opening: re.Match, depth: int = 0) -> Mark | ClozeProblem:
    if depth >= MAX_NESTING:
        return ClozeProblem(opening.start(), f"cloze marks nest more than {MAX_NESTING} deep")
    ordinal = int(opening.group(1))
    if opening.group(2) is None:
        return ClozeProblem(opening.start(), f"'{opening.group()}' must be followed by '::' "
                                             "(write {{c1::hidden text}})")
    if ordinal < 1:
        return ClozeProblem(opening.start(), f"cloze numbers start at 1, not c{ordinal}")
    position = opening.end()
    answer: list[str] = []
    hint: list[str] | None = None  # becomes a list at the first "::" of this level
    while True:
        close, inner = text.find("}}", position), _OPEN.search(text, position)
        if close < 0:
            return ClozeProblem(opening.start(), f"'{opening.group()}' is never closed with '}}}}'")
        end = inner.start() if inner is not None and inner.start() < close else close
        own = text[position:end]
        if hint is None and "::" in own:
            own, _, rest = own.partition("::")
            hint = [rest]
        elif hint is not None:
            hint.append(own)
            own = ""
        answer.append(own)
        if end == close:
            return Mark(ordinal, opening.start(), close + 2, "".join(answer), "".join(hint or ()))
        nested = _read_mark(text, inner, depth + 1)
        if isinstance(nested, ClozeProblem):
            return nested
        (answer if hint is None else hint).append(nested.answer)
        position = nested.end


def rewrite(text: str, replace: Callable[[int, Mark], str]) -> str:
    """The text with every outermost mark replaced by replace(its index, it)."""
    marks, _ = scan(text)
    out, position = [], 0
    for index, mark in enumerate(marks):
        out += [text[position:mark.start], replace(index, mark)]
        position = mark.end
    out.append(text[position:])
    return "".join(out)


def filled(text: str) -> str:
    """The text with every mark replaced by its answer: what the reader sees once revealed."""
    return rewrite(text, lambda _, m: m.answer)


def filled_marked(text: str) -> str:
    """Markdown with each answer in place between white square brackets, for print.

    Brackets rather than emphasis: a mark inside bold text would otherwise nest bold in bold.
    """
    return rewrite(text, lambda _, m: f"⟦{m.answer}⟧")


def blanked(text: str) -> str:
    """Markdown with each answer hidden behind a blank (its hint, when it has one), as Anki
    shows it: [...] or [hint]. The brackets are entities, not backslash escapes: `\\[` opens
    display math for the math rule, which runs before escapes."""
    return rewrite(text, lambda _, m: f"&#91;{m.hint or '...'}&#93;")


# Private-use characters: Markdown treats them as plain text and no font draws them.
PLACEHOLDER_OPEN, PLACEHOLDER_CLOSE = "\ue000", "\ue001"


def anki_field(text: str, render_inline: Callable[[str], str]) -> str:
    """The Text field for Anki: the text rendered once as inline HTML, the marks put back.

    Each mark stands in as a private-use placeholder while the whole text renders, so
    emphasis or a link around a mark stays whole; then the placeholder becomes the mark with
    its answer rendered (a nested mark arrives filled in). "::" or "}}" in a rendered answer
    would end the mark early in Anki's parser, so one character of each becomes an entity.
    """
    text = text.replace(PLACEHOLDER_OPEN, "\ufffd")  # never in real text: not to be taken for ours
    marks, _ = scan(text)
    html = render_inline(rewrite(text, lambda i, _: f"{PLACEHOLDER_OPEN}{i}{PLACEHOLDER_CLOSE}"))
    for i, m in enumerate(marks):
        hint = f"::{_protect(render_inline(m.hint))}" if m.hint else ""
        html = html.replace(f"{PLACEHOLDER_OPEN}{i}{PLACEHOLDER_CLOSE}",
                            f"{{{{c{m.ordinal}::{_protect(render_inline(m.answer))}{hint}}}}}", 1)
    return html


def _protect(html: str) -> str:
    return html.replace("::", ":&#58;").replace("}}", "}&#125;")
