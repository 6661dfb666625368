"""What a deck needs from the fonts: the characters it shows, those nothing draws, who would supply them."""

from __future__ import annotations

import unicodedata
from html import unescape
from typing import TYPE_CHECKING

from ...diagnostics import Diagnostic, error
from ...model import Deck, Question
from .. import BuildContext

if TYPE_CHECKING:  # reportlab loads only when a face is needed
    from .fonts import FontSet

MAX_LISTED_CHARS = 5
# Unicode name prefixes -> the Debian package whose fonts cover them (fontconfig finds them).
_PACKAGES = (
    (("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "IDEOGRAPHIC", "BOPOMOFO", "HALFWIDTH",
      "FULLWIDTH", "KANGXI"), "fonts-noto-cjk"),
    (("DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL", "TELUGU", "KANNADA",
      "MALAYALAM", "SINHALA", "THAI", "LAO", "TIBETAN", "MYANMAR", "GEORGIAN", "ETHIOPIC",
      "KHMER", "ARMENIAN"), "fonts-noto-core"),
)


def package_for(ch: str) -> str:
    """The Debian package that would give a font for ch (a hint for the message)."""
    name = unicodedata.name(ch, "")
    for prefixes, package in _PACKAGES:
        if name.startswith(prefixes):
            return package
    return "fonts-noto-core or fonts-noto-extra"


def field_chars(q: Question) -> set[str]:
    """The characters a question's fields can put on the page: its source as written, and
    with character references (&alpha;, &#x4e2d;) decoded. Markdown syntax adds only ASCII."""
    return _chars(q.question + q.answer + (q.details or ""))


def _chars(source: str) -> set[str]:
    return set(source) | set(unescape(source)) if "&" in source else set(source)


def deck_chars(deck: Deck) -> set[str]:
    # One string for the whole deck: a set per question cost 0.25 s at 10 000 questions.
    return set("".join(_titles(deck))) | _chars("\n".join(_fields(deck)))


def _titles(deck: Deck) -> list[str]:
    """The deck's plain texts that reach a page (no Markdown, no character references)."""
    return [deck.title, deck.version, deck.author or "", *(t.title for t in deck.topics)]


def _fields(deck: Deck) -> list[str]:
    return [text for q in deck.questions for text in (q.question, q.answer, q.details or "")]


_PRINTABLE_ASCII = frozenset(map(chr, range(0x20, 0x7F)))
_ASCII_BYTES = bytes(range(0x80))


def deck_chars_roughly(deck: Deck) -> set[str]:
    """At least deck_chars, in a fraction of its time: every printable ASCII character, and
    the others of the deck found by dropping the ASCII bytes of its UTF-8 (which never occur
    inside a multi-byte character). A set of a 10 000-question deck's 8 million characters
    cost validate 0.15 s; this is 0.03 s."""
    texts = _titles(deck) + _fields(deck)
    wide = "\n".join(t for t in texts if not t.isascii())  # a str knows this without a scan
    entities = unescape("\n".join(t for t in texts if "&" in t))
    return set(_PRINTABLE_ASCII) | _non_ascii(wide) | _non_ascii(entities)


def _non_ascii(text: str) -> set[str]:
    # surrogatepass: a lone surrogate written as a YAML escape must not stop the check.
    return set(text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
               .decode("utf-8", "surrogatepass"))


def fonts_for(deck: Deck, context: BuildContext) -> FontSet:
    """The font set a render of this deck uses: with the system faces its characters need."""
    from .fonts import load_fonts

    return load_fonts(context.options.font_dir).with_text(deck_chars(deck))


def unsupported_message(chars: list[str], where: str) -> str:
    shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in chars[:MAX_LISTED_CHARS])
    more = f" and {len(chars) - MAX_LISTED_CHARS} more" if len(chars) > MAX_LISTED_CHARS else ""
    noun = "character" if len(chars) == 1 else "characters"
    packages = sorted({package_for(c) for c in chars if unicodedata.category(c) not in ("Co", "Cn")})
    hint = (f"install {' or '.join(packages)} (or use --font-dir with a font that has them)"
            if packages else "it is a private-use or unassigned code point; use --font-dir with a "
            "font that defines it")
    return (f"{noun} {shown}{more} in {where}: no font on this machine can draw "
            f"{'it' if len(chars) == 1 else 'them'}; {hint}")


def check(deck: Deck, context: BuildContext) -> list[Diagnostic]:
    """Characters no font can draw, per question (for validate): what would fail the PDFs.

    The deck's characters are gathered at once; only when some are missing are the questions
    looked at one by one to say where."""
    titles = [(deck.loc, "the deck title", deck.title + deck.version + (deck.author or ""))]
    titles += [(t.loc, f"the title of topic '{t.id}'", t.title) for t in deck.topics]
    if context.options.font_dir is None:
        from .coverage import shipped_faces_draw

        if shipped_faces_draw(deck_chars_roughly(deck)):
            return []
    every = deck_chars(deck)
    from .fonts import load_fonts

    fonts = load_fonts(context.options.font_dir).with_text(every)
    if not fonts.missing("regular", "".join(sorted(every))):
        return []
    path = str(context.source_path)
    problems = []
    for loc, where, text in titles:
        missing = fonts.missing("regular", text)
        if missing:
            problems.append(error(path, loc, unsupported_message(missing, where)))
    for q in deck.questions:
        missing = fonts.missing("regular", "".join(sorted(field_chars(q))))
        if missing:
            problems.append(error(path, q.loc, unsupported_message(missing, f"question '{q.id}'")))
    return problems
