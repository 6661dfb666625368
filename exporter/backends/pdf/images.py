"""Local images of the content folder: PNG, JPEG and GIF through reportlab, SVG through svglib.

The bytes come from the build (BuildContext.media: read once, through the confinement
checks); no path is ever opened here. Natural sizes are in points (raster pixels at 96 dpi).
A src is a URL path as the parse tree normalised it (`with%20space.png`): markup.images
turns it into the media key. svglib is imported only for an SVG.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from ...markup.images import local_path
from .blocks import Block, Image


@dataclass(frozen=True)
class Picture:
    natural: tuple[float, float]  # points
    data: bytes
    drawing: object = None  # an SVG as a reportlab Drawing; None for a raster image

    def draw(self, canv: Canvas, x: float, y: float, scale: float) -> None:
        w, h = self.natural
        if self.drawing is None:
            # An ImageReader of the bytes: reportlab names the image after its content, so the
            # PDF never depends on the folder it was built in.
            canv.drawImage(ImageReader(io.BytesIO(self.data)), x, y, w * scale, h * scale, mask="auto")
            return
        from reportlab.graphics import renderPDF

        canv.saveState()
        canv.translate(x, y)
        canv.scale(scale, scale)
        renderPDF.draw(self.drawing, canv, 0, 0)
        canv.restoreState()


class ImageFiles:
    def __init__(self, media: Mapping[str, bytes]) -> None:
        self.media = media
        self._pictures: dict[str, Picture | None] = {}

    def picture(self, src: str) -> Picture | None:
        """The image a src names; None when the build holds no such image (remote, unread)."""
        if src not in self._pictures:
            relative = local_path(src)
            data = self.media.get(relative) if relative is not None else None
            self._pictures[src] = None if data is None else _read(relative, data)
        return self._pictures[src]

    def missing(self, blocks: list[Block]) -> list[str]:
        return [b.src for b in blocks if isinstance(b, Image) and self.picture(b.src) is None]


def _read(name: str, data: bytes) -> Picture | None:
    if name.lower().endswith(".svg"):
        return _read_svg(data)
    try:
        px = ImageReader(io.BytesIO(data)).getSize()
    except OSError:
        return None
    return Picture((px[0] * 0.75, px[1] * 0.75), data)


def _read_svg(data: bytes) -> Picture | None:
    import logging

    from svglib.svglib import svg2rlg

    # From bytes, svglib refuses every file an SVG references (nothing outside the confined
    # media is read) and logs an error for each; the picture is drawn without them.
    log = logging.getLogger("svglib.svglib")
    level, log.level = log.level, logging.CRITICAL
    try:
        drawing = svg2rlg(io.BytesIO(data))
    except Exception:  # noqa: BLE001 (svglib raises whatever its XML parser meets)
        return None
    finally:
        log.setLevel(level)
    if drawing is None or not drawing.width or not drawing.height:
        return None
    return Picture((float(drawing.width), float(drawing.height)), data, drawing)
