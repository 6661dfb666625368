"""Tables laid out at a size: column widths shared by need, one item per row, headers repeated."""

from __future__ import annotations

from collections.abc import Callable

from .blocks import Table
from .items import CELL_PAD_X, Item, TableRow
from .styles import KINDS, Kind


def table_items(block: Table, cell_words, size: float, width: float, space: float,
                text_items: Callable[..., list]) -> list[Item]:
    """text_items(words, kind, size, width) lays out one cell's paragraph."""
    left = block.indent * size
    widths = column_widths(block, cell_words, size, width - left)
    items: list[Item] = []
    for r, (row, words) in enumerate(zip(block.rows, cell_words, strict=True)):
        cells = []
        for cell, w, col_w in zip(row, words, widths, strict=True):
            kind = KINDS[cell.kind]
            if cell.align != "left":
                kind = Kind(kind.scale, kind.bold, kind.color, align=cell.align)
            cells.append(text_items(w, kind, size, col_w - 2 * CELL_PAD_X))
        is_header = block.header and r == 0
        header = items[0] if block.header and r else None
        items.append(TableRow(cells, widths, left, is_header, space if r == 0 else 0.0,
                              is_header, header))  # type: ignore[arg-type]
    return items


def continued(items: list[Item]) -> list[Item]:
    """Items that open a new column: a table broken before a body row repeats its header."""
    first = items[0] if items else None
    if isinstance(first, TableRow) and first.header is not None:
        h = first.header
        return [TableRow(h.cells, h.widths, h.left, h.shaded, 0.0, True), *items]
    return items


def column_widths(block: Table, cell_words, size: float, avail: float) -> list[float]:
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
