"""The embedded TrueType family of the PDFs: bundled DejaVu or a user's --font-dir, and glyph coverage.

A --font-dir folder holds one family as TrueType (glyf-outline) files named by role:

    regular.ttf      required
    bold.ttf         optional, falls back to regular.ttf
    italic.ttf       optional, falls back to regular.ttf
    bolditalic.ttf   optional, falls back to bold.ttf, then italic.ttf, then regular.ttf
    mono.ttf         optional (code), falls back to regular.ttf
    monobold.ttf     optional, falls back to mono.ttf
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from ...diagnostics import ContentError, error
from ...model import Loc

BUNDLED_DIR = Path(__file__).resolve().parent / "fonts"
BUNDLED_FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
    "bolditalic": "DejaVuSans-BoldOblique.ttf",
    "mono": "DejaVuSansMono.ttf",
    "monobold": "DejaVuSansMono-Bold.ttf",
}
ROLES = tuple(BUNDLED_FILES)
# Which role stands in for a missing file in a --font-dir, tried in order.
FALLBACKS = {
    "bold": ("regular",),
    "italic": ("regular",),
    "bolditalic": ("bold", "italic", "regular"),
    "mono": ("regular",),
    "monobold": ("mono", "regular"),
}
# Control characters never reach the page as glyphs: layout consumes them.
_LAYOUT_CHARS = frozenset("\n\r\t")


# eq=False: compared and hashed by identity (load_fonts is cached: one FontSet per folder and process).
@dataclass(frozen=True, eq=False)
class FontSet:
    """Registered reportlab font names per role, and each role's character map."""

    names: dict[str, str]  # role -> registered font name
    labels: dict[str, str]  # role -> human name for messages, e.g. "DejaVuSans-Bold"
    cmaps: dict[str, frozenset[int]]  # role -> code points that have a real glyph
    family: str  # registered family: <b>/<i> in paragraph markup map through it
    mono_family: str

    def __getitem__(self, role: str) -> str:
        return self.names[role]

    def missing(self, role: str, text: str) -> list[str]:
        """Characters of text the role's font has no glyph for, in order, once each."""
        cmap = self.cmaps[role]
        seen: dict[str, None] = {}
        for ch in text:
            if ord(ch) not in cmap and ch not in _LAYOUT_CHARS:
                seen[ch] = None
        return list(seen)

    def has(self, role: str, ch: str) -> bool:
        return ord(ch) in self.cmaps[role]


def _font_files(font_dir: Path | None) -> dict[str, Path]:
    if font_dir is None:
        return {role: BUNDLED_DIR / name for role, name in BUNDLED_FILES.items()}
    found = {role: font_dir / f"{role}.ttf" for role in ROLES if (font_dir / f"{role}.ttf").is_file()}
    if "regular" not in found:
        raise ContentError([error(str(font_dir / "regular.ttf"), Loc(1, 1),
                                  "the font folder has no regular.ttf (see --font-dir)")])
    for role in ROLES:
        if role not in found:
            found[role] = next(found[r] for r in FALLBACKS[role] if r in found)
    return found


@lru_cache(maxsize=8)
def load_fonts(font_dir: Path | None = None) -> FontSet:
    """Register the family once per process (reportlab's registry is global) and return it."""
    files = _font_files(font_dir)
    # Distinct folders get distinct names so two families can coexist in one process.
    prefix = "StudySans" if font_dir is None else "Study" + hashlib.sha1(
        str(font_dir.resolve()).encode()).hexdigest()[:8]
    fonts: dict[str, TTFont] = {}
    for role, path in files.items():
        try:
            fonts[role] = TTFont(f"{prefix}-{role}", str(path))
        except (TTFError, OSError) as exc:
            raise ContentError([error(str(path), Loc(1, 1),
                                      f"cannot use this font file: {exc}")]) from exc
        pdfmetrics.registerFont(fonts[role])
    names = {role: font.fontName for role, font in fonts.items()}
    family, mono_family = names["regular"], names["mono"]
    pdfmetrics.registerFontFamily(family, normal=names["regular"], bold=names["bold"],
                                  italic=names["italic"], boldItalic=names["bolditalic"])
    # Code has no italic face: <i> inside code keeps the upright one.
    pdfmetrics.registerFontFamily(mono_family, normal=names["mono"], bold=names["monobold"],
                                  italic=names["mono"], boldItalic=names["monobold"])
    return FontSet(
        names=names,
        labels={role: font.face.name.decode("latin-1") for role, font in fonts.items()},
        cmaps={role: frozenset(c for c, g in font.face.charToGlyph.items() if g)
               for role, font in fonts.items()},
        family=family,
        mono_family=mono_family,
    )
