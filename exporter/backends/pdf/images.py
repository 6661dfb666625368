"""Local images of the content folder: their pixel sizes, read once, and which cannot be read."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.utils import ImageReader

from .blocks import Block, Image


class ImageFiles:
    def __init__(self, content_dir: Path) -> None:
        self.content_dir = content_dir
        self._sizes: dict[str, tuple[int, int] | None] = {}

    def path(self, src: str) -> Path:
        return self.content_dir / src

    def size(self, src: str) -> tuple[int, int] | None:
        if src not in self._sizes:
            try:
                self._sizes[src] = ImageReader(str(self.path(src))).getSize()
            except OSError:
                self._sizes[src] = None
        return self._sizes[src]

    def missing(self, blocks: list[Block]) -> list[str]:
        return [b.src for b in blocks if isinstance(b, Image) and self.size(b.src) is None]
