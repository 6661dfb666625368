"""Cloze text: `{{c1::answer}}` and `{{c2::answer::hint}}` marks found, checked and rewritten.

One linear scanner (str.find, no regex) serves validation and every backend: Anki gets the
marks back around the rendered answer, the PDFs print the answers filled in and marked,
the handbook hides them behind a blank.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

OPEN, SEP, CLOSE = "{{c", "::", "}}"


@dataclass(frozen=True)
class Mark:
    number: int  # the card it hides on: c1 -> card 1
    answer: str  # Markdown, as written
    hint: str  # "" when absent
    start: int  # offsets of the whole mark in the text
    end: int


@dataclass(frozen=True)
class ClozeProblem:
    offset: int
    message: str


def scan(text: str) -> tuple[list[Mark], list[ClozeProblem]]:
    """Every mark in order, and every malformed one (unclosed, no number, empty, nested)."""
    marks: list[Mark] = []
    problems: list[ClozeProblem] = []
    position = 0
    while (start := text.find(OPEN, position)) != -1:
        digits_end = start + len(OPEN)
        while digits_end < len(text) and text[digits_end].isdigit():
            digits_end += 1
        number_text = text[start + len(OPEN):digits_end]
        if not number_text or not text.startswith(SEP, digits_end):
            position = start + 1  # "{{c" that is not a mark, e.g. "{{code}}": plain text
            continue
        body_start = digits_end + len(SEP)
        end = text.find(CLOSE, body_start)
        if end == -1:
            problems.append(ClozeProblem(start, f"cloze mark '{{{{c{number_text}::' is never closed "
                                                "with '}}'"))
            break
        body = text[body_start:end]
        answer, hint = split_hint(body)
        if OPEN in body:
            problems.append(ClozeProblem(start, "cloze marks cannot be nested"))
        elif int(number_text) < 1:
            problems.append(ClozeProblem(start, "cloze numbers start at c1"))
        elif not answer.strip():
            problems.append(ClozeProblem(start, f"cloze mark c{number_text} hides nothing"))
        else:
            marks.append(Mark(int(number_text), answer, hint, start, end + len(CLOSE)))
        position = end + len(CLOSE)
    return marks, problems


def split_hint(body: str) -> tuple[str, str]:
    """(answer, hint) split at the first "::" outside a code span, so `std::vector` in
    backticks is an answer, not an answer "std" with the hint "vector"."""
    in_code, index = False, 0
    while index < len(body):
        if body[index] == "`":
            in_code = not in_code
        elif not in_code and body.startswith(SEP, index):
            return body[:index], body[index + len(SEP):]
        index += 1
    return body, ""


def rewrite(text: str, replace: Callable[[Mark], str],
            between: Callable[[str], str] = lambda s: s) -> str:
    """The text with every mark replaced, and the text between marks passed through `between`."""
    marks, _ = scan(text)
    pieces, position = [], 0
    for mark in marks:
        pieces += [between(text[position:mark.start]), replace(mark)]
        position = mark.end
    pieces.append(between(text[position:]))
    return "".join(pieces)


def filled(text: str) -> str:
    """Markdown with each answer in place, as the model's plain question text."""
    return rewrite(text, lambda m: m.answer)


def filled_marked(text: str) -> str:
    """Markdown with each answer in place between white square brackets, for print.

    Brackets rather than emphasis: a mark inside bold text would otherwise nest bold in bold.
    """
    return rewrite(text, lambda m: f"⟦{m.answer}⟧")


def blanked(text: str) -> str:
    """Markdown with each answer hidden behind a blank (its hint, when it has one)."""
    return rewrite(text, lambda m: f"\\[{m.hint or '…'}\\]")


def anki_field(text: str, render_inline: Callable[[str], str]) -> str:
    """The Cloze field for Anki: the text rendered once as inline HTML, the marks put back.

    Each mark stands in as a private-use placeholder while the whole text renders, so
    emphasis or a link around a mark stays whole; then the placeholder becomes the mark
    with its answer rendered. Inside a mark, "::" and "}}" in the rendered answer would
    end it early in Anki's own cloze parser, so one character of each becomes an entity.
    """
    marks, _ = scan(text)
    if PLACEHOLDER_OPEN in text:  # never in real text; refuse to confuse it with ours
        text = text.replace(PLACEHOLDER_OPEN, "\ufffd")
        marks, _ = scan(text)
    holder = rewrite(text, lambda m: f"{PLACEHOLDER_OPEN}{marks.index(m)}{PLACEHOLDER_CLOSE}")
    html = render_inline(holder)
    for index, m in enumerate(marks):
        answer = _protect(render_inline(m.answer))
        hint = f"::{_protect(render_inline(m.hint))}" if m.hint else ""
        html = html.replace(f"{PLACEHOLDER_OPEN}{index}{PLACEHOLDER_CLOSE}",
                            f"{{{{c{m.number}::{answer}{hint}}}}}", 1)
    return html


# Private-use characters: Markdown treats them as plain text and no font draws them.
PLACEHOLDER_OPEN, PLACEHOLDER_CLOSE = "\ue000", "\ue001"


def _protect(html: str) -> str:
    return html.replace("::", ":&#58;").replace("}}", "}&#125;")
