"""Images referenced from markdown: found in the text and confined to the content folder."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")
# ![alt](target "title") — the target is the first token, optionally in <...>.
_IMAGE = re.compile(r"!\[[^\]\n]*\]\(\s*<?([^)\s>]+)")


def find_images(markdown_text: str) -> list[tuple[int, str]]:
    """(offset, target) of every inline image, in order."""
    return [(m.start(), m.group(1)) for m in _IMAGE.finditer(markdown_text)]


def check_image(content_dir: Path, target: str) -> tuple[str | None, str]:
    """Return (problem, relative posix path); problem is None when the image is usable."""
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target):
        return "only local image files are supported; put the file in the content folder", ""
    pure = PurePosixPath(target)
    if pure.is_absolute() or target.startswith("\\"):
        return "absolute paths are not allowed; use a path relative to the content folder", ""
    if ".." in pure.parts:
        return "the path leaves the content folder ('..')", ""
    if pure.suffix.lower() not in IMAGE_SUFFIXES:
        return f"unsupported image type; use one of {', '.join(IMAGE_SUFFIXES)}", ""
    resolved = (content_dir / pure).resolve()
    if not resolved.is_relative_to(content_dir):
        return "the path leads outside the content folder (through a symbolic link)", ""
    if not resolved.is_file():
        return "file not found", ""
    return None, pure.as_posix()
