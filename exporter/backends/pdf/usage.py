"""What each font role will set: every character of the blocks, checked against the fonts before drawing."""

from __future__ import annotations

from .blocks import Block, Code, Table, Text
from .code import token_style


def usage(blocks: list[Block], used: dict[str, set[str]]) -> None:
    """Record every character each font role will set."""
    for block in blocks:
        if isinstance(block, Text):
            text_usage(block.runs, used)
            if block.bullet:
                used.setdefault("regular", set()).update(block.bullet)
        elif isinstance(block, Table):
            for row in block.rows:
                usage(list(row), used)
        elif isinstance(block, Code):
            for line in block.lines:
                for text, cls in line:
                    role = "monobold" if token_style(cls)[0] else "mono"
                    used.setdefault(role, set()).update(text)


def text_usage(runs, used: dict[str, set[str]]) -> None:
    for text, face in runs:
        if face.formula is not None:
            continue  # outlines, not glyphs of a face; the hidden TeX skips what the face lacks
        used.setdefault(face.role, set()).update(text)
