"""Fonts installed on the machine: found by fontconfig (or in the usual folders), made embeddable.

reportlab embeds only TrueType (glyf) outlines, while many system fonts (Noto CJK among them)
are CFF-flavoured OpenType. Such a face is cut down to the characters a deck needs and its
cubic outlines converted to quadratic ones with fontTools, in memory, before reportlab sees it.
"""

from __future__ import annotations

import bisect
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SCAN_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts",
             Path.home() / ".local/share/fonts")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
_REGULAR_STYLES = ("regular", "book", "normal", "roman")


@dataclass(frozen=True)
class SystemFace:
    path: str
    index: int  # the face's number inside a collection (.ttc)
    family: str
    style: str
    cff: bool  # PostScript outlines: converted before use
    starts: tuple[int, ...]  # covered code points as sorted ranges [starts[i], ends[i]]
    ends: tuple[int, ...]

    def covers(self, code: int) -> bool:
        i = bisect.bisect_right(self.starts, code) - 1
        return i >= 0 and code <= self.ends[i]

    @property
    def label(self) -> str:
        return f"{self.family} {self.style} ({self.path})"


def rank(face: SystemFace) -> tuple:
    """Upright regular sans faces first; TrueType before CFF, which costs a conversion."""
    style = face.style.lower()
    family = face.family.lower()
    return (style not in _REGULAR_STYLES, face.cff, "mono" in family, "serif" in family,
            face.family, face.path, face.index)


def _ranges(charset: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    starts, ends = [], []
    for part in charset.split():
        low, _, high = part.partition("-")
        starts.append(int(low, 16))
        ends.append(int(high or low, 16))
    return tuple(starts), tuple(ends)


def _from_fontconfig(fc_list: str) -> list[SystemFace]:
    import subprocess  # only a deck with characters beyond the shipped fonts asks

    fmt = "%{file}\t%{index}\t%{family[0]}\t%{style[0]}\t%{fontformat}\t%{charset}\n"
    out = subprocess.run([fc_list, "--format", fmt, ":outline=true"], capture_output=True,
                         text=True, check=False, timeout=60).stdout
    faces = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != 6 or not parts[0].lower().endswith(FONT_SUFFIXES):
            continue  # Type 1 and bitmap fonts cannot be embedded by reportlab
        path, index, family, style, fmt_name, charset = parts
        faces.append(SystemFace(path, int(index or 0), family, style, fmt_name == "CFF",
                                *_ranges(charset)))
    return faces


def _from_scan() -> list[SystemFace]:
    """Without fontconfig: read the character map of every font file in the usual folders."""
    from fontTools.ttLib import TTCollection, TTFont

    faces = []
    for folder in SCAN_DIRS:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.suffix.lower() not in FONT_SUFFIXES:
                continue
            try:
                fonts = (TTCollection(str(path), lazy=True).fonts
                         if path.suffix.lower() in (".ttc", ".otc") else [TTFont(str(path), lazy=True)])
                for index, font in enumerate(fonts):
                    codes = sorted(font.getBestCmap() or {})
                    name = font["name"]
                    faces.append(SystemFace(str(path), index, str(name.getBestFamilyName()),
                                            str(name.getBestSubFamilyName()), "CFF " in font,
                                            tuple(codes), tuple(codes)))
            except Exception:  # noqa: BLE001 (a broken file on the system is skipped, not fatal)
                continue
    return faces


@lru_cache(maxsize=1)
def system_faces() -> tuple[SystemFace, ...]:
    """Every embeddable face on the machine, best first; read once per process."""
    import shutil

    fc_list = shutil.which("fc-list")
    faces = _from_fontconfig(fc_list) if fc_list else _from_scan()
    return tuple(sorted(faces, key=rank))


def face_for(code: int, refused: set[SystemFace] | frozenset = frozenset()) -> SystemFace | None:
    return next((f for f in system_faces() if f.covers(code) and f not in refused), None)


@lru_cache(maxsize=64)
def embeddable(path: str, index: int, chars: str) -> bytes:
    """A TrueType font holding chars (and .notdef) from a CFF face: subset, then converted."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True, recalcTimestamp=False)  # reproducible PDFs
    options = subset.Options()
    options.layout_features, options.hinting, options.name_IDs = [], False, ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    if "CFF " in font:
        to_truetype(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def to_truetype(font) -> None:
    """Replace a font's CFF outlines by quadratic glyf ones (fontTools' otf2ttf recipe)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    glyph_set, order = font.getGlyphSet(), font.getGlyphOrder()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    font.sfntVersion = "\0\1\0\0"


def font_key(*parts: object) -> str:
    """A short stable name for a registered font: the same inputs give the same PDF."""
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:10]
