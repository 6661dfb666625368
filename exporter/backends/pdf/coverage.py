"""Which characters the shipped faces draw, read from their character maps and kept across runs.

validate asks only whether the PDFs could draw every character of a deck. Registering the
font family with reportlab answers that too, but parses every face (0.2 s); the character
maps alone, cached per file, answer it in a few milliseconds for the usual deck that the
shipped faces cover. Anything they do not cover is left to the full check.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from ...atomic import replace_file
from .fontfiles import BUNDLED_DIR, BUNDLED_FILES, FALLBACK_PATHS
from .mathcache import cache_dir

SHIPPED = (BUNDLED_DIR / BUNDLED_FILES["regular"], *FALLBACK_PATHS)


def shipped_faces_draw(chars: set[str]) -> bool:
    """True when the shipped regular face and fallback chain have a glyph for every one of
    `chars` (line breaks and other control characters are never drawn and are ignored)."""
    wanted = {ord(c) for c in chars if c >= " " and c != "\x7f"}
    for path in SHIPPED:
        wanted -= coverage(path)
        if not wanted:
            return True
    return False


@cache
def coverage(path: Path) -> frozenset[int]:
    stat = path.stat()
    name = hashlib.sha256(f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()
    cached = cache_dir() / "fonts" / f"{name}.json"
    try:
        return frozenset(json.loads(cached.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        points = frozenset(font.getBestCmap() or {})
    _store(cached, sorted(points))
    return points


def _store(path: Path, points: list[int]) -> None:
    """Written whole or not at all; a folder that cannot be written only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, json.dumps(points).encode("utf-8"))
    except OSError:
        pass
