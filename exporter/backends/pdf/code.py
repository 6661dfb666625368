"""Code blocks: pygments classes to faces and colours, and wrapping long lines with a marker."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfgen.textobject import PDFTextObject

from .fonts import FontSet
from .styles import INK

# Pygments short class names -> (bold, colour); muted colours that survive greyscale printing.
_KEYWORD = (True, HexColor("#1f4e79"))
_TOKEN_STYLES: dict[str, tuple[bool, Color]] = {
    "k": _KEYWORD, "kd": _KEYWORD, "kn": _KEYWORD, "kr": _KEYWORD, "kc": _KEYWORD,
    "kt": _KEYWORD, "kp": _KEYWORD, "ow": _KEYWORD,
    "c": (False, HexColor("#6a737d")), "m": (False, HexColor("#8a3b12")),
    "s": (False, HexColor("#2e6b30")), "nf": (False, HexColor("#5c2d91")),
    "nc": (True, HexColor("#5c2d91")), "nb": (False, HexColor("#1f4e79")),
}


def token_style(cls: str) -> tuple[bool, Color]:
    if cls in _TOKEN_STYLES:
        return _TOKEN_STYLES[cls]
    # Families share their first letter: c1/cm are comments, s2/sd strings, mi/mf numbers.
    head = cls[:1]
    return _TOKEN_STYLES.get(head, (False, INK)) if head in "csm" else (False, INK)


@dataclass(frozen=True)
class CodeFace:
    fonts: FontSet
    size: float
    leading: float
    marker: str  # drawn before a wrapped line's continuation

    def show(self, text: PDFTextObject, role: str, string: str) -> None:
        """string in the role's face, each run of characters it lacks in the face that has them."""
        for name, run in self.fonts.runs(role, string):
            text.setFont(name, self.size)
            text.textOut(run)


@dataclass(frozen=True)
class CodeRow:
    indent: float  # the source line's own indentation, kept for its continuations
    continued: bool
    runs: tuple[tuple[str, str], ...]  # (text, pygments class)


def wrap_code(lines, width: float, face: CodeFace, char_width) -> list[CodeRow]:
    """Greedy wrap by measured width, preferring a break after a space; continuations keep indent."""
    marker_w = char_width(False, face.marker + " ") * face.size
    rows: list[CodeRow] = []
    for line in lines:
        chars = [(ch, cls) for chunk, cls in line for ch in chunk]
        widths = [char_width(token_style(cls)[0], ch) * face.size for ch, cls in chars]
        lead = len(chars) - len("".join(ch for ch, _ in chars).lstrip(" "))
        indent = min(lead * char_width(False, " ") * face.size, width / 2)
        start, continued = 0, False
        while True:
            room = width - (indent + marker_w if continued else 0)
            end, used, last_space = start, 0.0, -1
            while end < len(chars):
                if used + widths[end] > room and end > start:
                    break
                if chars[end][0] == " ":
                    last_space = end
                used += widths[end]
                end += 1
            if end < len(chars) and last_space > start + (end - start) // 2:
                end = last_space + 1
            piece = chars[start:end]
            if continued:
                piece = piece[len(piece) - len(_lstrip_chars(piece)):]
            rows.append(CodeRow(indent if continued else 0.0, continued, _runs(piece)))
            if end >= len(chars):
                break
            start, continued = end, True
    return rows


def _lstrip_chars(chars: list[tuple[str, str]]) -> list[tuple[str, str]]:
    i = 0
    while i < len(chars) - 1 and chars[i][0] == " ":
        i += 1
    return chars[i:]


def _runs(chars: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    runs: list[tuple[str, str]] = []
    for ch, cls in chars:
        if runs and runs[-1][1] == cls:
            runs[-1] = (runs[-1][0] + ch, cls)
        else:
            runs.append((ch, cls))
    return tuple(runs)
