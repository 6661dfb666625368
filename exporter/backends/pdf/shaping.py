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

import arabic_reshaper
from bidi import algorithm as uba

# Strong right-to-left letters: Hebrew, Arabic, Syriac, Thaana, NKo and their presentation forms.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_RESHAPER = arabic_reshaper.ArabicReshaper({"delete_harakat": False, "support_ligatures": True})


def has_rtl(text: str) -> bool:
    return _RTL.search(text) is not None


def shape(text: str) -> str:
    """Arabic letters in their joined (presentation) forms; other text unchanged."""
    return _RESHAPER.reshape(text) if _ARABIC.search(text) else text


def is_rtl_paragraph(text: str) -> bool:
    """The paragraph direction of the bidi algorithm: its first strong character's (P2, P3)."""
    return has_rtl(text) and uba.get_base_level(text) == 1


Piece = tuple  # (text, face, width at size 1) as layout draws them


def visual(pieces: list[Piece], rtl: bool, width: Callable[[str, object], float]) -> list[Piece]:
    """Pieces of one line (logical order) regrouped in display order; mirrored brackets swapped."""
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
    return uba.get_display(text) if has_rtl(text) else text


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
