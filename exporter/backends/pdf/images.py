"""Local images of the content folder: PNG, JPEG and GIF through reportlab, SVG through svglib.

Each file is read once; its natural size is in points (raster pixels at 96 dpi). A src is
a URL path as the parse tree normalised it (`with%20space.png`), so it is unquoted to
find the file. svglib is imported only for an SVG.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .blocks import Block, Image


@dataclass(frozen=True)
class Picture:
    natural: tuple[float, float]  # points
    path: Path
    drawing: object = None  # an SVG as a reportlab Drawing; None for a raster image

    def draw(self, canv: Canvas, x: float, y: float, scale: float) -> None:
        w, h = self.natural
        if self.drawing is None:
            # An ImageReader, not the path: reportlab names the image after what it is given,
            # and a name made from the path would make the PDF depend on the folder it was built in.
            canv.drawImage(ImageReader(str(self.path)), x, y, w * scale, h * scale, mask="auto")
            return
        from reportlab.graphics import renderPDF

        canv.saveState()
        canv.translate(x, y)
        canv.scale(scale, scale)
        renderPDF.draw(self.drawing, canv, 0, 0)
        canv.restoreState()


class ImageFiles:
    def __init__(self, content_dir: Path) -> None:
        self.content_dir = content_dir
        self._pictures: dict[str, Picture | None] = {}

    def picture(self, src: str) -> Picture | None:
        if src not in self._pictures:
            self._pictures[src] = _read(self.content_dir / unquote(src))
        return self._pictures[src]

    def missing(self, blocks: list[Block]) -> list[str]:
        return [b.src for b in blocks if isinstance(b, Image) and self.picture(b.src) is None]


def _read(path: Path) -> Picture | None:
    if path.suffix.lower() == ".svg":
        return _read_svg(path)
    try:
        px = ImageReader(str(path)).getSize()
    except OSError:
        return None
    return Picture((px[0] * 0.75, px[1] * 0.75), path)


def _read_svg(path: Path) -> Picture | None:
    from svglib.svglib import svg2rlg

    try:
        drawing = svg2rlg(str(path))
    except Exception:  # noqa: BLE001 (svglib raises whatever its XML parser meets)
        return None
    if drawing is None or not drawing.width or not drawing.height:
        return None
    return Picture((float(drawing.width), float(drawing.height)), path, drawing)
