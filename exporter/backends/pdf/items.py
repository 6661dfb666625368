"""Items: what a column or a card stacks, one line (or code row, table row, image, rule) each."""

from __future__ import annotations

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from .code import CodeFace, token_style
from .formulas import Formula
from .images import Picture
from .mathdraw import draw_formula, hidden_tex, write_hidden
from .styles import CODE_BACK, INK, MUTED, RULE, TABLE_HEAD_BACK, Kind, leading_of
from .text import SCRIPT_RISE, SCRIPT_SCALE, Pen, TextSetter, Word

CODE_PAD = 3.0
CELL_PAD_X, CELL_PAD_TOP, CELL_PAD_BOTTOM = 3.0, 1.5, 2.0


class Item:
    __slots__ = ("height", "space", "keep")

    def draw(self, pen: Pen, x: float, top: float) -> None:
        raise NotImplementedError


class Paragraph:
    """What the lines of one paragraph share."""

    __slots__ = ("ts", "size", "kind", "x", "width", "bullet", "rtl")

    def __init__(self, ts: TextSetter, size: float, kind: Kind, x: float, width: float,
                 bullet: tuple[str, float] | None, rtl: bool = False) -> None:
        self.ts, self.size, self.kind, self.x, self.width, self.bullet = ts, size, kind, x, width, bullet
        self.rtl = rtl  # a right-to-left paragraph: its lines are ordered from the right


class Line(Item):
    __slots__ = ("para", "words", "first", "lift")

    def __init__(self, para: Paragraph, words: list[Word], first: bool, space: float,
                 keep: bool) -> None:
        self.para, self.words, self.first = para, words, first
        fs = para.size * para.kind.scale
        leading = leading_of(para.kind, para.size)
        self.lift, below = formula_reach(words, fs, leading - fs)
        self.height = leading + self.lift + below
        self.space, self.keep = space, keep

    def draw(self, pen: Pen, x: float, top: float) -> None:
        p = self.para
        fs = p.size * p.kind.scale
        baseline = top - fs - self.lift
        left = x + p.x + p.ts.align_offset(self.words, p.kind.align, p.width, fs)
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
    """An image at its natural size, shrunk to the width and a height cap.

    At the bottom of a column or card it may shrink further, to half that size at most,
    rather than leaving a gap or being cut.
    """

    __slots__ = ("picture", "left", "scale")

    def __init__(self, picture: Picture, left: float, scale: float, space: float) -> None:
        self.picture, self.left, self.scale = picture, left, scale
        self.height, self.space, self.keep = picture.natural[1] * scale, space, False

    def shrunk(self, room: float) -> ImageBox | None:
        if room < self.height / 2:
            return None
        return ImageBox(self.picture, self.left, room / self.picture.natural[1], self.space)

    def draw(self, pen: Pen, x: float, top: float) -> None:
        self.picture.draw(pen.flush(), x + self.left, top - self.height, self.scale)


class MathBox(Item):
    """Display math, centred in the width and shrunk to fit it; the TeX lies invisible beneath."""

    __slots__ = ("ts", "formula", "left", "width", "size", "pad")

    def __init__(self, ts: TextSetter, formula: Formula, left: float, width: float, size: float,
                 space: float) -> None:
        self.ts, self.formula, self.left, self.width = ts, formula, left, width
        self.size = min(size, (width - left) / formula.width) if formula.width else size
        self.pad = size * 0.25
        self.height = (formula.ascent + formula.descent) * self.size + 2 * self.pad
        self.space, self.keep = space, False

    def draw(self, pen: Pen, x: float, top: float) -> None:
        f, size = self.formula, self.size
        left = x + self.left + (self.width - self.left - f.width * size) / 2
        baseline = top - self.pad - f.ascent * size
        hidden = hidden_tex(f, self.ts.fonts)
        text = pen.move(left, baseline)
        pen.style((self.ts.fonts["regular"], size), INK, 0.0)
        write_hidden(text, hidden, self.ts.unit(hidden, "regular"), f, size)
        draw_formula(pen.flush(), f, left, baseline, size, INK)


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


def formula_reach(words: list[Word], fs: float, room_below: float) -> tuple[float, float]:
    """How far a line's formulas reach above its font size and below its leading: a tall
    fraction opens the line rather than overprinting its neighbours."""
    up = down = 0.0
    for word in words:
        for _, face, _ in word.pieces:
            if face.formula is not None:
                size = fs * SCRIPT_SCALE if face.script else fs
                rise = face.script * fs * SCRIPT_RISE
                up = max(up, face.formula.ascent * size + rise)
                down = max(down, face.formula.descent * size - rise)
    return max(0.0, up - fs), max(0.0, down - room_below)
