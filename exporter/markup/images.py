"""Images found in the parse tree (never in code), where they were written, and whether they are usable."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from markdown_it.tree import SyntaxTreeNode

from ..sources.files import ConfinementError, confined_path, read_confined

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # a 8000 × 5000 photo; a decompression bomb is far above
SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".svg": "SVG"}
_MAGIC = {"PNG": (b"\x89PNG\r\n\x1a\n",), "JPEG": (b"\xff\xd8\xff",), "GIF": (b"GIF87a", b"GIF89a")}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|//")
_WEB = re.compile(r"(?:https?:)?//", re.IGNORECASE)


class ImageError(ValueError):
    """An image the deck names cannot go into the outputs."""


@dataclass(frozen=True)
class ImageRef:
    """One image as the tree holds it: its source (percent-encoded) and its offset in the field."""

    src: str
    offset: int

    @property
    def remote(self) -> bool:
        """A web image: reported, shown as a link, never fetched from a card."""
        return bool(_WEB.match(self.src))


def local_path(src: str) -> str | None:
    """The file a local image names, relative to the content folder; None for a URL."""
    if _SCHEME.match(src):
        return None
    return PurePosixPath(unquote(src)).as_posix()


def find_images(tree: SyntaxTreeNode, text: str) -> list[ImageRef]:
    """Every image of a field in order, code excluded (code holds text, never image nodes)."""
    if "![" not in text and "<img" not in text.lower():
        return []  # most fields: no tree walk
    found: list[ImageRef] = []
    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
    search_from = 0
    for node in tree.walk():
        if node.type != "image":
            continue
        src = str(node.attrs.get("src", ""))
        alt = "".join(child.content for child in node.walk() if child.type == "text")
        block = _block_span(node, line_starts, len(text))
        offset = _written_at(text, src, alt, block, search_from)
        search_from = offset + 1
        found.append(ImageRef(src, offset))
    return found


def _block_span(node: SyntaxTreeNode, line_starts: list[int], end: int) -> tuple[int, int]:
    """The offsets of the lines of the block holding `node`."""
    while node is not None and node.map is None:
        node = node.parent
    if node is None:
        return 0, end
    first, last = node.map
    stop = line_starts[last] if last < len(line_starts) else end
    return line_starts[min(first, len(line_starts) - 1)], stop


def _written_at(text: str, src: str, alt: str, block: tuple[int, int], search_from: int) -> int:
    """Where the image is written: its source in its block, else (a reference image, whose
    source is in a definition) its `![alt`, else its definition."""
    start, stop = max(block[0], min(search_from, block[1])), block[1]
    forms = list(dict.fromkeys((src, unquote(src))))
    for form in forms:
        at = text.find(form, start, stop)
        if at >= 0:
            return _image_start(text, at)
    at = text.find(f"![{alt}", start, stop)
    if at >= 0:
        return at
    for form in forms:
        at = text.find(form)
        if at >= 0:
            return _image_start(text, at)
    return block[0]


def _image_start(text: str, at: int) -> int:
    """The `![` or `<img` that the source at `at` belongs to, when it is on the same line."""
    line_start = text.rfind("\n", 0, at) + 1
    starts = (text.rfind("![", line_start, at), text.lower().rfind("<img", line_start, at))
    return max(starts) if max(starts) >= 0 else at


def check_name(src: str) -> str | None:
    """Why a local image's name cannot be used, else None."""
    if _SCHEME.match(src):
        return "only local image files are supported; put the file in the content folder"
    if "#" in src or "?" in src:
        return "a '#' or '?' in an image path starts a URL fragment or query; rename the file"
    return None


def load_image(content_dir: Path, relative: str) -> bytes:
    """The bytes of a local image (a local_path), checked: confined, bounded, and really
    the type it claims. Validation and every backend read images through here."""
    try:
        confined_path(content_dir, relative)
        if PurePosixPath(relative).suffix.lower() not in SUFFIXES:
            raise ImageError(f"unsupported image type; use one of {', '.join(SUFFIXES)}")
        data = read_confined(content_dir, relative, MAX_IMAGE_BYTES)
    except ConfinementError as exc:
        raise ImageError(str(exc)) from None
    kind = SUFFIXES[PurePosixPath(relative).suffix.lower()]
    if kind == "SVG":
        _check_svg(data)
    else:
        _check_raster(data, kind)
    return data


def _check_svg(data: bytes) -> None:
    head = data[:4096].decode("utf-8", errors="replace")
    if "<svg" not in head:
        raise ImageError("not an SVG image (no <svg> element at its start)")


def _check_raster(data: bytes, kind: str) -> None:
    if not data.startswith(_MAGIC[kind]):
        raise ImageError(f"not a {kind} image (its first bytes say otherwise)")
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ImageError(f"the image is {width} × {height} pixels; the limit is "
                                     f"{MAX_IMAGE_PIXELS:,} pixels")
                image.load()  # decodes every byte: a truncated file fails here
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"the image has more than {MAX_IMAGE_PIXELS:,} pixels (a decompression "
                         "bomb?); scale it down") from None
    except Exception:  # Pillow raises many types for broken files; all mean the same
        raise ImageError(f"the {kind} file is damaged or truncated") from None
