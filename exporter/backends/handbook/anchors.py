"""Heading anchors exactly as GitHub makes them (github-slugger)."""

from __future__ import annotations

import re
import unicodedata

# github-slugger strips these general categories, keeping letters, marks, decimal
# and letter numbers, connector punctuation (`_`), the hyphen and the space.
_STRIPPED_CATEGORIES = {
    "No", "Pe", "Pf", "Pi", "Ps", "Po", "Pd",
    "Sc", "Sk", "Sm", "So", "Cc", "Co", "Cf", "Cn", "Zl", "Zp", "Zs",
}
# Symbols that Unicode also calls Alphabetic, which github-slugger therefore keeps:
# circled letters and the squared / negative squared Latin capitals.
_ALPHABETIC_SYMBOLS = (
    (0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189),
)


def _kept(char: str) -> bool:
    if char in " -":
        return True
    if unicodedata.category(char) not in _STRIPPED_CATEGORIES:
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _ALPHABETIC_SYMBOLS)


# Every other character needs a Unicode lookup; these, most of a heading, are always kept.
_NOT_SURELY_KEPT = re.compile(r"[^a-z0-9_ \-]+")


def _strip(match: re.Match) -> str:
    return "".join(c for c in match.group(0) if _kept(c))


def slugify(text: str) -> str:
    """One heading's slug before de-duplication: lower-case, symbols gone, spaces to '-'."""
    return _NOT_SURELY_KEPT.sub(_strip, text.lower()).replace(" ", "-")


class Slugger:
    """Unique slugs in document order, as github-slugger's `slug()` hands them out."""

    def __init__(self) -> None:
        self._occurrences: dict[str, int] = {}

    def slug(self, text: str) -> str:
        original = result = slugify(text)
        # A later "a" must not collide with an earlier heading literally titled "a-1".
        while result in self._occurrences:
            self._occurrences[original] += 1
            result = f"{original}-{self._occurrences[original]}"
        self._occurrences[result] = 0
        return result
