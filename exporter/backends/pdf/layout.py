"""Lays out blocks at any size and draws them on a canvas: words measured once, lines broken by sums.

Widths scale linearly with the font size, so each word is measured once at size 1 and a
block is re-broken at any size without touching the fonts again. Items are one line (or
code row, table row, image, rule) each; callers stack them into columns or cards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from reportlab.lib.colors import Color
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .blocks import BREAK, Block, BlockBuilder, Code, Face, Image, Table, Text
from .code import CodeFace, CodeRow, token_style, wrap_code
from .fonts import FontSet
from .shaping import has_rtl, is_rtl_paragraph, shape, show, visual
from .styles import (
    CODE_BACK,
    CODE_LEADING,
    CODE_SCALE,
    INK,
    KINDS,
    MUTED,
    RULE,
    TABLE_HEAD_BACK,
    Kind,
    leading_of,
)
from .wordbreak import cut_at

BULLETS = ("•", "◦", "▪")
CONTINUATION = "↪"
CODE_PAD = 3.0
CELL_PAD_X, CELL_PAD_TOP, CELL_PAD_BOTTOM = 3.0, 1.5, 2.0
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


@dataclass(frozen=True)
class Prepared:
    """A block with its words measured (text), or its cells' words (tables)."""

    block: Block
    words: object = None


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


# Items: what a column or a card stacks


class Item:
    __slots__ = ("height", "space", "keep")

    def draw(self, pen: Pen, x: float, top: float) -> None:
        raise NotImplementedError


class Paragraph:
    """What the lines of one paragraph share."""

    __slots__ = ("ts", "size", "kind", "x", "width", "bullet", "rtl")

    def __init__(self, ts: Typesetter, size: float, kind: Kind, x: float, width: float,
                 bullet: tuple[str, float] | None, rtl: bool = False) -> None:
        self.ts, self.size, self.kind, self.x, self.width, self.bullet = ts, size, kind, x, width, bullet
        self.rtl = rtl


class Line(Item):
    __slots__ = ("para", "words", "first")

    def __init__(self, para: Paragraph, words: list[Word], first: bool, space: float,
                 keep: bool) -> None:
        self.para, self.words, self.first = para, words, first
        self.height = leading_of(para.kind, para.size)
        self.space, self.keep = space, keep

    def draw(self, pen: Pen, x: float, top: float) -> None:
        p = self.para
        fs = p.size * p.kind.scale
        baseline = top - fs
        left = x + p.x + p.ts.align_offset(self.words, p, fs)
        bullet = (p.bullet[0], x + p.bullet[1]) if self.first and p.bullet else None
        p.ts.draw_words(pen, self.words, left, baseline, fs, p.kind.color, bullet, p.rtl)


class CodeLine(Item):
    __slots__ = ("row", "face", "left", "width", "pad_top", "pad_bottom")

    def __init__(self, row, face: CodeFace, left: float, width: float, pad_top: bool,
                 pad_bottom: bool, space: float) -> None:
        self.row, self.face, self.left, self.width = row, face, left, width
        self.pad_top, self.pad_bottom = pad_top, pad_bottom
        self.height = face.leading + CODE_PAD * (pad_top + pad_bottom)
        self.space, self.keep = space, False

    def draw(self, pen: Pen, x: float, top: float) -> None:
        face, row = self.face, self.row
        canv = pen.flush()
        canv.setFillColor(CODE_BACK)
        canv.rect(x + self.left, top - self.height, self.width - self.left, self.height,
                  stroke=0, fill=1)
        y = top - CODE_PAD * self.pad_top - face.size * 0.93
        text = canv.beginText(x + self.left + CODE_PAD + row.indent, y)
        if row.continued:
            text.setFillColor(MUTED)
            face.show(text, "mono", face.marker + " ")
        for chunk, cls in row.runs:
            bold, color = token_style(cls)
            text.setFillColor(color)
            face.show(text, "monobold" if bold else "mono", chunk)
        canv.drawText(text)


class ImageBox(Item):
    """An image at its natural size (96 dpi), shrunk to the width and a height cap.

    At the bottom of a column or card it may shrink further, to half that size at most,
    rather than leaving a gap or being cut.
    """

    __slots__ = ("path", "natural", "left", "scale")

    def __init__(self, path: Path, natural: tuple[float, float], left: float, scale: float,
                 space: float) -> None:
        self.path, self.natural, self.left, self.scale = path, natural, left, scale
        self.height, self.space, self.keep = natural[1] * scale, space, False

    def shrunk(self, room: float) -> ImageBox | None:
        if room < self.height / 2:
            return None
        return ImageBox(self.path, self.natural, self.left, room / self.natural[1], self.space)

    def draw(self, pen: Pen, x: float, top: float) -> None:
        canv = pen.flush()
        # An ImageReader, not the path: reportlab names the image after what it is given,
        # and a name made from the path would make the PDF depend on the folder it was built in.
        w, h = self.natural
        canv.drawImage(ImageReader(str(self.path)), x + self.left, top - h * self.scale,
                       w * self.scale, h * self.scale, mask="auto")


class RuleLine(Item):
    __slots__ = ("width", "thickness", "color")

    def __init__(self, width: float, thickness: float, color: Color, space: float) -> None:
        self.width, self.thickness, self.color = width, thickness, color
        self.height, self.space, self.keep = thickness, space, False

    def draw(self, pen: Pen, x: float, top: float) -> None:
        canv = pen.flush()
        canv.setStrokeColor(self.color)
        canv.setLineWidth(self.thickness)
        canv.line(x, top - self.thickness / 2, x + self.width, top - self.thickness / 2)


class TableRow(Item):
    __slots__ = ("cells", "widths", "left", "shaded", "header")

    def __init__(self, cells: list[list[Line]], widths: list[float], left: float, shaded: bool,
                 space: float, keep: bool, header: TableRow | None = None) -> None:
        self.cells, self.widths, self.left, self.shaded = cells, widths, left, shaded
        self.header = header  # the table's header row, repeated when a column breaks the table
        self.height = max(sum(line.height for line in c) for c in cells) + CELL_PAD_TOP + CELL_PAD_BOTTOM
        self.space, self.keep = space, keep

    def draw(self, pen: Pen, x: float, top: float) -> None:
        canv = pen.flush()
        x += self.left
        total = sum(self.widths)
        if self.shaded:
            canv.setFillColor(TABLE_HEAD_BACK)
            canv.rect(x, top - self.height, total, self.height, stroke=0, fill=1)
        cell_x = x
        for lines, width in zip(self.cells, self.widths, strict=True):
            y = top - CELL_PAD_TOP
            for line in lines:
                line.draw(pen, cell_x + CELL_PAD_X, y)
                y -= line.height
            cell_x += width
        pen.flush()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.3)
        canv.line(x, top - self.height, x + total, top - self.height)


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
    """A word wider than a line in line-wide parts, broken where a reader expects (wordbreak)."""
    chars = [(ch, face, measure(ch, face)) for text, face, _ in word.pieces for ch in text]
    parts: list[Word] = []
    while chars:
        used, fits = 0.0, 0
        while fits < len(chars) and used + chars[fits][2] <= room:
            used += chars[fits][2]
            fits += 1
        n = len(chars) if fits == len(chars) else cut_at("".join(c[0] for c in chars), fits)
        part = Word()
        for ch, face, width in chars[:n]:
            _add_piece(part, ch, face, width)
        parts.append(part)
        chars = chars[n:]
    parts[-1].space, parts[-1].space_face = word.space, word.space_face
    return parts


def _add_piece(word: Word, text: str, face: Face, width: float) -> None:
    if word.pieces and word.pieces[-1][1] is face:
        old, _, w = word.pieces[-1]
        word.pieces[-1] = (old + text, face, w + width)
    else:
        word.pieces.append((text, face, width))
    word.width += width


class Typesetter:
    """Measures, lays out and draws blocks in one font family; records what content needs."""

    def __init__(self, fonts: FontSet, content_dir: Path, max_image_height: float) -> None:
        self.fonts, self.content_dir, self.max_image_height = fonts, content_dir, max_image_height
        self._widths = {role: fonts.widths(role) for role in fonts.names}
        self.bullets = tuple(b if fonts.has("regular", b) else "-" for b in BULLETS)
        self.marker = CONTINUATION if fonts.has("mono", CONTINUATION) else ">"
        self.builder = BlockBuilder(self.bullets, lambda text: self.unit(text, "regular"))
        self._image_sizes: dict[str, tuple[int, int] | None] = {}

    def piece_width(self, text: str, face: Face) -> float:
        return self.unit(text, face.role) * (SCRIPT_SCALE if face.script else 1.0)

    def unit(self, text: str, role: str) -> float:
        """Width of text at size 1."""
        return sum(map(self._widths[role].__getitem__, text))

    # Content checks

    def usage(self, blocks: list[Block], used: dict[str, set[str]]) -> None:
        """Record every character each font role will set."""
        for block in blocks:
            if isinstance(block, Text):
                self.text_usage(block.runs, used)
                if block.bullet:
                    used.setdefault("regular", set()).update(block.bullet)
            elif isinstance(block, Table):
                for row in block.rows:
                    self.usage(list(row), used)
            elif isinstance(block, Code):
                for line in block.lines:
                    for text, cls in line:
                        role = "monobold" if token_style(cls)[0] else "mono"
                        used.setdefault(role, set()).update(text)

    @staticmethod
    def text_usage(runs, used: dict[str, set[str]]) -> None:
        for text, face in runs:
            used.setdefault(face.role, set()).update(text)

    def missing_images(self, blocks: list[Block]) -> list[str]:
        return [b.src for b in blocks if isinstance(b, Image) and self.image_size(b.src) is None]

    def image_size(self, src: str) -> tuple[int, int] | None:
        if src not in self._image_sizes:
            try:
                self._image_sizes[src] = ImageReader(str(self.content_dir / src)).getSize()
            except OSError:
                self._image_sizes[src] = None
        return self._image_sizes[src]

    # Measuring (once per block, any size)

    def prepare(self, blocks: list[Block]) -> list[Prepared]:
        out = []
        for block in blocks:
            if isinstance(block, Text):
                out.append(Prepared(block, self.words(block.runs)))
            elif isinstance(block, Table):
                out.append(Prepared(block, [[self.words(c.runs) for c in row] for row in block.rows]))
            else:
                out.append(Prepared(block))
        return out

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

    # Laying out (per size)

    def items(self, prepared: list[Prepared], width: float, size: float) -> list[Item]:
        """Items of the blocks at body size `size` in `width`; the first keeps its space before."""
        items: list[Item] = []
        after = 0.0
        for p in prepared:
            block = p.block
            if isinstance(block, Text):
                kind = KINDS[block.kind]
                new = self.text_items(p.words, kind, size, width, block.indent, block.bullet,
                                      block.bullet_at, kind.space * size + after)
                after = 0.0
            elif isinstance(block, Code):
                new = self.code_items(block, size, width, after)
                after = CODE_SCALE * size * 0.35
            elif isinstance(block, Image):
                new = self.image_items(block, size, width, after)
                after = 2.0
            elif isinstance(block, Table):
                new = self.table_items(block, p.words, size, width, size * 0.35 + after)
                after = size * 0.35
            else:
                new = [RuleLine(width, 0.4, RULE, 2.0 + after)]
                after = 2.0
            items += new
        return items

    def text_items(self, words: Words, kind: Kind, size: float, width: float, indent: float = 0.0,
                   bullet: str | None = None, bullet_at: float = 0.0, space: float = 0.0
                   ) -> list[Item]:
        fs = size * kind.scale
        x = indent * size
        rtl = paragraph_rtl(words)
        if rtl and kind.align == "left":
            kind = replace(kind, align="right")  # right-to-left paragraphs align right
        para = Paragraph(self, size, kind, x, width - x,
                         (bullet, bullet_at * size) if bullet else None, rtl)
        lines = break_lines(words, (width - x) / fs, self.piece_width)
        # A paragraph's first line never ends a column alone (reportlab's allowOrphans=0).
        return [Line(para, line, i == 0, space if i == 0 else 0.0,
                     kind.keep or (i == 0 and len(lines) > 1))
                for i, line in enumerate(lines)]

    def code_items(self, block: Code, size: float, width: float, after: float) -> list[Item]:
        fs = size * CODE_SCALE
        face = CodeFace(self.fonts, fs, round(fs * CODE_LEADING, 2), self.marker)
        left = block.indent * size
        rows = wrap_code(block.lines, width - left - 2 * CODE_PAD, face, self._code_width) or [
            CodeRow(0.0, False, ())]
        last = len(rows) - 1
        return [CodeLine(row, face, left, width, i == 0, i == last, fs * 0.35 + after if i == 0 else 0.0)
                for i, row in enumerate(rows)]

    def _code_width(self, bold: bool, text: str) -> float:
        return self.unit(text, "monobold" if bold else "mono")

    def image_items(self, block: Image, size: float, width: float, after: float) -> list[Item]:
        px = self.image_size(block.src)
        if px is None:
            return []
        natural = (px[0] * 0.75, px[1] * 0.75)
        left = block.indent * size
        scale = min(1.0, (width - left) / natural[0], self.max_image_height / natural[1])
        return [ImageBox(self.content_dir / block.src, natural, left, scale, 2.0 + after)]

    def table_items(self, block: Table, cell_words, size: float, width: float, space: float
                    ) -> list[Item]:
        left = block.indent * size
        widths = self.column_widths(block, cell_words, size, width - left)
        items: list[Item] = []
        for r, (row, words) in enumerate(zip(block.rows, cell_words, strict=True)):
            cells = []
            for cell, w, col_w in zip(row, words, widths, strict=True):
                kind = KINDS[cell.kind]
                if cell.align != "left":
                    kind = Kind(kind.scale, kind.bold, kind.color, align=cell.align)
                cells.append(self.text_items(w, kind, size, col_w - 2 * CELL_PAD_X))
            is_header = block.header and r == 0
            header = items[0] if block.header and r else None
            items.append(TableRow(cells, widths, left, is_header, space if r == 0 else 0.0,
                                  is_header, header))  # type: ignore[arg-type]
        return items

    @staticmethod
    def continued(items: list[Item]) -> list[Item]:
        """Items that open a new column: a table broken before a body row repeats its header."""
        first = items[0] if items else None
        if isinstance(first, TableRow) and first.header is not None:
            h = first.header
            return [TableRow(h.cells, h.widths, h.left, h.shaded, 0.0, True), *items]
        return items

    def column_widths(self, block: Table, cell_words, size: float, avail: float) -> list[float]:
        """Natural widths when they fit; else each column keeps its longest word, the rest is shared."""
        pad = 2 * CELL_PAD_X + 1.0
        ncols = len(block.rows[0])
        natural, least = [pad] * ncols, [pad] * ncols
        for row, words in zip(block.rows, cell_words, strict=True):
            for i, (cell, ws) in enumerate(zip(row, words, strict=True)):
                fs = size * KINDS[cell.kind].scale
                real = [w for w in ws if w is not None]
                total = sum(w.width + w.space for w in real) - (real[-1].space if real else 0.0)
                natural[i] = max(natural[i], total * fs + pad)
                least[i] = max(least[i], max((w.width for w in real), default=0.0) * fs + pad)
        if sum(natural) <= avail:
            return natural
        least = [min(w, avail / ncols) for w in least] if sum(least) > avail else least
        # Share what is left beyond the minimums in proportion to how much more each column wants.
        spare = avail - sum(least)
        wants = [n - m for n, m in zip(natural, least, strict=True)]
        total = sum(wants) or 1.0
        return [m + spare * w / total for m, w in zip(least, wants, strict=True)]

    # Drawing

    def align_offset(self, words: list[Word], para: Paragraph, fs: float) -> float:
        align = para.kind.align
        if align == "left" or not words:
            return 0.0
        used = (sum(w.width + w.space for w in words) - words[-1].space) * fs
        gap = max(0.0, para.width - used)
        return gap if align == "right" else gap / 2

    def draw_words(self, pen: Pen, words: list[Word], x: float, baseline: float, fs: float,
                   color: Color, bullet: tuple[str, float] | None = None, rtl: bool = False) -> None:
        """Consecutive text in one face goes out as one string, each run in the font that has it."""
        if bullet:  # in the same text object, so text extraction keeps it on the line
            pen.move(bullet[1], baseline)
            self._show(pen, bullet[0], (("regular", fs), color, 0.0))
        pen.move(x, baseline)
        marks: list[tuple[float, float, Face, float]] = []  # links and strikes, drawn after
        pending: list[str] = []
        current = None
        pos = x
        pieces = line_pieces(words)
        if rtl or has_rtl_pieces(pieces):
            pieces = visual(pieces, rtl, self.piece_width)
        for chunk, face, width in pieces:
            size = fs * SCRIPT_SCALE if face.script else fs
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
            canv = pen.flush() if any(m[2].strike for m in marks) else pen.canv
            for left, width, face, size in marks:
                self._mark(canv, left, width, baseline, face, size)

    def _show(self, pen: Pen, string: str, style: tuple) -> None:
        (role, size), paint, rise = style
        for name, run in self.fonts.runs(role, string):
            pen.style((name, size), paint, rise)
            show(pen._text, self.fonts, run)

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


def has_rtl_pieces(pieces) -> bool:
    return has_rtl("".join(p[0] for p in pieces))


def paragraph_rtl(words: Words) -> bool:
    text = " ".join(p[0] for w in words if w is not None for p in w.pieces)
    return is_rtl_paragraph(text)


def place(items: list[Item], room: float) -> tuple[list[tuple[Item, float]], bool]:
    """Stack items top-down in room: ([(item, top offset)], all placed); the last image may shrink."""
    placed: list[tuple[Item, float]] = []
    y = 0.0
    for item in items:
        space = item.space if placed else 0.0
        if y + space + item.height > room:
            if isinstance(item, ImageBox):
                smaller = item.shrunk(room - y - space)
                if smaller is not None:
                    placed.append((smaller, y + space))
            return placed, len(placed) == len(items)
        placed.append((item, y + space))
        y += space + item.height
    return placed, True


def stack_height(items: list[Item]) -> float:
    return sum(i.space for i in items[1:]) + sum(i.height for i in items)


def draw_placed(canv: Canvas, placed: list[tuple[Item, float]], x: float, top: float) -> None:
    pen = Pen(canv)
    for item, offset in placed:
        item.draw(pen, x, top - offset)
    pen.flush()
