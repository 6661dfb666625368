"""Blocks flowed down frames (the title band, then two columns), page after page.

The cheat sheet used this much of reportlab's platypus (BaseDocTemplate, Frame, FrameBreak,
NextPageTemplate), and importing platypus cost every build 60 ms, a tenth of a 30-question
build. This is the same flow, drawn with the same canvas calls: a block's space before is
dropped at the top of a frame; a block that does not fit is split, its first part drawn in
the room left and the rest carried on; one that cannot split moves to the next frame.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from reportlab.pdfgen.canvas import Canvas

_FUZZ = 1e-6  # platypus's tolerance: a block may overrun a frame's bottom by this much


@dataclass(frozen=True)
class Frame:
    """A rectangle the flow fills from the top: x, y of its lower left corner."""

    x: float
    y: float
    width: float
    height: float


class Block(Protocol):
    space: float  # above it, except at the top of a frame

    def wrap(self, width: float) -> float: ...  # its height at that width

    def split(self, width: float, room: float, at_top: bool) -> list[Block]: ...  # [] if it cannot

    def draw(self, canv: Canvas, height: float) -> None: ...  # with its lower left corner at 0, 0


class NextFrame:
    """In the flow: the next block starts in the next frame (the title band ends)."""

    space = 0.0


def flow(canv: Canvas, blocks: Iterable[Block | NextFrame],
         frames_of_page: Callable[[int], list[Frame]]) -> None:
    """Draw blocks down the frames of page 1, 2, … and show every page that was begun."""
    pending = deque(blocks)
    page = 1
    frames = frames_of_page(page)
    index, cursor, at_top, tried_fresh = 0, frames[0].y + frames[0].height, True, False
    while pending:
        block = pending.popleft()
        frame = frames[index]
        if not isinstance(block, NextFrame):
            space = 0.0 if at_top else block.space
            room = cursor - frame.y - space
            height = block.wrap(frame.width) if room > 0 else None
            if height is not None and cursor - space - height >= frame.y - _FUZZ:
                _draw(canv, block, frame.x, cursor - space - height, height)
                cursor, at_top, tried_fresh = cursor - space - height, False, False
                continue
            parts = block.split(frame.width, room, at_top) if room > 0 else []
            if parts:
                first = parts[0]
                height = first.wrap(frame.width)
                _draw(canv, first, frame.x, cursor - space - height, height)
                cursor, at_top, tried_fresh = cursor - space - height, False, False
                pending.extendleft(reversed(parts[1:]))
                continue
            if at_top and tried_fresh:
                raise ValueError("a block is taller than an empty frame")  # never loop forever
            pending.appendleft(block)
            tried_fresh = at_top
        index += 1
        if index == len(frames):
            canv.setPageRotation(0)
            canv.showPage()
            page += 1
            frames, index = frames_of_page(page), 0
        cursor, at_top = frames[index].y + frames[index].height, True
    canv.setPageRotation(0)
    canv.showPage()


def _draw(canv: Canvas, block: Block, x: float, y: float, height: float) -> None:
    canv.saveState()
    canv.translate(x, y)
    block.draw(canv, height)
    canv.restoreState()
