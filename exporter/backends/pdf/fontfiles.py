"""The font files studypack ships, by role: named here so a check can find them without reportlab."""

from __future__ import annotations

from pathlib import Path

BUNDLED_DIR = Path(__file__).resolve().parent / "fonts"
BUNDLED_FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
    "bolditalic": "DejaVuSans-BoldOblique.ttf",
    "mono": "DejaVuSansMono.ttf",
    "monobold": "DejaVuSansMono-Bold.ttf",
}
# Tried in this order after the main family; see fonts/fallback/LICENSE.
FALLBACK_FILES = ("NotoSansMath-Regular.ttf", "NotoSansSymbols2-Regular.ttf", "Symbola.ttf")
FALLBACK_PATHS = tuple(BUNDLED_DIR / "fallback" / name for name in FALLBACK_FILES)
