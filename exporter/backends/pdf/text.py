"""Text runs: words measured once at size 1, broken into lines by sums, drawn in one text object.

Widths scale linearly with the font size, so each word is measured once at size 1 and a
paragraph is re-broken at any size without touching the fonts again.
"""

from __future__ import annotations

import re

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from .blocks import BREAK, Face
from .fonts import FontSet
from .mathdraw import draw_formula, hidden_tex, write_hidden
from .shaping import has_rtl, is_rtl_paragraph, shape, show, visual
from .styles import INK
from .wordbreak import cut_at

SCRIPT_SCALE, SCRIPT_RISE = 0.7, 0.33
_SPACES = re.compile(r"([ \t\r\n]+)")

# Words: measured once, at size 1


class Word:
    """Pieces of one word (it may change face mid-word) and the space that follows it."""

    __slots__ = ("pieces", "width", "space", "space_face")

    def __init__(self) -> None:
        self.pieces: list[tuple[str, Face, float]] = []
        self.width = 0.0
        self.space = 0.0
        self.space_face: Face | None = None  # the face the space is set in, as written


Words = list  # list[Word | None]; None is a forced line break


class Pen:
    """One text object across consecutive lines: font, colour and rise are set only on change."""

    def __init__(self, canv: Canvas) -> None:
        self.canv = canv
        self._text = None
        self._state: tuple = (None, None, 0.0)

    def move(self, x: float, y: float):
        if self._text is None:
            self._text = self.canv.beginText(x, y)
        else:
            self._text.setTextOrigin(x, y)
        return self._text

    def style(self, font: tuple[str, float], paint: Color, rise: float) -> None:
        old_font, old_paint, old_rise = self._state
        text = self._text
        if font != old_font:
            text.setFont(*font)
        if paint != old_paint:
            text.setFillColor(paint)
        if rise != old_rise:
            text.setRise(rise)
        self._state = (font, paint, rise)

    def flush(self) -> Canvas:
        """End the text object: the canvas is free for graphics."""
        if self._text is not None:
            self.canv.drawText(self._text)
            self._text, self._state = None, (None, None, 0.0)
        return self.canv


# Line breaking


def break_lines(words: Words, room: float, measure) -> list[list[Word]]:
    """Greedy breaks at size 1 within room; a word wider than a line is cut between characters
    (measure(char, face) is a character's width at size 1)."""
    lines: list[list[Word]] = []
    line: list[Word] = []
    used = 0.0
    for word in words:
        if word is None:
            lines.append(line)
            line, used = [], 0.0
            continue
        if line and used + line[-1].space + word.width > room:
            lines.append(line)
            line, used = [], 0.0
        if not line and word.width > room:
            *full, word = _cut(word, room, measure)
            lines += [[w] for w in full]
        used += (line[-1].space if line else 0.0) + word.width
        line.append(word)
    if line or not lines:
        lines.append(line)
    return lines


def _cut(word: Word, room: float, measure) -> list[Word]:
    """A word wider than a line in line-wide parts, broken where a reader expects (wordbreak).

    A formula is one unit: never cut, it overflows rather than breaks (its TeX stands for it
    in the text the break points are looked for in, as one character)."""
    units = [(text, face, width) if face.formula is not None else (ch, face, measure(ch, face))
             for text, face, width in word.pieces
             for ch in ((text,) if face.formula is not None else text)]
    # One string for the break points and an index that moves along it: slicing the units
    # and joining them again for every line was quadratic in the word's length.
    text = "".join(u[0] if u[1].formula is None else "\ufffc" for u in units)
    parts: list[Word] = []
    start = 0
    while start < len(units):
        used, fits = 0.0, 0
        while start + fits < len(units) and used + units[start + fits][2] <= room:
            used += units[start + fits][2]
            fits += 1
        if start + fits == len(units):
            n = fits
        else:
            n = cut_at(text[start:start + fits + 1], max(fits, 1))
        n = max(n, 1)
        part = Word()
        for piece_text, face, width in units[start:start + n]:
            _add_piece(part, piece_text, face, width)
        parts.append(part)
        start += n
    parts[-1].space, parts[-1].space_face = word.space, word.space_face
    return parts


def _add_piece(word: Word, text: str, face: Face, width: float) -> None:
    if word.pieces and word.pieces[-1][1] is face:
        old, _, w = word.pieces[-1]
        word.pieces[-1] = (old + text, face, w + width)
    else:
        word.pieces.append((text, face, width))
    word.width += width



class TextSetter:
    """Measures runs into words and draws lines of words in one font family."""

    def __init__(self, fonts: FontSet) -> None:
        self.fonts = fonts
        self._widths = {role: fonts.widths(role) for role in fonts.names}

    def piece_width(self, text: str, face: Face) -> float:
        if face.formula is not None:  # a formula is one piece: text is its TeX
            return face.formula.width * (SCRIPT_SCALE if face.script else 1.0)
        return self.unit(text, face.role) * (SCRIPT_SCALE if face.script else 1.0)

    def unit(self, text: str, role: str) -> float:
        """Width of text at size 1."""
        return sum(map(self._widths[role].__getitem__, text))

    def words(self, runs) -> Words:
        words: Words = []
        word = Word()
        for text, face in runs:
            if text == BREAK:
                if word.pieces:
                    words.append(word)
                words.append(None)
                word = Word()
                continue
            if face.formula is not None:
                _add_piece(word, text, face, self.piece_width(text, face))
                continue
            for i, part in enumerate(_SPACES.split(text)):
                if i % 2:  # whitespace ends the word
                    if word.pieces:
                        word.space = self.piece_width(" ", face)
                        word.space_face = face
                        words.append(word)
                        word = Word()
                elif part:
                    part = shape(part, self.fonts)
                    _add_piece(word, part, face, self.piece_width(part, face))
        if word.pieces:
            words.append(word)
        return words

    @staticmethod
    def align_offset(words: list[Word], align: str, width: float, fs: float) -> float:
        """Where a line starts in a paragraph `width` wide, aligned left, right or centre."""
        if align == "left" or not words:
            return 0.0
        used = (sum(w.width + w.space for w in words) - words[-1].space) * fs
        gap = max(0.0, width - used)
        return gap if align == "right" else gap / 2

    def draw_words(self, pen: Pen, words: list[Word], x: float, baseline: float, fs: float,
                   color: Color, bullet: tuple[str, float] | None = None, rtl: bool = False) -> None:
        """Consecutive text in one face goes out as one string, each run in the font that has it;
        a line holding right-to-left text goes out in visual order."""
        if bullet:  # in the same text object, so text extraction keeps it on the line
            pen.move(bullet[1], baseline)
            self._show(pen, bullet[0], (("regular", fs), color, 0.0))
        text = pen.move(x, baseline)
        marks: list[tuple[float, float, Face, float]] = []  # links and strikes, drawn after
        pending: list[str] = []
        current = None
        pos = x
        pieces = line_pieces(words)
        if rtl or has_rtl("".join(p[0] for p in pieces if p[1].formula is None)):
            pieces = visual(pieces, rtl, self.piece_width)
        for chunk, face, width in pieces:
            size = fs * SCRIPT_SCALE if face.script else fs
            if face.formula is not None:
                if pending:
                    self._show(pen, "".join(pending), current)
                    pending = []
                self._hidden_formula(pen, text, face, size, color, face.script * fs * SCRIPT_RISE)
                current = None
                marks.append((pos, width * fs, face, size))
                pos += width * fs
                continue
            want = (face.role, size), face.color or color, face.script * fs * SCRIPT_RISE
            if want != current:
                if pending:
                    self._show(pen, "".join(pending), current)
                    pending = []
                current = want
            pending.append(chunk)
            if face.href or face.strike:
                marks.append((pos, width * fs, face, size))
            pos += width * fs
        if pending:
            self._show(pen, "".join(pending), current)
        if marks:
            # Links are annotations; a strike is a graphic, which may not sit inside text.
            canv = pen.flush() if any(m[2].strike or m[2].formula for m in marks) else pen.canv
            for left, width, face, size in marks:
                if face.formula is not None:
                    draw_formula(canv, face.formula, left, baseline + face.script * fs * SCRIPT_RISE,
                                 size, face.color or color)
                self._mark(canv, left, width, baseline, face, size)

    def _show(self, pen: Pen, string: str, style: tuple) -> None:
        """One string in one role: each run in the face (the role's, or a fallback) that has it."""
        (role, size), paint, rise = style
        for name, run in self.fonts.runs(role, string):
            pen.style((name, size), paint, rise)
            show(pen._text, self.fonts, run)

    def _hidden_formula(self, pen: Pen, text, face: Face, size: float, color: Color, rise: float
                        ) -> None:
        hidden = hidden_tex(face.formula, self.fonts)
        pen.style((self.fonts["regular"], size), face.color or color, rise)
        write_hidden(text, hidden, self.unit(hidden, "regular"), face.formula, size)

    @staticmethod
    def _mark(canv: Canvas, left: float, width: float, baseline: float, face: Face,
              size: float) -> None:
        if face.href:
            canv.linkURL(face.href, (left, baseline - size * 0.2, left + width, baseline + size * 0.9),
                         relative=1, thickness=0)
        if face.strike:
            canv.setStrokeColor(face.color or INK)
            canv.setLineWidth(size * 0.06)
            canv.line(left, baseline + size * 0.3, left + width, baseline + size * 0.3)


def line_pieces(words: list[Word]) -> list[tuple[str, Face, float]]:
    """A line's pieces in logical order, with the spaces between its words."""
    pieces = []
    last = len(words) - 1
    for i, word in enumerate(words):
        pieces += word.pieces
        if i < last:
            pieces.append((" ", word.space_face or word.pieces[-1][1], word.space))
    return pieces


def paragraph_rtl(words: Words) -> bool:
    """A paragraph whose first strong character is right-to-left (it aligns right)."""
    text = " ".join(p[0] for w in words if w is not None for p in w.pieces if p[1].formula is None)
    return is_rtl_paragraph(text)
