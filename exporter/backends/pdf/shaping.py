"""Right-to-left and joined scripts: Arabic joined forms, bidi visual order, logical text for extraction.

reportlab draws characters through a font's character map, one glyph per code point, so a
shaper that returns glyph ids (HarfBuzz) cannot feed it. arabic-reshaper returns the joined
forms as code points (the Arabic Presentation Forms, which DejaVu and Noto have), and
python-bidi's implementation of the bidi algorithm (UAX #9) orders a line for display; both
cost about 0.03 ms a line (HarfBuzz shapes a line in 0.002 ms, but its output would need
glyph-level embedding). Lines are drawn in display order, as PDF text extractors expect:
pdftotext reorders such lines back to logical order (an ActualText span, tried too, is read
by poppler and then reversed a second time, so none is written).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportlab.pdfgen.textobject import PDFTextObject

# Strong right-to-left letters: Hebrew, Arabic, Syriac, Thaana, NKo and their presentation forms.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_SHAPED = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\u0900-\u097f\ua8e0-\ua8ff]")
_INDIC = re.compile("[\u0900-\u097f\ua8e0-\ua8ff]+")
GLYPH_BASE = 0xF0000  # plane-15 private use: a shaped glyph's stand-in is GLYPH_BASE + glyph id
GLYPH_CHAR = chr(GLYPH_BASE)


# The shaping libraries load only for a deck that needs them (~0.1 s of start-up otherwise).
@lru_cache(maxsize=1)
def _reshaper():
    import arabic_reshaper

    return arabic_reshaper.ArabicReshaper({"delete_harakat": False, "support_ligatures": True})


def _uba():
    from bidi import algorithm

    return algorithm


def has_rtl(text: str) -> bool:
    return _RTL.search(text) is not None


def shape(text: str, fonts=None) -> str:
    """Arabic letters in their joined (presentation) forms; Devanagari shaped by HarfBuzz into
    glyph stand-ins (with fonts); other text unchanged."""
    if not _SHAPED.search(text):
        return text
    if _ARABIC.search(text):
        text = _reshaper().reshape(text)
    if fonts is not None and _INDIC.search(text):
        text = _INDIC.sub(lambda m: _shaped(m.group(), fonts), text)
    return text


def _shaped(segment: str, fonts) -> str:
    """A run of Devanagari as private-use stand-ins of the glyphs HarfBuzz picks (conjuncts,
    half forms, reordered vowel signs), which fonts learns to draw; unchanged without a font file."""
    import uharfbuzz as hb

    face = fonts.face_for("regular", segment[0])
    if face is None or face.path is None:
        return segment
    buffer = hb.Buffer()
    buffer.add_str(segment)
    buffer.guess_segment_properties()
    hb.shape(_hb_font(face.path, face.index), buffer, {})
    glyphs = [(GLYPH_BASE + info.codepoint, info.codepoint, pos.x_advance)
              for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True)]
    shaped = "".join(chr(code) for code, _, _ in glyphs)
    fonts.add_glyphs(face, glyphs, shaped, segment)
    return shaped


@lru_cache(maxsize=16)
def _hb_font(path: str, index: int):
    import uharfbuzz as hb

    return hb.Font(hb.Face(hb.Blob.from_file_path(path), index))


def show(text: PDFTextObject, fonts, run: str) -> None:
    """Draw run; shaped glyphs inside a span whose ActualText is the text they were made from,
    so extraction and search read the letters, not the glyph stand-ins."""
    original = fonts.unshaped.get(run) if run and run[0] >= GLYPH_CHAR else None
    if original is None:
        text.textOut(run)
        return
    encoded = ("\ufeff" + original).encode("utf-16-be").hex().upper()
    # reportlab has no marked-content call in text objects; BDC/EMC are legal inside BT/ET.
    text._code.append(f"/Span <</ActualText <{encoded}>>> BDC")
    text.textOut(run)
    text._code.append("EMC")


def is_rtl_paragraph(text: str) -> bool:
    """The paragraph direction of the bidi algorithm: its first strong character's (P2, P3)."""
    return has_rtl(text) and _uba().get_base_level(text) == 1


Piece = tuple  # (text, face, width at size 1) as layout draws them


def visual(pieces: list[Piece], rtl: bool, width: Callable[[str, object], float]) -> list[Piece]:
    """Pieces of one line (logical order) regrouped in display order; mirrored brackets swapped."""
    uba = _uba()
    chars = [(ch, face) for text, face, _ in pieces for ch in text]
    storage = uba.get_empty_storage()
    storage["base_level"] = 1 if rtl else 0
    storage["base_dir"] = "R" if rtl else "L"
    uba.get_embedding_levels("".join(ch for ch, _ in chars), storage)
    for i, entry in enumerate(storage["chars"]):
        entry["at"] = i  # rides along through the reordering
    for step in (uba.explicit_embed_and_overrides, uba.resolve_weak_types,
                 uba.resolve_neutral_types, uba.resolve_implicit_levels,
                 uba.reorder_resolved_levels, uba.apply_mirroring):
        step(storage, False)
    out: list[Piece] = []
    run: list[str] = []
    face = None
    for entry in storage["chars"]:
        this = chars[entry["at"]][1]
        if run and this is not face:
            out.append(("".join(run), face, width("".join(run), face)))
            run = []
        run.append(entry["ch"])
        face = this
    if run:
        out.append(("".join(run), face, width("".join(run), face)))
    return out


def display(text: str) -> str:
    """A one-line string (a title, a header) joined and in display order."""
    text = shape(text)
    return _uba().get_display(text) if has_rtl(text) else text


def string_width(fonts, role: str, text: str, size: float) -> float:
    widths = fonts.widths(role)
    return sum(widths[ch] for ch in text) * size


def draw_string(canvas, fonts, role: str, size: float, x: float, y: float, text: str,
                anchor: str = "left") -> None:
    """One line outside the layout (footers, card headers), each run in the font that has it."""
    text = display(text)
    if anchor == "right":
        x -= string_width(fonts, role, text, size)
    obj = canvas.beginText(x, y)
    for name, run in fonts.runs(role, text):
        obj.setFont(name, size)
        obj.textOut(run)
    canvas.drawText(obj)


def fit_string(fonts, role: str, text: str, width: float, size: float) -> str:
    """Cut text to width, ending with an ellipsis when cut."""
    if string_width(fonts, role, text, size) <= width:
        return text
    while text and string_width(fonts, role, text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"
