"""Lays out blocks at any size: a question's blocks measured once, then turned into items per size.

Items are one line (or code row, table row, image, rule) each; callers stack them into
columns or cards (items.place) and draw them (items.draw_placed). Measuring and drawing
text lives in text.py, the items in items.py, tables in tables.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from .blocks import Block, Code, Image, Math, Table, Text
from .builder import BlockBuilder
from .code import CodeFace, CodeRow, wrap_code
from .fonts import FontSet
from .images import ImageFiles
from .items import CODE_PAD, CodeLine, ImageBox, Item, Line, MathBox, Paragraph, RuleLine
from .styles import CODE_LEADING, CODE_SCALE, KINDS, RULE, Kind
from .tables import continued, table_items
from .text import TextSetter, Words, break_lines, paragraph_rtl
from .usage import text_usage, usage

BULLETS = ("•", "◦", "▪")
CONTINUATION = "↪"


@dataclass(frozen=True)
class Prepared:
    """A block with its words measured (text), or its cells' words (tables)."""

    block: Block
    words: object = None


class Typesetter:
    """Lays out blocks in one font family at any size; what content needs is checked on the way."""

    def __init__(self, fonts: FontSet, media: Mapping[str, bytes], max_image_height: float) -> None:
        """media: the build's image bytes by relative path (BuildContext.media)."""
        self.fonts, self.max_image_height = fonts, max_image_height
        self.text = TextSetter(fonts)
        self.images = ImageFiles(media)
        self.bullets = tuple(b if fonts.has("regular", b) else "-" for b in BULLETS)
        self.marker = CONTINUATION if fonts.has("mono", CONTINUATION) else ">"
        self.builder = BlockBuilder(self.bullets, lambda text: self.text.unit(text, "regular"))

    # What callers use of the parts

    def words(self, runs) -> Words:
        return self.text.words(runs)

    usage = staticmethod(usage)
    text_usage = staticmethod(text_usage)
    continued = staticmethod(continued)

    def missing_images(self, blocks: list[Block]) -> list[str]:
        return self.images.missing(blocks)

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
            elif isinstance(block, Math):
                new = [MathBox(self.text, block.formula, block.indent * size, width, size,
                               size * 0.2 + after)]
                after = size * 0.2
            elif isinstance(block, Table):
                new = table_items(block, p.words, size, width, size * 0.35 + after,
                                         self.text_items)
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
        para = Paragraph(self.text, size, kind, x, width - x,
                         (bullet, bullet_at * size) if bullet else None, rtl)
        lines = break_lines(words, (width - x) / fs, self.text.piece_width)
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
        return self.text.unit(text, "monobold" if bold else "mono")

    def image_items(self, block: Image, size: float, width: float, after: float) -> list[Item]:
        picture = self.images.picture(block.src)
        if picture is None:
            return []
        natural = picture.natural
        left = block.indent * size
        scale = min(1.0, (width - left) / natural[0], self.max_image_height / natural[1])
        return [ImageBox(picture, left, scale, 2.0 + after)]
