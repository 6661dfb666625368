"""Items: what a column or a card stacks, one line (or code row, table row, image, rule) each."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.colors import Color
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .code import CodeFace, token_style
from .styles import CODE_BACK, MUTED, RULE, TABLE_HEAD_BACK, Kind, leading_of
from .text import Pen, TextSetter, Word

CODE_PAD = 3.0
CELL_PAD_X, CELL_PAD_TOP, CELL_PAD_BOTTOM = 3.0, 1.5, 2.0


class Item:
    __slots__ = ("height", "space", "keep")

    def draw(self, pen: Pen, x: float, top: float) -> None:
        raise NotImplementedError


class Paragraph:
    """What the lines of one paragraph share."""

    __slots__ = ("ts", "size", "kind", "x", "width", "bullet")

    def __init__(self, ts: TextSetter, size: float, kind: Kind, x: float, width: float,
                 bullet: tuple[str, float] | None) -> None:
        self.ts, self.size, self.kind, self.x, self.width, self.bullet = ts, size, kind, x, width, bullet


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
        p.ts.draw_words(pen, self.words, left, baseline, fs, p.kind.color, bullet)


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
            text.setFont(face.regular, face.size)
            text.setFillColor(MUTED)
            text.textOut(face.marker + " ")
        for chunk, cls in row.runs:
            bold, color = token_style(cls)
            text.setFont(face.bold if bold else face.regular, face.size)
            text.setFillColor(color)
            text.textOut(chunk)
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
