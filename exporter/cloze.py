"""Cloze marks `{{c1::answer}}` / `{{c1::answer::hint}}`: found, checked and filled in, as Anki reads them."""

from __future__ import annotations

import re
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


def _read_mark(text: str, opening: re.Match) -> Mark | ClozeProblem:
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
        nested = _read_mark(text, inner)
        if isinstance(nested, ClozeProblem):
            return nested
        (answer if hint is None else hint).append(nested.answer)
        position = nested.end


def filled(text: str) -> str:
    """The text with every mark replaced by its answer: what the reader sees once revealed."""
    marks, _ = scan(text)
    out, position = [], 0
    for mark in marks:
        out.append(text[position:mark.start])
        out.append(mark.answer)
        position = mark.end
    out.append(text[position:])
    return "".join(out)
