"""The embedded fonts of the PDFs: the main family (DejaVu or --font-dir) and the faces it falls back to.

A character is set in the first face that has it, in this order:
  1. the main family's face for the role (regular, bold, italic, bolditalic, mono, monobold);
  2. the shipped fallback faces (fonts/fallback/: math, symbols and arrows, monochrome emoji);
  3. fonts installed on the system (fontconfig), for the characters a deck needs (FontSet.with_text);
  4. the other families in the --font-dir folder.

A --font-dir folder holds TrueType or OpenType files named as you like: roles are read from
the files (family name, OS/2 bold and italic bits, fixed pitch). The largest proportional
family is the main one, the first fixed-pitch family sets code. Files named by role
(regular.ttf, bold.ttf, italic.ttf, bolditalic.ttf, mono.ttf, monobold.ttf) still take that
role whatever is inside them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, groupby, repeat
from operator import truediv
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from ...diagnostics import ContentError, error
from ...model import Loc
from .coverage import coverage
from .fontcache import ttfont
from .fontfiles import BUNDLED_DIR, BUNDLED_FILES, FALLBACK_PATHS
from .system_fonts import SystemFace, embeddable, face_for, font_key, rank, to_truetype

ROLES = tuple(BUNDLED_FILES)
# Which role stands in for a missing one, tried in order.
FALLBACKS = {
    "bold": ("regular",),
    "italic": ("regular",),
    "bolditalic": ("bold", "italic", "regular"),
    "mono": ("regular",),
    "monobold": ("mono", "regular"),
}
FONT_SUFFIXES = (".ttf", ".otf")
MAX_CONVERTED_GLYPHS = 5000  # a Latin family converts in ~0.3 s; a CJK one would take minutes
# Control characters never reach the page as glyphs: layout consumes them.
_LAYOUT_CHARS = frozenset("\n\r\t")


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode map, with characters beyond U+FFFF as UTF-16 surrogate pairs:
    reportlab 4 writes them as five hex digits, which readers cut to four (U+1F600 -> U+1F60)."""
    def utf16(code: int) -> str:
        return chr(code).encode("utf-16-be").hex().upper()
    text = _original_cmap(fontname, subset)
    head, _, _ = text.partition(f"{len(subset)} beginbfchar")
    body = "\n".join(f"<{i:02X}> <{utf16(v)}>" for i, v in enumerate(subset))
    return (f"{head}{len(subset)} beginbfchar\n{body}\nendbfchar\nendcmap\n"
            "CMapName currentdict /CMap defineresource pop\nend\nend")


_original_cmap = getattr(ttfonts.makeToUnicodeCMap, "original", ttfonts.makeToUnicodeCMap)
_to_unicode_cmap.original = _original_cmap  # type: ignore[attr-defined]
ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # the module-level helper reportlab calls by name


@dataclass(frozen=True, eq=False)
class Face:
    """One registered font: its reportlab name, what it can draw and how wide (at size 1)."""

    name: str
    label: str
    chars: frozenset[str]
    widths: dict[str, float]  # grows by the shaped glyphs drawn (see FontSet.add_glyphs)
    default: float
    path: str | None = None  # the font file, for a shaper; None when converted in memory
    index: int = 0

    @classmethod
    def register(cls, name: str, source, label: str | None = None, index: int = 0) -> Face:
        font = (ttfont(name, source, index) if isinstance(source, str)
                else TTFont(name, source, subfontIndex=index))
        pdfmetrics.registerFont(font)
        face = font.face
        # Iterated in C: a Python loop over 6 000 characters a face is most of a cached load.
        chars = frozenset(map(chr, compress(face.charToGlyph, face.charToGlyph.values())))
        widths = dict(zip(map(chr, face.charWidths), map(truediv, face.charWidths.values(), repeat(1000)),
                          strict=False))  # repeat() is endless
        return cls(name, label or face.name.decode("latin-1"), chars, widths, face.defaultWidth / 1000,
                   source if isinstance(source, str) else None, index)


class Widths(dict):
    """Character -> width at size 1 for one role, looked up along the fallback chain once."""

    def __init__(self, fonts: FontSet, role: str) -> None:
        super().__init__(fonts.main[role].widths)
        self.fonts, self.role = fonts, role

    def __missing__(self, ch: str) -> float:
        face = self.fonts.face_for(self.role, ch) or self.fonts.main[self.role]
        width = self[ch] = face.widths.get(ch, face.default)
        return width


# eq=False: compared and hashed by identity (load_fonts is cached: one FontSet per folder and process).
@dataclass(frozen=True, eq=False)
class FontSet:
    """The faces per role and the chain behind them."""

    main: dict[str, Face]  # role -> the main family's face
    chain: tuple[Fallback, ...]  # shipped fallbacks
    late: tuple[Face, ...] = ()  # the --font-dir folder's other families
    system: dict[str, Face] = field(default_factory=dict)  # character -> system face (with_text)
    # Shaped scripts: private-use stand-ins for glyphs (shaping.GLYPH_BASE + glyph id) and the
    # text each shaped run was made from.
    glyphs: dict[str, Face] = field(default_factory=dict)
    unshaped: dict[str, str] = field(default_factory=dict)
    _memo: dict = field(default_factory=dict, repr=False)  # (role, character) -> Face | None

    @property
    def names(self) -> dict[str, str]:
        return {role: face.name for role, face in self.main.items()}

    @property
    def labels(self) -> dict[str, str]:
        return {role: face.label for role, face in self.main.items()}

    @property
    def cmaps(self) -> dict[str, frozenset[int]]:
        return {role: frozenset(map(ord, face.chars)) for role, face in self.main.items()}

    @property
    def family(self) -> str:
        return self.main["regular"].name

    @property
    def mono_family(self) -> str:
        return self.main["mono"].name

    def __getitem__(self, role: str) -> str:
        return self.main[role].name

    def has(self, role: str, ch: str) -> bool:
        """Whether the role's own face has ch (not a fallback)."""
        return ch in self.main[role].chars

    def face_for(self, role: str, ch: str) -> Face | None:
        key = (role, ch)
        if key not in self._memo:
            self._memo[key] = self._find(role, ch)
        return self._memo[key]

    def _find(self, role: str, ch: str) -> Face | None:
        if ch in self.glyphs:
            return self.glyphs[ch]
        if ch in self.main[role].chars:
            return self.main[role]
        if ch in self.main["regular"].chars:  # bold or code lacks it: the upright face has it
            return self.main["regular"]
        for fallback in self.chain:
            if fallback.covers(ch) and ch in fallback.face.chars:
                return fallback.face
        if ch in self.system:
            return self.system[ch]
        return next((f for f in self.late if ch in f.chars), None)

    def missing(self, role: str, text: str) -> list[str]:
        """Characters of text no face can draw, in order, once each."""
        seen: dict[str, None] = {}
        for ch in text:
            if ch not in _LAYOUT_CHARS and self.face_for(role, ch) is None:
                seen[ch] = None
        return list(seen)

    def runs(self, role: str, text: str) -> list[tuple[str, str]]:
        """(font name, text) runs: one lookup per run of characters the main face has."""
        main = self.main[role]
        if main.chars.issuperset(text):
            return [(main.name, text)]
        return [(face.name, "".join(chars)) for face, chars in
                groupby(text, lambda ch: self.face_for(role, ch) or main)]

    def add_glyphs(self, face: Face, glyphs: list[tuple[int, int, str]], shaped: str,
                   original: str) -> None:
        """Make face draw the stand-ins of shaped glyphs: (code point, glyph id, advance in
        font units). reportlab embeds by code point, so each glyph gets one of its own."""
        font = pdfmetrics.getFont(face.name).face
        em = 1000 / font.unitsPerEm
        for code, gid, advance in glyphs:
            font.charToGlyph[code] = gid
            font.charWidths[code] = advance * em
            face.widths[chr(code)] = advance * em / 1000
            self.glyphs[chr(code)] = face
        self.unshaped[shaped] = original

    def widths(self, role: str) -> Widths:
        key = ("widths", role)
        if key not in self._memo:
            self._memo[key] = Widths(self, role)
        return self._memo[key]

    def with_text(self, chars: set[str] | frozenset[str]) -> FontSet:
        """This set plus the system faces for those of chars the main family and the shipped
        fallbacks lack; the same chars always give the same faces (and the same PDF)."""
        regular = self.main["regular"].chars
        wanted = sorted(c for c in chars if c not in regular and c not in _LAYOUT_CHARS
                        and not c.isspace() and not any(f.covers(c) for f in self.chain))
        system = _system_faces(tuple(wanted)) if wanted else {}
        return dataclasses.replace(self, system=system, glyphs={}, unshaped={}, _memo={})


def _system_faces(wanted: tuple[str, ...]) -> dict[str, Face]:
    """Character -> registered system face; a face reportlab or the converter refuses (no
    embedding allowed, a broken file) is passed over for the next one that has the character."""
    refused: set[SystemFace] = set()
    while True:
        faces: dict[str, Face] = {}
        for sys_face, chars in _assign(wanted, refused).items():
            try:
                face = _register_system(sys_face, "".join(chars))
            except Exception:  # noqa: BLE001 (any failure of a system file: try the next face)
                refused.add(sys_face)
                break
            faces.update((c, face) for c in chars if c in face.chars)
        else:
            return faces


def _assign(wanted: tuple[str, ...], refused: set) -> dict[SystemFace, list[str]]:
    """The best face for each character, then each character moved to the chosen face that
    covers most of them: a script's shared signs (the danda, CJK punctuation) stay with it."""
    best = {ch: face_for(ord(ch), refused) for ch in wanted}
    chosen = sorted({f for f in best.values() if f is not None},
                    key=lambda f: (-sum(f.covers(ord(c)) for c in wanted), rank(f)))
    by_face: dict[SystemFace, list[str]] = {}
    for ch, found in best.items():
        if found is not None:
            found = next(f for f in chosen if f.covers(ord(ch)))
            by_face.setdefault(found, []).append(ch)
    return by_face


@lru_cache(maxsize=64)
def _register_system(face: SystemFace, chars: str) -> Face:
    if face.cff:
        data = embeddable(face.path, face.index, chars)
        name = "StudySys-" + font_key(face.path, face.index, chars)
        return Face.register(name, io.BytesIO(data), face.label)
    name = "StudySys-" + font_key(face.path, face.index)
    return Face.register(name, face.path, face.label, face.index)


@dataclass(frozen=True)
class Fallback:
    """A shipped fallback face. Most decks never need one: which characters it has comes from
    its cached character map, and it is registered with reportlab the first time one is drawn."""

    name: str
    path: Path

    def covers(self, ch: str) -> bool:
        return ord(ch) in coverage(self.path)

    @property
    def face(self) -> Face:
        return _registered(self.name, str(self.path))


@lru_cache(maxsize=8)
def _registered(name: str, path: str) -> Face:
    return Face.register(name, path)


@lru_cache(maxsize=1)
def shipped_chain() -> tuple[Fallback, ...]:
    return tuple(Fallback(f"StudyFallback{i}", path) for i, path in enumerate(FALLBACK_PATHS))


# The main family


@dataclass(frozen=True)
class FontFile:
    path: Path
    family: str
    bold: bool
    italic: bool
    fixed: bool
    cff: bool


def _read(path: Path) -> FontFile:
    from fontTools.ttLib import TTFont as ToolsFont

    try:
        font = ToolsFont(str(path), lazy=True)
        names = font["name"]
        family = str(names.getDebugName(16) or names.getBestFamilyName())
        selection = font["OS/2"].fsSelection if "OS/2" in font else 0
        mac = font["head"].macStyle
        return FontFile(path, family, bool(selection & 0x20 or mac & 1),
                        bool(selection & 0x01 or mac & 2),
                        bool(font["post"].isFixedPitch) if "post" in font else False,
                        "CFF " in font)
    except Exception as exc:  # noqa: BLE001 (any unreadable file is the user's to fix)
        raise ContentError([error(str(path), Loc(1, 1), f"cannot use this font file: {exc}")]) from exc


def _role_of(f: FontFile, mono: bool) -> str:
    if mono:
        return "monobold" if f.bold else "mono"
    return {(False, False): "regular", (True, False): "bold",
            (False, True): "italic", (True, True): "bolditalic"}[(f.bold, f.italic)]


def _font_files(font_dir: Path | None) -> tuple[dict[str, Path], list[Path]]:
    """role -> file of the main family, and the folder's other files (late fallbacks)."""
    if font_dir is None:
        return {role: BUNDLED_DIR / name for role, name in BUNDLED_FILES.items()}, []
    files = sorted(p for p in font_dir.iterdir() if p.suffix.lower() in FONT_SUFFIXES and p.is_file()) \
        if font_dir.is_dir() else []
    named = {p.stem.lower(): p for p in files if p.stem.lower() in ROLES}
    read = [_read(p) for p in files if p not in named.values()]
    found: dict[str, Path] = dict(named)
    proportional = [f for f in read if not f.fixed]
    mono = next((f.family for f in read if f.fixed), None)
    families = sorted({f.family for f in proportional},
                      key=lambda fam: (-sum(f.family == fam for f in proportional), fam))
    main = (families[0] if families else mono) if "regular" not in found else None
    used: set[Path] = set(named.values())
    for f in read:
        if f.family in (main, mono):
            role = _role_of(f, f.family == mono and f.family != main)
            if role not in found:
                found[role] = f.path
                used.add(f.path)
    if "regular" not in found:
        main_files = [f.path for f in read if f.family == main]
        if not main_files:
            raise ContentError([error(str(font_dir / "regular.ttf"), Loc(1, 1),
                                      "the font folder has no font file (regular.ttf, or any "
                                      ".ttf or .otf; see --font-dir)")])
        found["regular"] = main_files[0]
    for role in ROLES:
        if role not in found:
            found[role] = next(found[r] for r in FALLBACKS[role] if r in found)
    late = [f.path for f in read if f.path not in used and not f.bold and not f.italic]
    return found, late


def _register_file(name: str, path: Path) -> Face:
    try:
        source = path if not _is_cff(path) else io.BytesIO(_converted(str(path)))
        return Face.register(name, source if isinstance(source, io.BytesIO) else str(source))
    except (TTFError, OSError) as exc:
        raise ContentError([error(str(path), Loc(1, 1), f"cannot use this font file: {exc}")]) from exc


def _is_cff(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"OTTO"


@lru_cache(maxsize=16)
def _converted(path: str) -> bytes:
    """A CFF-flavoured .otf in --font-dir, converted whole to TrueType outlines."""
    from fontTools.ttLib import TTFont as ToolsFont

    font = ToolsFont(path, recalcTimestamp=False)  # same file, same bytes: reproducible PDFs
    if len(font.getGlyphOrder()) > MAX_CONVERTED_GLYPHS:
        raise TTFError(f"PostScript (CFF) outlines in a font of {len(font.getGlyphOrder())} glyphs "
                       "take too long to convert on each build; convert it to TrueType once "
                       "(fontTools' otf2ttf) or install it for the system, where only the "
                       "characters a deck uses are converted")
    to_truetype(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=8)
def load_fonts(font_dir: Path | None = None) -> FontSet:
    """Register the family once per process (reportlab's registry is global) and return it."""
    files, late_files = _font_files(font_dir)
    # Distinct folders get distinct names so two families can coexist in one process.
    prefix = "StudySans" if font_dir is None else "Study" + hashlib.sha1(
        str(font_dir.resolve()).encode()).hexdigest()[:8]
    main = {role: _register_file(f"{prefix}-{role}", path) for role, path in files.items()}
    late = tuple(_register_file(f"{prefix}-late{i}", p) for i, p in enumerate(late_files))
    names = {role: face.name for role, face in main.items()}
    pdfmetrics.registerFontFamily(names["regular"], normal=names["regular"], bold=names["bold"],
                                  italic=names["italic"], boldItalic=names["bolditalic"])
    # Code has no italic face: <i> inside code keeps the upright one.
    pdfmetrics.registerFontFamily(names["mono"], normal=names["mono"], bold=names["monobold"],
                                  italic=names["mono"], boldItalic=names["monobold"])
    return FontSet(main=main, chain=shipped_chain(), late=late)
